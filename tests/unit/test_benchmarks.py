"""The benchmark script's cases still run and simulate what they say (no timing here)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
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


def test_targets_are_reported_met_or_not(bench):
    results = {
        "sim111 Erlang-A": {"calls": 1000, "seconds": 1.0, "peak_mb": 100},
        "plain SimPy Erlang-A": {"calls": 250, "seconds": 1.0, "peak_mb": 50},
    }
    assert bench._targets(results) == ["sim111 / plain SimPy Erlang-A: 4.0x (>= 5x: NOT met)"]
    results["sim111 national year (2 processes)"] = {"calls": 1, "seconds": 90, "peak_mb": 2000}
    assert bench._targets(results)[1:] == [
        "national year: 90 s (< 120: met)",
        "national year: 2000 MB peak (< 1024: NOT met)",
    ]
