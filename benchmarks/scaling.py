"""Scaling of a sweep over workers: ``python benchmarks/scaling.py [--days 84] [--rounds 3]``.

One run times the same sweep (two points of the typical area, ``--replications``
each, ``--per-task`` replications per task; a ``--days``-long run makes each
task take a second or more) in this process (serial), on a local process pool of 1
and 2 workers, and on a Dask LocalCluster of 1 and 2 single-threaded worker
processes. Pools and clusters are started and warmed up (a one-day sweep)
before the clock starts, so what is timed is submitting, running and
collecting. The modes run in turn, ``--rounds`` times. Reported per mode: the
median wall time (range, runs), speed-up over serial (medians), and the
overhead per task, ``(workers x wall - serial wall) / tasks``: what each task
costs beyond its own simulation (scheduling, sending the scenario and the
results, idle workers at the end). The frames of every mode must be identical
to the serial ones. The load average is printed at the start and at the end:
other jobs on a shared machine slow the parallel modes most.

Targets (issue #18): at least 1.8x on 2 workers, under 5 ms of overhead per task.
"""

from __future__ import annotations

import argparse
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
def _modes() -> Iterator[list[tuple[str, int, dict[str, Any]]]]:
    """(name, workers, execution keywords) of every mode, pools and clusters running."""
    import distributed

    from sim111.cli.cluster import local_cluster

    with (
        ProcessPoolExecutor(1) as pool1,
        ProcessPoolExecutor(2) as pool2,
        local_cluster(1, dashboard_address=":0") as cluster1,  # as `--dask local:1` starts
        local_cluster(2, dashboard_address=":0") as cluster2,
        distributed.Client(cluster1) as client1,
        distributed.Client(cluster2) as client2,
    ):
        yield [
            ("serial (this process)", 1, {}),
            ("process pool, 1 worker", 1, {"executor": pool1}),
            ("process pool, 2 workers", 2, {"executor": pool2}),
            ("Dask LocalCluster, 1 worker", 1, {"client": client1}),
            ("Dask LocalCluster, 2 workers", 2, {"client": client2}),
        ]


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=84, help="run.days of each replication")
    parser.add_argument("--replications", type=int, default=6, help="per point (2 points)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of every mode")
    parser.add_argument("--per-task", type=int, default=2, help="replications per task")
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
    with _modes() as modes:
        walls: dict[str, list[float]] = {name: [] for name, _, _ in modes}
        serial = run_sweep(scenario, grid, args.replications, 11, progress=False)
        for _name, _, keywords in modes:
            settings = {"task_replications": args.per_task, "progress": False, **keywords}
            run_sweep(warm, grid, replications=2, seed=1, **settings)  # workers up, imported
        for _ in range(args.rounds):  # rounds: a noisy spell hits every mode alike
            for name, _, keywords in modes:
                settings = {"task_replications": args.per_task, "progress": False, **keywords}
                wall_s, result = _timed(
                    lambda s=settings: run_sweep(scenario, grid, args.replications, 11, **s)
                )
                walls[name].append(wall_s)
                for frame in ("kpis", "intervals", "periods"):
                    pd.testing.assert_frame_equal(getattr(serial, frame), getattr(result, frame))
                print(f"  {name:30} {wall_s:7.2f} s", flush=True)
        workers_of = {name: workers for name, workers, _ in modes}
    _report(walls, workers_of, tasks)
    print(f"load average at end: {os.getloadavg()}")


def _report(walls: dict[str, list[float]], workers_of: dict[str, int], tasks: int) -> None:
    """Median wall time (range, n), speed-up and overhead per task of every mode."""
    serial_s = statistics.median(walls["serial (this process)"])
    print(f"serial: {serial_s / tasks:.2f} s per task; frames identical in every mode")
    for name, times in walls.items():
        wall_s = statistics.median(times)
        speedup = serial_s / wall_s
        overhead_s = (workers_of[name] * wall_s - serial_s) / tasks
        line = (
            f"{name:30} {wall_s:6.2f} s ({min(times):.2f}-{max(times):.2f}, n={len(times)})"
            f"  speed-up {speedup:4.2f}x  overhead {1000 * overhead_s:6.0f} ms/task"
        )
        if workers_of[name] == 2:
            met = speedup >= TARGET_SPEEDUP and overhead_s < TARGET_OVERHEAD_S
            line += f"  targets {'met' if met else 'NOT met'}"
        print(line)


if __name__ == "__main__":
    main()
