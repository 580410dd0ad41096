"""Speed and memory benchmarks: ``python benchmarks/run.py [--quick] [--national]``.

Each case runs in a fresh subprocess so its peak memory (max RSS) is its own,
after a one-day warm-up run of the same case (one-time costs are not measured);
the time is the best of three runs.
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
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

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


def case_sim111_erlang_a(days: int) -> int:
    from sim111.sweep import simulate_replication

    kpis, _, _ = simulate_replication(_erlang_a_scenario(days), 0, 1)
    return int(kpis["calls_offered"])


def case_plain_simpy(days: int) -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from baselines import plain_simpy

    return plain_simpy(**ERLANG_A, days=days, seed=1)


def case_ciw(days: int) -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from baselines import ciw_model

    return ciw_model(**ERLANG_A, days=days, seed=1)


def case_typical_week(days: int) -> int:
    from sim111.scenario import load_scenario
    from sim111.sweep import simulate_replication

    scenario = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    kpis, _, _ = simulate_replication(scenario, 0, 1)
    return int(kpis["calls_offered"])


def case_national_year(days: int) -> int:
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
    result = run_sweep(
        area, {"demand.scale": [1.0]}, replications=45, seed=1, workers=2, progress=False
    )
    return int(result.kpis["calls_offered"].sum())


CASES = {
    "sim111 Erlang-A": case_sim111_erlang_a,
    "plain SimPy Erlang-A": case_plain_simpy,
    "Ciw Erlang-A": case_ciw,
    "sim111 typical-area week": case_typical_week,
    "sim111 national year (2 processes)": case_national_year,
}


def _child(name: str, days: int) -> None:
    # Imports are not what is measured: load every library before the clock starts.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import baselines  # noqa: F401

    import sim111.sweep  # noqa: F401

    start = time.perf_counter()
    calls = CASES[name](days)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"calls": calls, "seconds": seconds, "peak_mb": max(usage, children) / 1024}))


def main() -> None:
    """Run the cases and print the table and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 days instead of 30 for Erlang-A")
    parser.add_argument("--national", action="store_true", help="also the national year (minutes)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.days)
        return
    days = 10 if args.quick else 30
    plan = [
        ("sim111 Erlang-A", days),
        ("plain SimPy Erlang-A", days),
        ("Ciw Erlang-A", days),
        ("sim111 typical-area week", 7),
    ]
    if args.national:
        plan.append(("sim111 national year (2 processes)", 365))
    results = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, n_days in plan:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, "--days", str(n_days)],
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
    print(f"{'case':38} {'calls':>11} {'seconds':>8} {'calls/s':>9} {'peak MB':>8}")
    for name, r in results.items():
        rate = r["calls"] / r["seconds"]
        print(
            f"{name:38} {r['calls']:>11,} {r['seconds']:>8.2f} {rate:>9,.0f} {r['peak_mb']:>8.0f}"
        )
    ours = results.get("sim111 Erlang-A")
    for other in ("plain SimPy Erlang-A", "Ciw Erlang-A"):
        if ours and other in results:
            ratio = (ours["calls"] / ours["seconds"]) / (
                results[other]["calls"] / results[other]["seconds"]
            )
            print(f"sim111 / {other}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
