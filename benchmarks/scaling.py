"""Scaling of a sweep over workers: ``python benchmarks/scaling.py [--days 100] [--rounds 3]``.

One run times the same sweep (two points of the typical area, ``--replications``
each, ``--per-task`` replications per task; a ``--days``-long run makes each
task take a second or more) in this process (serial), on a local process pool of 1
and 2 workers, and on a Dask LocalCluster of 1 and 2 single-threaded worker
processes (started as ``--dask local:N`` starts them). Each mode runs alone: its
pool or cluster is started and warmed up (a one-day sweep) before the clock
starts and closed after, so what is timed is submitting, running and collecting,
and no other mode's scheduler or nannies share the machine (with every cluster
up at once, the serial run in this process took 9.9 s against 7.2 s on a
1-worker pool). The modes run in turn, ``--rounds`` times. Reported per mode: the
median wall time (range, runs), speed-up over serial (medians), and two overheads:

- **between tasks**: how long a worker waits from the end of one task to the start
  of its next (handing back the result, being given the next task), the median
  over every such gap; from each task's start and seconds as its worker measured
  them (logged by :mod:`sim111.experiments.executors`). This is the overhead each
  task adds, which the target is about.
- **all told**: ``(workers x wall - seconds computing - the sweep's own work) /
  tasks``, which adds the sweep's start (sending the scenarios, the first
  tasks) and its end (a worker idle once no task is left, the last result
  coming back), spread over the tasks. The sweep's own work in this process
  (making the scenarios, assembling the frames) is the serial run's wall time
  less its replications' seconds, in the same round.

Against the serial wall time alone, an overhead would also take in what two
processes computing side by side cost each other on the machine (shared caches,
memory bandwidth, clock speed), which no executor removes and the speed-up
shows, and run-to-run noise of tens of milliseconds per task. The frames of
every mode must be identical to the serial ones. The load average is printed at
the start and at the end: other jobs on a shared machine slow the parallel modes
most.

Targets (issue #18): at least 1.8x on 2 workers, under 5 ms between tasks.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_SPEEDUP = 1.8
TARGET_OVERHEAD_S = 0.005


@contextmanager
def _serial() -> Iterator[dict[str, Any]]:
    yield {}


@contextmanager
def _pool(workers: int) -> Iterator[dict[str, Any]]:
    with ProcessPoolExecutor(workers) as pool:
        yield {"executor": pool}


@contextmanager
def _dask(workers: int) -> Iterator[dict[str, Any]]:
    import distributed

    from sim111.cli.cluster import local_cluster

    # as `--dask local:N` starts it
    with (
        local_cluster(workers, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        yield {"client": client}


# (name, workers, a context that starts the mode's executor and yields run_sweep keywords)
MODES: list[tuple[str, int, Callable[[], Any]]] = [
    ("serial (this process)", 1, _serial),
    ("process pool, 1 worker", 1, lambda: _pool(1)),
    ("process pool, 2 workers", 2, lambda: _pool(2)),
    ("Dask LocalCluster, 1 worker", 1, lambda: _dask(1)),
    ("Dask LocalCluster, 2 workers", 2, lambda: _dask(2)),
]


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


class _TaskSeconds(logging.Handler):
    """Each task's (seconds computing, worker, start on its clock), from the executors'
    debug log (:data:`sim111.experiments.executors.TASK_LOG`)."""

    def __init__(self, message: str) -> None:
        super().__init__(logging.DEBUG)
        self.message = message
        self.tasks: list[tuple[float, str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == self.message and isinstance(record.args, tuple):
            _key, seconds, worker, started = record.args
            self.tasks.append((float(seconds), str(worker), float(started)))  # type: ignore[arg-type]


@contextmanager
def _task_seconds() -> Iterator[_TaskSeconds]:
    from sim111.experiments.executors import TASK_LOG

    handler = _TaskSeconds(TASK_LOG)
    logger = logging.getLogger("sim111.experiments.executors")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=100, help="run.days of each replication")
    parser.add_argument("--replications", type=int, default=24, help="per point (2 points)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of every mode")
    parser.add_argument("--per-task", type=int, default=3, help="replications per task")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from sim111 import run_sweep
    from sim111.scenario import load_scenario

    base = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    scenario = base.with_overrides({"run.days": args.days})
    warm = base.with_overrides({"run.days": 1})
    grid = {"demand.scale": [1.0, 1.2]}
    tasks = -(-args.replications // args.per_task) * 2
    print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} CPUs")
    print(
        f"sweep: 2 points x {args.replications} replications of {args.days} days, "
        f"{args.per_task} per task: {tasks} tasks"
    )
    walls: dict[str, list[float]] = {name: [] for name, _, _ in MODES}
    inside: dict[str, list[list[tuple[float, str, float]]]] = {name: [] for name, _, _ in MODES}
    serial = run_sweep(scenario, grid, args.replications, 11, progress=False)
    for _ in range(args.rounds):  # rounds: a noisy spell hits every mode alike
        for name, _, start in MODES:
            with start() as keywords:  # only this mode's pool or cluster is running
                settings = {"task_replications": args.per_task, "progress": False, **keywords}
                run_sweep(warm, grid, replications=2, seed=1, **settings)  # up, imported
                with _task_seconds() as tasks_s:
                    wall_s, result = _timed(
                        lambda s=settings: run_sweep(scenario, grid, args.replications, 11, **s)
                    )
            walls[name].append(wall_s)
            inside[name].append(tasks_s.tasks)
            for frame in ("kpis", "intervals", "periods"):
                pd.testing.assert_frame_equal(getattr(serial, frame), getattr(result, frame))
            print(f"  {name:30} {wall_s:7.2f} s", flush=True)
    workers_of = {name: workers for name, workers, _ in MODES}
    _report(walls, inside, workers_of, tasks)
    print(f"load average at end: {os.getloadavg()}")


def _gaps_s(tasks: list[tuple[float, str, float]]) -> list[float]:
    """Seconds each worker waited between the end of one task and the start of its next."""
    gaps = []
    for worker in {w for _, w, _ in tasks}:
        mine = sorted((started, seconds) for seconds, w, started in tasks if w == worker)
        gaps += [b[0] - (a[0] + a[1]) for a, b in itertools.pairwise(mine)]
    return gaps


def _report(
    walls: dict[str, list[float]],
    inside: dict[str, list[list[tuple[float, str, float]]]],
    workers_of: dict[str, int],
    tasks: int,
) -> None:
    """Median wall time (range, n), speed-up and overheads of every mode."""
    serial = "serial (this process)"
    serial_s = statistics.median(walls[serial])
    computing = {name: [sum(s for s, _, _ in run) for run in runs] for name, runs in inside.items()}
    # the sweep's own work in this process (scenarios, frames), in every mode alike
    own = [w - c for w, c in zip(walls[serial], computing[serial], strict=True)]
    per_task_s = statistics.median(computing[serial]) / tasks  # its log is by replication
    print(
        f"serial: {per_task_s:.2f} s computing per task (at least 1 s: "
        f"{'yes' if per_task_s >= 1 else 'NO, raise --days'}), "
        f"{1000 * statistics.median(own):.0f} ms of the sweep's own work; "
        "frames identical in every mode"
    )
    for name, times in walls.items():
        wall_s = statistics.median(times)
        speedup = serial_s / wall_s
        line = (
            f"{name:30} {wall_s:6.2f} s ({min(times):.2f}-{max(times):.2f}, n={len(times)})"
            f"  speed-up {speedup:4.2f}x"
        )
        if name == serial:
            print(line)
            continue
        gaps = [g for run in inside[name] for g in _gaps_s(run)]
        per_task = [  # round by round: each mode against the serial run of its round
            (workers_of[name] * w - c - o) / tasks
            for w, c, o in zip(times, computing[name], own, strict=True)
        ]
        gap_s = statistics.median(gaps)
        line += (
            f"\n{'':32}between tasks {1000 * gap_s:5.1f} ms "
            f"({1000 * min(gaps):.1f}-{1000 * max(gaps):.1f}, n={len(gaps)}); "
            f"all told {1000 * statistics.median(per_task):5.1f} ms/task "
            f"({1000 * min(per_task):.1f} to {1000 * max(per_task):.1f})"
        )
        if workers_of[name] == 2:
            met = speedup >= TARGET_SPEEDUP and gap_s < TARGET_OVERHEAD_S
            line += f"  targets {'met' if met else 'NOT met'}"
        print(line)


if __name__ == "__main__":
    main()
