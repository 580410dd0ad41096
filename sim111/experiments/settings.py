"""Where and how replications run: one settings object for every runner.

:func:`~sim111.experiments.replications.run_experiment`,
:func:`~sim111.experiments.sweep.run_sweep`,
:func:`~sim111.experiments.sweep.run_points` and
:func:`~sim111.experiments.compare.compare` take ``execution=ExecutionSettings(...)``.
None of the settings changes a result: only where the work is done, whether it
is kept on disk and whether a progress bar is drawn.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from sim111.experiments.executors import open_executor
from sim111.experiments.store import ResultStore


@dataclass(frozen=True)
class ExecutionSettings:
    """How to run replications; the default runs them one by one in this process.

    ``workers``: processes of a local pool when > 1 (no pool at 1).
    ``executor``: any ``concurrent.futures.Executor`` to submit replications to
    instead (the caller shuts it down); takes precedence over ``workers``.
    ``client``: a Dask ``distributed.Client``; replications go to its cluster
    through ``client.get_executor()``; takes precedence over both.
    ``store``: a folder (or an open :class:`~sim111.experiments.store.ResultStore`)
    keeping every finished replication; replications already there are not run again.
    ``progress``: draw a progress bar on stderr; ``None`` draws one when stderr
    is a terminal.
    ``on_progress``: called as ``on_progress(done, total)`` before the first
    replication runs and after each one finishes (the web app's progress bar;
    an exception raised there stops the run, the way the app cancels one).
    """

    workers: int = 1
    executor: Executor | None = None
    client: Any = None
    store: str | Path | ResultStore | None = None
    progress: bool | None = None
    on_progress: Callable[[int, int], None] | None = None

    @contextmanager
    def open_executor(self) -> Iterator[Executor | None]:
        """The executor to submit replications to, or ``None`` to run them here.

        A process pool made for ``workers`` is shut down on leaving the block;
        a given ``executor`` or Dask client is left to its owner.
        """
        with open_executor(self.workers, self.executor, self.client) as pool:
            yield pool

    def open_store(self) -> ResultStore | None:
        """The result store (a folder is opened, created if missing), or ``None``."""
        if isinstance(self.store, str | Path):
            return ResultStore(self.store)
        return self.store

    def shows_progress(self) -> bool:
        """Whether to draw a progress bar."""
        return sys.stderr.isatty() if self.progress is None else self.progress


class ExecutionKeywords(TypedDict, total=False):
    """The fields of :class:`ExecutionSettings` as keywords (``workers=2``).

    The runners accept them as a shorthand for ``execution=ExecutionSettings(...)``
    (the form notebooks and the README use), typed through ``**kw: Unpack[...]``.
    """

    workers: int
    executor: Executor | None
    client: Any
    store: str | Path | ResultStore | None
    progress: bool | None
    on_progress: Callable[[int, int], None] | None


FIELDS = frozenset(f.name for f in dataclasses.fields(ExecutionSettings))


def execution_settings(
    execution: ExecutionSettings | None, keywords: ExecutionKeywords
) -> ExecutionSettings:
    """The settings of a runner called with ``execution=`` or with the keyword shorthand.

    Raises ``TypeError`` for an unknown keyword (nothing checks ``**keywords``
    at run time otherwise) and for both forms at once (which would win is a guess).
    """
    unknown = sorted(set(keywords) - FIELDS)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r} "
            f"(execution keywords are {', '.join(sorted(FIELDS))})"
        )
    if execution is None:
        return ExecutionSettings(**keywords)
    if keywords:
        raise TypeError(
            f"pass either execution= or {', '.join(sorted(keywords))}=, not both: "
            "use dataclasses.replace(execution, ...) to change one setting"
        )
    return execution
