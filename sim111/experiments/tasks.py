"""Replications grouped into tasks for an executor, and the task a worker runs.

A task is a run of consecutive replications of one sweep point (and, for a
scenario whose areas share nothing, one group of its areas). Every replication
``r`` still draws from ``RandomStreams(seed, r)`` alone, so results do not
depend on how replications are grouped: grouping only trades the executor's
per-task overhead (scheduling, moving the scenario and the results) against
load balance. By default tasks are sized to take about
:data:`TARGET_TASK_S` seconds, from the time the first tasks took.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
import pickle
import re
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sim111.experiments import runner
from sim111.experiments.runner import GroupOutcome, Outcome
from sim111.scenario import Scenario

TARGET_TASK_S = 1.0
TASKS_PER_WORKER = 4  # at least this many tasks per worker when grouping, for load balance

Part = Outcome | GroupOutcome


@dataclass(frozen=True)
class Task:
    """Replications ``replications`` of sweep point ``point`` (``group`` of its areas, or all)."""

    point: int
    replications: tuple[int, ...]
    group: int | None = None

    def key(self, scenario_name: str) -> str:
        """A unique, readable task name (the Dask dashboard groups tasks by its prefix)."""
        name = re.sub(r"[^A-Za-z0-9_.]+", "_", scenario_name).strip("_")[:40] or "scenario"
        group = "" if self.group is None else f"-g{self.group}"
        first, last = self.replications[0], self.replications[-1]
        return f"sim111-{name}-p{self.point}{group}-r{first}-{last}-{uuid.uuid4().hex[:8]}"

    def failed(self, error: str) -> list[Part]:
        """Every replication of this task recorded as failed with ``error``."""
        if self.group is None:
            return [Outcome(self.point, r, None, None, error) for r in self.replications]
        return [GroupOutcome(self.point, r, self.group, None, error) for r in self.replications]


@dataclass(frozen=True)
class TaskResult:
    """What a task returns: its replications' outcomes and the seconds they took.

    ``started_s`` is the worker's monotonic clock when the task began and
    ``worker`` names the process (``host:pid``): with ``elapsed_s`` they place the
    task on its worker's timeline (logged by :mod:`sim111.experiments.executors`;
    ``benchmarks/scaling.py`` reads the gaps between one worker's tasks from them).
    """

    parts: tuple[Part, ...]
    elapsed_s: float
    started_s: float = 0.0
    worker: str = ""


def run_replications(
    scenario: Scenario,
    point: int,
    replications: Sequence[int],
    seed: int,
    keep_records: bool,
    group: int | None,
) -> TaskResult:
    """Run a task's replications one after the other (what a worker runs)."""
    started_s = time.monotonic()
    start = time.perf_counter()
    parts = tuple(
        runner.run_part(scenario, point, r, seed, keep_records, group) for r in replications
    )
    worker = f"{socket.gethostname()}:{os.getpid()}"
    return TaskResult(parts, time.perf_counter() - start, started_s, worker)


def run_packed(
    scenario: Scenario,
    point: int,
    replications: Sequence[int],
    seed: int,
    keep_records: bool,
    group: int | None,
) -> bytes:
    """:func:`run_replications`, its result pickled (what a Dask worker runs).

    A result that cannot be pickled comes back as the failure of the task's
    replications, named, instead of breaking the executor's communication.
    """
    result = run_replications(scenario, point, replications, seed, keep_records, group)
    return pickle_result(result, Task(point, tuple(replications), group))


def pickle_result(
    result: TaskResult, task: Task, buffers: list[pickle.PickleBuffer] | None = None
) -> bytes:
    """``result`` pickled (protocol 5; with ``buffers``, array data left out of band
    in it); one that cannot be pickled as the failure of ``task``'s replications."""
    keep = None if buffers is None else buffers.append
    try:
        return pickle.dumps(result, protocol=5, buffer_callback=keep)
    except Exception as err:
        if buffers is not None:
            buffers.clear()
        said = " ".join(str(err).split())[:200]
        error = f"{type(err).__name__}: {said} (outside the model: pickling the task's result)"
        return pickle.dumps(dataclasses.replace(result, parts=tuple(task.failed(error))))


def make_tasks(todo: Sequence[tuple[int, int]], groups: Sequence[int], size: int) -> list[Task]:
    """Tasks of up to ``size`` consecutive replications of one point, for every
    ``(point, replication)`` of ``todo``; ``groups[p]`` tasks per chunk of point ``p``."""
    tasks: list[Task] = []
    for point, items in itertools.groupby(todo, key=lambda pr: pr[0]):
        reps = [r for _, r in items]
        for start in range(0, len(reps), size):
            chunk = tuple(reps[start : start + size])
            if groups[point] == 1:
                tasks.append(Task(point, chunk))
            else:
                tasks += [Task(point, chunk, g) for g in range(groups[point])]
    return tasks


def task_size(
    seconds_per_replication: float | None, remaining: int, parallelism: int, target_s: float
) -> int:
    """Replications per task so a task takes about ``target_s``, yet every one of
    ``parallelism`` workers still gets :data:`TASKS_PER_WORKER` of the ``remaining``."""
    if seconds_per_replication is None or seconds_per_replication <= 0:
        return 1
    wanted = math.ceil(target_s / seconds_per_replication)
    balanced = max(1, remaining // (TASKS_PER_WORKER * max(parallelism, 1)))
    return max(1, min(wanted, balanced))
