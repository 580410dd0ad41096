"""The benchmark script's cases still run and simulate what they say, and it reports
medians with ranges (no timing is judged here)."""

from __future__ import annotations

import importlib.util
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_run"]
    sys.path.remove(str(ROOT / "benchmarks"))


@pytest.mark.parametrize("name", ["sim111 Erlang-A", "plain SimPy Erlang-A", "Ciw Erlang-A"])
def test_erlang_a_cases_simulate_a_day_of_the_same_queue(bench, name):
    if name.startswith("Ciw"):
        pytest.importorskip("ciw")
    calls = bench.CASES[name](1)()
    expected = bench.ERLANG_A["calls_per_hour"] * 24  # Poisson: sd = sqrt(2880) ~ 54
    assert abs(calls - expected) < 5 * math.sqrt(expected)


def test_typical_area_case_runs_the_default_scenario(bench):
    assert 400 < bench.CASES["sim111 typical-area week"](1)() < 1000


def test_targets_are_reported_met_or_not_on_medians(bench):
    # The medians are 1.0 s for both, whatever the fastest run: 4.0x, not met.
    results = {
        "sim111 Erlang-A": {"calls": 1000, "seconds": [1.0, 0.5, 2.0], "peak_mb": 100},
        "plain SimPy Erlang-A": {"calls": 250, "seconds": [1.0, 1.0, 1.0], "peak_mb": 50},
    }
    assert bench._targets(results) == [
        "sim111 / plain SimPy Erlang-A: 4.0x (2.0-8.0x, n=3) (>= 5x: NOT met)"
    ]
    results["sim111 national year (2 processes)"] = {"calls": 1, "seconds": [90], "peak_mb": 2000}
    assert bench._targets(results)[1:] == [
        "national year: 90 s, n=1 (< 120: met)",
        "national year: 2000 MB peak (< 1024: NOT met)",
    ]


def test_median_and_range_not_best_of(bench):
    assert bench._stats([0.3, 0.1, 0.2, 0.9]) == (0.25, 0.1, 0.9, 4)
    assert bench._stats([5.0]) == (5.0, 5.0, 5.0, 1)


def test_ratio_of_medians_with_the_range_of_per_round_ratios(bench):
    results = {
        "new": {"calls": 100, "seconds": [1.0, 2.0, 3.0], "peak_mb": 1},
        "old": {"calls": 100, "seconds": [2.0, 2.0, 2.0], "peak_mb": 1},
    }
    # Time per call: medians 2.0 / 2.0; round by round 0.5, 1.0, 1.5.
    assert bench._ratio(results, "new", "old", time_per_call=True) == (1.0, 0.5, 1.5, 3)
    # Rates are the other way up.
    assert bench._ratio(results, "new", "old") == pytest.approx((1.0, 2 / 3, 2.0, 3))


def test_typical_week_against_a_revision_is_a_target(bench):
    results = {
        "sim111 typical-area week": {"calls": 10, "seconds": [1.2, 1.2], "peak_mb": 1},
        "sim111 typical-area week @main": {"calls": 10, "seconds": [1.0, 1.0], "peak_mb": 1},
    }
    assert bench._targets(results, "@main")[-1] == (
        "typical-area week, time new / @main: 1.20 (1.20-1.20, n=2) "
        "(<= 1.10, at most 10% slower: NOT met)"
    )


def test_england_cases_run_the_same_areas_coupled_and_apart(bench, monkeypatch):
    loaded = []

    def load(path):
        loaded.append(path.name)
        return real_load(path)

    real_load = bench._load
    monkeypatch.setattr(bench, "_load", load)
    # A day of England: the same first attempts; redials differ with the waits.
    coupled = bench.CASES[bench.COUPLED](1)()
    apart = bench.CASES[bench.APART](1)()
    assert loaded == ["national.toml", "apart.toml"]
    assert 15_000 < coupled < 60_000  # England 2014: 12.9 m calls a year
    assert abs(coupled - apart) < 0.05 * apart


def test_coupling_cost_is_reported_beside_the_coupled_targets(bench):
    results = {
        bench.NATIONAL: {"calls": 400, "seconds": [1.0], "peak_mb": 400},
        bench.COUPLED: {"calls": 100, "seconds": [1.0], "peak_mb": 1900},
        bench.APART: {"calls": 200, "seconds": [1.0], "peak_mb": 1800},
    }
    assert bench._targets(results)[-3:] == [
        "England year coupled: 100 offered calls/s (>= national year's 200 per core: NOT met)",
        "England year coupled: 1900 MB peak (< 2048: met)",
        "England year coupled / the same areas apart: 0.50 of the rate "
        "(200 calls/s apart; information, no target)",
    ]


def test_sim111_names_are_found_in_the_old_layout_too(bench, monkeypatch):
    from sim111.scenario import load_scenario

    monkeypatch.setitem(
        bench.SIM111_API, "load_scenario", ("sim111.no_such_package.scenario", "sim111.scenario")
    )
    assert bench._sim111("load_scenario") is load_scenario
    monkeypatch.setitem(bench.SIM111_API, "load_scenario", ("sim111.no_such_module",))
    with pytest.raises(ImportError, match="load_scenario is in none of"):
        bench._sim111("load_scenario")


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="needs git and the repository",
)
def test_against_head_runs_both_copies_side_by_side():
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--repeats",
            "2",
            "--only",
            "typical-area week",
            "--against",
            "HEAD",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "load average at start" in out and "load average at end" in out
    rows = [line for line in out.splitlines() if line.startswith("sim111 typical-area week")]
    assert len(rows) == 2 and rows[1].startswith("sim111 typical-area week @HEAD")
    counts = [row.split()[-7:-5] for row in rows]
    assert counts[0] == counts[1] and counts[0][1] == "2"  # same calls, 2 runs each
    assert "typical-area week, time new / @HEAD:" in out
    assert "failed" not in out


def test_every_sim111_module_comes_from_one_copy(bench):
    # An editable install of another checkout must not fill in a module that
    # this copy lacks (e.g. a new sub-package tried first by the fallback).
    bench._sim111("simulate_replication")
    top = Path(sys.modules["sim111"].__file__).resolve().parent
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "sim111" and getattr(module, "__file__", None):
            assert Path(module.__file__).resolve().is_relative_to(top), name
