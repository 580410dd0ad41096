"""``--dask``: which cluster an address names, and its client for the length of a command.

``local[:N]`` starts a LocalCluster of N single-threaded worker processes on this
machine (closed after); any other value must be a scheduler address, checked before
connecting so a typo is one line, not a traceback from Dask.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

from sim111.errors import ScenarioError, shown_text
from sim111.experiments.settings import MAX_WORKERS

DASK_CONNECT_TIMEOUT_S = 30
# What a worker does beside its task slows a pure-Python simulation, which holds the
# GIL: each wake of the worker's event loop takes it from the task's thread.
# - The statistical profiler samples every thread every 10 ms: off (a 2-worker
#   LocalCluster ran benchmarks/scaling.py's sweep 14% faster; the dashboard loses
#   its Profile page).
# - The event-loop watchdog ticks every 20 ms, the memory monitor every 100 ms and the
#   system monitor every 500 ms: 1 s, 1 s and 5 s here (an 84-day replication took
#   0.430 s in a worker against 0.429 s in a process pool, medians of 8 interleaved;
#   0.491 s against 0.453 s with Dask's intervals). The dashboard's CPU and memory
#   plots are coarser, and a worker over its memory limit is paused a second later.
# - Nannies set MALLOC_TRIM_THRESHOLD_=65536 for their workers, which also stops
#   glibc's mmap threshold from rising: every array of a few megabytes the engine
#   grows is then mapped and unmapped afresh (0.503 s against 0.440 s without it).
#   Unset here: glibc's own default still trims the heap's top, and a run of many
#   areas hands its freed columns back itself (engine.memory).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def local_cluster(workers: int, **kwargs: Any) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded worker processes,
    with :data:`LOCAL_CLUSTER_CONFIG` (its workers take the config they start with)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, **kwargs)


DASK_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?[A-Za-z0-9_.\-\[\]:]+:([0-9]{1,5})")
DASK_LOCAL = re.compile(r"local(?::([0-9]+))?")
DASK_MAX_LOCAL_WORKERS = MAX_WORKERS


def dask_local_workers(address: str) -> int | None:
    """Workers of ``--dask local[:N]`` (``local``: one per CPU), ``None`` for an
    address (``tcp://host:8786``, ``host:8786``); a ``ScenarioError`` for anything else."""
    local = DASK_LOCAL.fullmatch(address)
    if local is not None:
        workers = int(local[1]) if local[1] else os.cpu_count() or 1
        if workers < 1:
            raise ScenarioError(f"--dask {address}: local:N needs N >= 1 workers")
        if workers > DASK_MAX_LOCAL_WORKERS:
            raise ScenarioError(
                f"--dask {address}: local:N allows at most {DASK_MAX_LOCAL_WORKERS} workers"
            )
        return workers
    remote = DASK_ADDRESS.fullmatch(address)
    if remote is None or not 1 <= int(remote[1]) <= 65535:
        raise ScenarioError(
            f"--dask {shown_text(repr(address))}: expected local, local:N (N workers on this "
            "machine) or a scheduler address HOST:PORT (tcp://, tls://, ws://, wss://, ucx://; "
            "PORT 1-65535) such as tcp://host:8786"
        )
    return None


@contextlib.contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """A ``distributed.Client`` of ``--dask``: joining the scheduler at ``address``, or
    (``local[:N]``) of a LocalCluster of N single-threaded worker processes, closed after."""
    if address is None:
        yield None
        return
    workers = dask_local_workers(address)
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError("--dask needs Dask: pip install 'sim111[dask]'") from None
    if workers is not None:
        cluster = local_cluster(workers)
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT_S)
    except (OSError, TypeError, ValueError) as err:  # TypeError: tls:// with no TLS set up
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ScenarioError(f"--dask {address}: cannot connect: {shown_text(first, 300)}") from None
    with client:
        yield client
