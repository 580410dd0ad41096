"""How a task reaches each kind of executor, and how its result comes back.

:class:`FuturesPool`: any ``concurrent.futures`` executor, the scenario sent with
every task. :class:`LocalPool`: a process pool on this machine (one sim111 made,
or a ``ProcessPoolExecutor`` of the caller's), results back through files
(:mod:`sim111.experiments.handoff`). :class:`DaskPool`: a Dask cluster the Dask
way: scenarios sent once (as recomputable tasks), readable task keys,
``pure=False``.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import uuid
from collections.abc import Sequence
from concurrent.futures import CancelledError, Executor
from typing import Any

from sim111.experiments import handoff
from sim111.experiments.handoff import ResultFolder, receive
from sim111.experiments.tasks import TaskResult, run_packed
from sim111.experiments.workers import interruptible, interruptible_filed
from sim111.scenario import Scenario

log = logging.getLogger(__name__)
# what a failure outside the model can raise (a future cancelled by Dask is asyncio's)
TASK_ERRORS = (Exception, CancelledError, asyncio.CancelledError)


class FuturesPool:
    """A ``concurrent.futures`` executor running ``parallelism`` tasks at once."""

    def __init__(self, executor: Executor, parallelism: int) -> None:
        self.executor = executor
        self.parallelism = parallelism

    def place(self, scenarios: Sequence[Scenario]) -> list[Any]:
        """The scenarios as tasks take them (sent with every task)."""
        return list(scenarios)

    def submit(self, key: str, scenario: Any, *args: Any) -> Any:
        """Start :func:`~sim111.experiments.tasks.run_replications`; a future."""
        return self.executor.submit(interruptible, scenario, *args)

    def unpack(self, result: Any) -> TaskResult:
        """A future's result as a :class:`~sim111.experiments.tasks.TaskResult`."""
        return result


class LocalPool(FuturesPool):
    """A process pool made here: results come back through files, not its pipe
    (:mod:`sim111.experiments.handoff`), so a worker starts its next task at once."""

    def __init__(self, executor: Executor, parallelism: int, folder: ResultFolder) -> None:
        super().__init__(executor, parallelism)
        self.folder = folder
        self.pipe_bytes = handoff.PIPE_BYTES

    def submit(self, key: str, scenario: Any, *args: Any) -> Any:
        """Start :func:`~sim111.experiments.workers.interruptible_filed`; a future."""
        folder, pipe_bytes = self.folder.path, self.pipe_bytes
        return self.executor.submit(interruptible_filed, folder, pipe_bytes, scenario, *args)

    def unpack(self, result: Any) -> TaskResult:
        """A worker's result, read from its file (which goes) or from the pipe."""
        unpacked: TaskResult = receive(result, self.folder)  # what our own workers pickled
        return unpacked


class DaskPool:
    """A Dask ``distributed.Client``'s cluster."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.parallelism = max(1, sum(client.nthreads().values()))
        log.info("Dask dashboard: %s", client.dashboard_link)
        try:  # every worker imports the engine now, not in its first task
            client.run(warm_worker)
        except TASK_ERRORS as err:
            log.info("Dask workers not warmed up: %s", err)

    def place(self, scenarios: Sequence[Scenario]) -> list[Any]:
        """Scenarios sent to the cluster once, as futures the tasks take.

        Each is the result of a task holding it, not scattered data: when the
        worker keeping it dies the scheduler computes it again, where a
        scattered scenario would be lost with its worker and take every task
        still needing it down too (``FutureCancelledError``). Each is copied to
        every worker, so the scheduler places tasks by free workers, not by where
        a scenario happens to be (on 2 workers, 8 equal tasks went 5 and 3 and the
        sweep waited a second for the last).
        """
        for scenario in scenarios:  # one that cannot be sent fails here, not in Dask's loop
            pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
        keys = [f"sim111-scenario-{uuid.uuid4().hex[:8]}" for _ in scenarios]
        placed = list(self.client.map(_same, list(scenarios), key=keys, pure=False))
        try:  # on every worker: else tasks crowd onto the one holding their scenario
            self.client.replicate(placed)
        except TASK_ERRORS as err:
            log.info("scenarios not copied to every Dask worker: %s", err)
        return placed

    def submit(self, key: str, scenario: Any, *args: Any) -> Any:
        """Start a task named ``key``; ``pure=False``: never served from an earlier run.

        The task returns its result pickled (:func:`~sim111.experiments.tasks.run_packed`):
        one compact buffer to move, and a result that cannot be pickled is a
        failure of its replications rather than an error in Dask's comms.
        """
        return self.client.submit(run_packed, scenario, *args, key=key, pure=False)

    @staticmethod
    def unpack(result: Any) -> TaskResult:
        """A task's pickled result, read back."""
        return pickle.loads(result)  # what our own workers pickled


Pool = FuturesPool | DaskPool  # a LocalPool is a FuturesPool


def _same(scenario: Scenario) -> Scenario:
    return scenario


def warm_worker() -> None:
    """Import what tasks run (on a Dask worker, before its first task)."""
    import sim111.experiments.runner  # noqa: F401
