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
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from sim111.experiments.executors import Pool, open_executor
from sim111.experiments.store import ResultStore
from sim111.experiments.store_check import CHECKS
from sim111.experiments.tasks import TARGET_TASK_S

MAX_WORKERS = 256  # local worker processes (--workers, --dask local:N)


@dataclass(frozen=True)
class ExecutionSettings:
    """How to run replications; the default runs them one by one in this process.

    ``workers``: processes of a local pool when > 1 (no pool at 1).
    ``executor``: any ``concurrent.futures.Executor`` to submit replications to
    instead (the caller shuts it down); takes precedence over ``workers``.
    ``client``: a Dask ``distributed.Client``; replications go to its cluster
    (scenarios scattered once, tasks named ``sim111-<scenario>-p<point>-r<first>-<last>-…``
    on the dashboard, never served from an earlier run); takes precedence over both.
    ``store``: a folder (or an open :class:`~sim111.experiments.store.ResultStore`)
    keeping every finished replication; replications already there are not run again.
    ``progress``: draw a progress bar (``tqdm.auto``: a widget in Jupyter with
    ipywidgets, else text on stderr); ``None`` draws one when stderr is a
    terminal or the code runs in a Jupyter kernel.
    ``on_progress``: called as ``on_progress(done, total)`` before the first
    replication runs and after each one finishes: the hook for any other front
    end (the web app's progress bar; an exception raised there stops the run,
    the way the app cancels one).
    ``task_replications``: replications per task on a pool or cluster; ``None``
    sizes tasks to take about ``task_seconds`` each (from the first tasks'
    times). Fewer, longer tasks spend less on scheduling; results do not
    depend on either.
    ``store_check``: what a damaged store file or a stored replication failing its
    check (checksum, versions, scenario hash) leads to: ``"recompute"`` (one
    warning line, then computed again) or ``"stop"`` (a one-line
    :class:`~sim111.errors.ScenarioError`); see :class:`~sim111.experiments.store.ResultStore`.
    """

    workers: int = 1
    executor: Executor | None = None
    client: Any = None
    store: str | Path | ResultStore | None = None
    progress: bool | None = None
    on_progress: Callable[[int, int], None] | None = None
    task_replications: int | None = None
    task_seconds: float = TARGET_TASK_S
    store_check: str = "recompute"

    def __post_init__(self) -> None:
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be 1 to {MAX_WORKERS}, got {self.workers}")
        if self.task_replications is not None and self.task_replications < 1:
            raise ValueError(f"task_replications must be >= 1, got {self.task_replications}")
        if not self.task_seconds > 0:
            raise ValueError(f"task_seconds must be > 0, got {self.task_seconds}")
        if self.store_check not in CHECKS:
            raise ValueError(f"store_check must be one of {CHECKS}, got {self.store_check!r}")

    @contextmanager
    def open_executor(self) -> Iterator[Pool | None]:
        """The executor to submit replications to, or ``None`` to run them here.

        A process pool made for ``workers`` is shut down on leaving the block;
        a given ``executor`` or Dask client is left to its owner.
        """
        with open_executor(self.workers, self.executor, self.client) as pool:
            yield pool

    def open_store(self) -> ResultStore | None:
        """The result store (a folder is opened, created if missing), or ``None``."""
        if isinstance(self.store, str | Path):
            return ResultStore(self.store, self.store_check)
        return self.store

    def shows_progress(self) -> bool:
        """Whether to draw a progress bar."""
        if self.progress is not None:
            return self.progress
        return sys.stderr.isatty() or in_jupyter_kernel()


def in_jupyter_kernel() -> bool:
    """Whether this code runs in a Jupyter kernel (a notebook, JupyterLab, VS Code...)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and hasattr(ipython, "kernel")


def progress_bar(total: int, show: bool) -> Any:
    """A ``tqdm.auto`` bar of ``total`` replications (a widget in Jupyter when ipywidgets
    is installed, else text on stderr), disabled unless ``show``."""
    with warnings.catch_warnings():  # tqdm warns when it falls back to text or uses widgets
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm

        return tqdm(total=total, disable=not show, unit="rep", desc="replications")


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
    task_replications: int | None
    task_seconds: float
    store_check: str


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
