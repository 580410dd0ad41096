"""Speed and memory benchmarks: ``python benchmarks/run.py [--quick] [--scenarios]``.

Each case runs in a fresh subprocess so its peak memory (max RSS) is its own.
Reading the scenario is not timed; the time is the best of 3 to 20 runs (more
for short cases) after one untimed run of the same case (the national year:
one run, timed whole, worker start-up included).
Reported: calls simulated per second (wall clock, single process unless
stated) and peak memory. The Erlang-A case is also run as a plain idiomatic
SimPy model and in Ciw (``pip install ciw``), and the ratios are printed.
sim111's time includes computing every KPI, interval KPIs included, from the
per-call records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ERLANG_A = {"calls_per_hour": 120.0, "servers": 18, "handle_min": 8.0, "patience_min": 5.0}


def _erlang_a_scenario(days: int):
    from sim111.scenario import load_scenario

    return load_scenario(ROOT / "scenarios" / "validation" / "erlang-a.toml").with_overrides(
        {
            "demand.calls_per_hour": ERLANG_A["calls_per_hour"],
            "advisors.count": ERLANG_A["servers"],
            "advisors.handle_time.mean_min": ERLANG_A["handle_min"],
            "callers.patience.mean_min": ERLANG_A["patience_min"],
            "run.days": days,
            "run.warmup_min": 0,
        }
    )


def _one_replication(scenario: Any) -> Callable[[], int]:
    """Replication 0 of ``scenario`` with every KPI; returns the calls offered."""
    from sim111.experiments.sweep import simulate_replication

    def run() -> int:
        kpis, _, _ = simulate_replication(scenario, 0, 1)
        return int(kpis["calls_offered"])

    return run


def case_sim111_erlang_a(days: int) -> Callable[[], int]:
    return _one_replication(_erlang_a_scenario(days))


def case_plain_simpy(days: int) -> Callable[[], int]:
    from baselines import plain_simpy

    return lambda: plain_simpy(**ERLANG_A, days=days, seed=1)


def case_ciw(days: int) -> Callable[[], int]:
    from baselines import ciw_model

    return lambda: ciw_model(**ERLANG_A, days=days, seed=1)


def case_typical_area(days: int) -> Callable[[], int]:
    from sim111.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    return _one_replication(scenario.with_overrides({"run.days": days}))


def case_national_year(days: int) -> Callable[[], int]:
    """England for a year as 45 contract areas of ~1.25 m people, on 2 processes."""
    from sim111 import load_scenario, run_sweep

    area = load_scenario(ROOT / "scenarios" / "typical-area.toml").with_overrides(
        {
            "run.days": days,
            "run.start_date": dt.date(2015, 1, 1),
            "demand.population": 1_250_000,
            "demand.calls_per_1000_per_year": 360.0,
            "advisors.roster_scale": 1.6,
            "clinicians.0.roster_scale": 1.6,
        }
    )

    def run() -> int:
        result = run_sweep(
            area, {"demand.scale": [1.0]}, replications=45, seed=1, workers=2, progress=False
        )
        return int(result.kpis["calls_offered"].sum())

    return run


SCENARIO_CASE = "scenarios/"


def case_scenario(relative_path: str) -> Callable[[], int]:
    """One replication of a library scenario as it stands (its own days and settings)."""
    from sim111.scenario import load_scenario

    return _one_replication(load_scenario(ROOT / SCENARIO_CASE / relative_path))


CASES: dict[str, Callable[[int], Callable[[], int]]] = {
    "sim111 Erlang-A": case_sim111_erlang_a,
    "plain SimPy Erlang-A": case_plain_simpy,
    "Ciw Erlang-A": case_ciw,
    "sim111 typical-area week": case_typical_area,
    "sim111 typical-area 4 weeks": case_typical_area,
    "sim111 national year (2 processes)": case_national_year,
}


PROCESSES = {"sim111 national year (2 processes)": 2}


def _child(name: str, days: int, repeats: int) -> None:
    # Neither imports, nor reading the scenario, nor the first run (which grows
    # the process's memory) is what is measured: the clock covers simulating
    # and computing every KPI, the best of `repeats` runs after one untimed run.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    if name.startswith(SCENARIO_CASE):
        run = case_scenario(name.removeprefix(SCENARIO_CASE))
    else:
        run = CASES[name](days)
    if repeats > 1:
        run()
    seconds = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        calls = run()
        seconds = min(seconds, time.perf_counter() - start)
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"calls": calls, "seconds": seconds, "peak_mb": max(usage, children) / 1024}))


def main() -> None:
    """Run the cases and print the table and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10 days instead of 30 for Erlang-A, and no national year (seconds, not minutes)",
    )
    parser.add_argument(
        "--scenarios", action="store_true", help="also one replication of each library scenario"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.days, args.repeats)
        return
    days = 10 if args.quick else 30
    plan = [
        ("sim111 Erlang-A", days, 3),
        ("plain SimPy Erlang-A", days, 3),
        ("Ciw Erlang-A", days, 3),
        ("sim111 typical-area week", 7, 20),
        ("sim111 typical-area 4 weeks", 28, 10),
    ]
    if args.scenarios:
        for path in sorted((ROOT / SCENARIO_CASE).glob("*.toml")):
            plan.append((f"{SCENARIO_CASE}{path.name}", 0, 15))
    if not args.quick:
        plan.append(("sim111 national year (2 processes)", 365, 1))
    results = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, n_days, repeats in plan:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                name,
                "--days",
                str(n_days),
                "--repeats",
                str(repeats),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode:
            print(f"{name}: failed\n{proc.stderr.strip().splitlines()[-1]}")
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {dt.date.today()}"
    )
    print(f"{'case':42} {'calls':>11} {'seconds':>8} {'calls/s':>9} {'per core':>9} {'peak MB':>8}")
    for name, r in results.items():
        rate = r["calls"] / r["seconds"]
        per_core = rate / PROCESSES.get(name, 1)
        print(
            f"{name:42} {r['calls']:>11,} {r['seconds']:>8.2f} {rate:>9,.0f} "
            f"{per_core:>9,.0f} {r['peak_mb']:>8.0f}"
        )
    print("\ntargets (issue #8):")
    for line in _targets(results):
        print(f"  {line}")


def _targets(results: dict[str, dict[str, float]]) -> list[str]:
    """Each target of issue #8 with the measured value and whether it is met."""

    def rate(name: str) -> float:
        r = results[name]
        return r["calls"] / r["seconds"] / PROCESSES.get(name, 1)

    lines = []
    ours = "sim111 Erlang-A"
    for other, target in (("plain SimPy Erlang-A", 5.0), ("Ciw Erlang-A", 8.0)):
        if ours in results and other in results:
            ratio = rate(ours) / rate(other)
            lines.append(
                f"sim111 / {other}: {ratio:.1f}x (>= {target:.0f}x: {_ok(ratio >= target)})"
            )
    for name in ("sim111 typical-area week", "sim111 typical-area 4 weeks"):
        if name in results:
            lines.append(
                f"{name}: {rate(name):,.0f} offered calls/s per core "
                f"(>= 150,000: {_ok(rate(name) >= 150_000)})"
            )
    national = "sim111 national year (2 processes)"
    if national in results:
        r = results[national]
        lines.append(f"national year: {r['seconds']:.0f} s (< 120: {_ok(r['seconds'] < 120)})")
        lines.append(
            f"national year: {r['peak_mb']:.0f} MB peak (< 1024: {_ok(r['peak_mb'] < 1024)})"
        )
    return lines


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
