"""Scaling of a sweep over workers: ``python benchmarks/scaling.py [--days 28] [--replications 6]``.

One run times the same sweep (two points of the typical area, ``--replications``
each, one replication per task; a ``--days``-long run makes each task take
about a second or more) in this process (serial), on a local process pool of 1
and 2 workers, and on a Dask LocalCluster of 1 and 2 single-threaded worker
processes. Pools and clusters are started and warmed up (a one-day sweep)
before the clock starts, so what is timed is submitting, running and
collecting. Reported per mode: wall time, speed-up over serial, and the
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

    with (
        ProcessPoolExecutor(1) as pool1,
        ProcessPoolExecutor(2) as pool2,
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster1,
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster2,
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
    parser.add_argument("--days", type=int, default=28, help="run.days of each replication")
    parser.add_argument("--replications", type=int, default=6, help="per point (2 points)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from sim111 import run_sweep
    from sim111.scenario import load_scenario

    base = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    scenario = base.with_overrides({"run.days": args.days})
    warm = base.with_overrides({"run.days": 1})
    grid = {"demand.scale": [1.0, 1.2]}
    tasks = 2 * args.replications
    print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} CPUs")
    print(f"sweep: 2 points x {args.replications} replications of {args.days} days, 1 per task")
    rows = []
    with _modes() as modes:
        serial_s, serial = 0.0, None
        for name, workers, keywords in modes:
            settings = {"task_replications": 1, "progress": False, **keywords}
            run_sweep(warm, grid, replications=2, seed=1, **settings)  # workers up, imported
            wall_s, result = _timed(
                lambda s=settings: run_sweep(scenario, grid, args.replications, 11, **s)
            )
            if serial is None:
                serial_s, serial = wall_s, result
            for frame in ("kpis", "intervals", "periods"):
                pd.testing.assert_frame_equal(getattr(serial, frame), getattr(result, frame))
            overhead_s = (workers * wall_s - serial_s) / tasks
            rows.append((name, workers, wall_s, serial_s / wall_s, overhead_s))
            print(
                f"{name:30} {wall_s:7.2f} s  speed-up {serial_s / wall_s:4.2f}x  "
                f"overhead {1000 * overhead_s:7.1f} ms/task",
                flush=True,
            )
    print(f"serial: {serial_s / tasks:.3f} s per replication; frames identical in every mode")
    print(f"load average at end: {os.getloadavg()}")
    for name, workers, _, speedup, overhead_s in rows:
        if workers == 2:
            met = speedup >= TARGET_SPEEDUP and overhead_s < TARGET_OVERHEAD_S
            print(
                f"{name}: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x), "
                f"{1000 * overhead_s:.1f} ms/task (target < 5 ms): "
                f"{'met' if met else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
