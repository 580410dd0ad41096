"""Choosing the executor replications run on, and running tasks on it.

A local process pool, any ``concurrent.futures`` executor, or a Dask cluster
through ``distributed.Client.get_executor()`` (Dask itself is imported only by
whoever makes the client). Results come back in the order they finish; callers
sort them, so they do not depend on the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


@contextmanager
def open_executor(
    workers: int, executor: Executor | None, client: Any
) -> Iterator[Executor | None]:
    """A Dask ``client``'s executor, else ``executor``, else a pool of ``workers`` > 1 processes.

    ``None`` means run in this process. Only a pool made here is shut down on exit.
    """
    if client is not None:
        yield client.get_executor()
    elif executor is not None:
        yield executor
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
    else:
        yield None


def as_finished(
    pool: Executor | None, fn: Callable[..., T], calls: Iterable[tuple[Any, ...]]
) -> Iterator[T]:
    """``fn(*args)`` for every ``args`` of ``calls``, in the order they finish.

    Without a pool the calls run here, one by one, in order. With one, every
    call is submitted first.
    """
    if pool is None:
        for args in calls:
            yield fn(*args)
        return
    futures = [pool.submit(fn, *args) for args in calls]
    for future in as_completed(futures):
        yield future.result()
