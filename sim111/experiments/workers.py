"""Process-pool workers: Ctrl-C is the main process's, and they end with it.

A terminal's Ctrl-C signals the whole process group. A worker waiting for a task
ignores SIGINT (no ``KeyboardInterrupt`` traceback from each); one running a task
stops it (:func:`interruptible`), and the pool hands back that task's error. The
main process says ``interrupted`` once and stops its pool (:func:`stop_pool`).
A worker also exits when its main process dies, however it dies (:func:`exit_with_parent`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from sim111.experiments.handoff import Filed, Inline, send
from sim111.experiments.tasks import Task, TaskResult, pickle_result, run_replications

T = TypeVar("T")

PR_SET_PDEATHSIG = 1  # prctl(2) option: a signal for this process when its parent dies
PARENT_POLL_S = 1.0


def start_pool_worker() -> None:
    """A pool's initializer: Ctrl-C is the main process's alone, and the worker exits
    with it (:func:`exit_with_parent`).

    Ctrl-C in a terminal signals the whole process group: a waiting worker ignores
    SIGINT, so it prints no ``KeyboardInterrupt`` traceback; a task stops at it
    (:func:`interruptible`) and the pool returns that as the task's error. The main
    process says ``interrupted`` and stops the pool (:func:`stop_pool`). SIGTERM ends a
    worker quietly (the main process's handler, inherited by a fork, is put back to
    the default).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main process's (cli.entry.Stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()


def interruptible(scenario: Any, *args: Any) -> TaskResult:
    """:func:`~sim111.experiments.tasks.run_replications`, stopped by SIGINT in a pool
    worker that otherwise ignores it (:func:`start_pool_worker`)."""
    return _interruptibly(run_replications, scenario, *args)


def interruptible_filed(
    folder: str,
    pipe_bytes: int,
    scenario: Any,
    point: int,
    replications: Sequence[int],
    seed: int,
    keep_records: bool,
    group: int | None,
) -> Inline | Filed:
    """:func:`~sim111.experiments.tasks.run_replications` as :func:`interruptible` runs
    it, its result handed back through a file in ``folder`` if over ``pipe_bytes``
    (:mod:`sim111.experiments.handoff`)."""
    result = _interruptibly(
        run_replications, scenario, point, replications, seed, keep_records, group
    )
    buffers: list[pickle.PickleBuffer] = []
    task = Task(point, tuple(replications), group)
    return send(pickle_result(result, task, buffers), buffers, folder, pipe_bytes)


def _interruptibly(function: Callable[..., T], *args: Any) -> T:
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    ):
        return function(*args)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return function(*args)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_with_parent() -> None:
    """Make this pool worker exit when the process that started it dies.

    A pool's initializer: on Linux the kernel sends SIGTERM at the parent's
    death (``prctl(PR_SET_PDEATHSIG)``); everywhere a daemon thread checks the
    parent's pid every :data:`PARENT_POLL_S` and exits once it changed (the
    worker was handed to another parent). A SIGKILLed main process then leaves
    no worker computing for no one.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the thread still watches
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    threading.Thread(
        target=_watch_parent, args=(parent,), daemon=True, name="sim111-parent"
    ).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # the parent is gone: nothing would read what this worker computes


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued on ``pool`` and interrupt the tasks its workers are running.

    Each worker gets SIGINT (:func:`interruptible`; one that waits ignores it),
    hands back its task's error and reads the pool's stop: none is terminated,
    which could leave a result half-sent and the pool waiting for it for ever.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
            os.kill(process.pid, signal.SIGINT)
