"""Choosing where tasks run, and running them there without losing any.

In this process, on a local process pool, on any ``concurrent.futures``
executor, or on a Dask cluster through a ``distributed.Client`` the Dask way
(:mod:`sim111.experiments.pools`: how a task reaches each). Dask itself is
imported only by whoever makes the client.

:func:`run_tasks` hands back the outcome of every replication, in the order
tasks finish (callers sort them). A failure outside the model (a worker killed,
a broken process pool, a task that cannot be pickled) fails only the
replications of the tasks it hit: they come back as outcomes with an error.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from sim111.experiments.handoff import result_folder
from sim111.experiments.pools import TASK_ERRORS, DaskPool, FuturesPool, LocalPool, Pool
from sim111.experiments.runner import area_groups
from sim111.experiments.tasks import (
    TARGET_TASK_S,
    Part,
    Task,
    TaskResult,
    make_tasks,
    run_replications,
    task_size,
)
from sim111.experiments.workers import start_pool_worker, stop_pool
from sim111.scenario import Scenario

log = logging.getLogger(__name__)
# a task's key, seconds computing, worker and start on its clock (benchmarks/scaling.py reads it)
TASK_LOG = "task %s: %.4f s computing on %s from %.4f"
ERROR_CHARS = 200  # an infrastructure error's text is cut to this


@contextmanager
def open_executor(workers: int, executor: Executor | None, client: Any) -> Iterator[Pool | None]:
    """A Dask ``client``'s cluster, else ``executor``, else a pool of ``workers`` > 1 processes.

    ``None`` means run in this process. Only a pool made here is shut down on exit;
    when the run stops early (Ctrl-C, SIGTERM, an error) its queued tasks are cancelled
    and its workers interrupted (:func:`~sim111.experiments.workers.stop_pool`)
    rather than left to finish tasks no one will read.
    """
    if client is not None:
        yield DaskPool(client)
    elif isinstance(executor, ProcessPoolExecutor):  # its workers are on this machine
        with result_folder() as folder:
            yield LocalPool(executor, getattr(executor, "_max_workers", 1), folder)
    elif executor is not None:
        yield FuturesPool(executor, getattr(executor, "_max_workers", 1))
    elif workers > 1:
        with (
            result_folder() as folder,
            ProcessPoolExecutor(max_workers=workers, initializer=start_pool_worker) as made,
        ):
            try:
                yield LocalPool(made, workers, folder)
            except BaseException:
                stop_pool(made)
                raise
    else:
        yield None


def run_tasks(
    pool: Pool | None,
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    todo: Sequence[tuple[int, int]],
    keep_records: bool,
    size: int | None = None,
    target_s: float = TARGET_TASK_S,
) -> Iterator[Part]:
    """The outcome of every ``(point, replication)`` of ``todo``, as they finish.

    Without a pool they run here, one by one, in order. On a pool, a scenario's
    groups of areas that share nothing run as tasks of their own;
    ``size`` replications make a task, or, if ``None``, as many as take about
    ``target_s`` seconds, judged from a first wave of one-replication tasks.
    """
    if pool is None:
        for p, r in todo:
            result = run_replications(scenarios[p], p, [r], seeds[p], keep_records, None)
            _log_task(f"p{p}-r{r}", result)
            yield from result.parts
        return
    needed = sorted({p for p, _ in todo})
    groups = [area_groups(s) if p in needed else 1 for p, s in enumerate(scenarios)]
    placed: dict[int, Any] = {}
    for p in needed:  # a scenario that cannot be sent fails its point's replications only
        try:
            placed[p] = pool.place([scenarios[p]])[0]
        except TASK_ERRORS as err:
            for task in make_tasks([pr for pr in todo if pr[0] == p], groups, 1):
                yield from task.failed(_error_text(err, f"sending point {p}'s scenario"))
    todo = [pr for pr in todo if pr[0] in placed]
    if not todo:
        return
    if size is None:  # a first wave of one-replication tasks times them
        first, rest = make_tasks(todo[: pool.parallelism], groups, 1), todo[pool.parallelism :]
    else:
        first, rest = make_tasks(todo, groups, size), []
    run = _Dispatch(pool, scenarios, seeds, placed, keep_records, groups)
    yield from run.all(first, rest, target_s)


def _log_task(key: str, result: TaskResult) -> None:
    """Where and how long a task computed, at debug level (:data:`TASK_LOG`)."""
    log.debug(TASK_LOG, key, result.elapsed_s, result.worker, result.started_s)


class _Dispatch:
    """Tasks in flight on ``pool``, and what came back of them."""

    def __init__(
        self,
        pool: Pool,
        scenarios: Sequence[Scenario],
        seeds: Sequence[int],
        placed: dict[int, Any],
        keep_records: bool,
        groups: Sequence[int],
    ) -> None:
        self.pool, self.scenarios, self.seeds = pool, scenarios, seeds
        self.placed, self.keep_records, self.groups = placed, keep_records, groups
        self.finished: queue.SimpleQueue[tuple[Task, Any]] = queue.SimpleQueue()
        self.running: dict[Task, str] = {}  # task: its key
        self.futures: dict[Task, Any] = {}

    def all(
        self, first: list[Task], rest: Sequence[tuple[int, int]], target_s: float
    ) -> Iterator[Part]:
        """Submit ``first``; once one is back, ``rest`` in tasks sized from its time."""
        try:
            yield from self.submit(first)
            while self.running or rest:
                if not self.running:  # no first task could be submitted
                    yield from self.submit(make_tasks(rest, self.groups, 1))
                    rest = []
                    continue
                task, future = self.finished.get()
                key = self.running.pop(task)
                del self.futures[task]  # the client keeps no result it has handed on
                try:
                    result = self.pool.unpack(future.result())
                except TASK_ERRORS as err:
                    yield from task.failed(_error_text(err, key))
                    result = TaskResult((), 0.0)
                _log_task(key, result)
                yield from result.parts
                if rest:
                    per_rep = result.elapsed_s / len(task.replications) if result.parts else None
                    size = task_size(per_rep, len(rest), self.pool.parallelism, target_s)
                    log.info("%d replications to go, %d per task", len(rest), size)
                    yield from self.submit(make_tasks(rest, self.groups, size))
                    rest = []
        finally:  # stopped early (an exception, a cancelled run): nothing left running
            for future in self.futures.values():
                future.cancel()

    def submit(self, tasks: list[Task]) -> Iterator[Part]:
        """Submit ``tasks``; the replications of any that cannot be submitted fail."""
        for task in tasks:
            key = task.key(self.scenarios[task.point].name)
            point = task.point
            args = (point, task.replications, self.seeds[point], self.keep_records, task.group)
            try:
                future = self.pool.submit(key, self.placed[point], *args)
            except TASK_ERRORS as err:
                yield from task.failed(_error_text(err, key))
                continue
            self.running[task], self.futures[task] = key, future
            future.add_done_callback(lambda f, t=task: self.finished.put((t, f)))


def _error_text(err: BaseException, where: str) -> str:
    """One line (Dask's errors can hold whole tracebacks and reprs), cut to a sensible length."""
    said = " ".join(str(err).split("\n", 1)[0].split())
    said = said if len(said) <= ERROR_CHARS else said[: ERROR_CHARS - 1] + "…"
    return f"{type(err).__name__}: {said} (outside the model: {where})"
