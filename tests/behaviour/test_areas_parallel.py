"""Areas that share nothing run as tasks of their own: the same results on any workers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from sim111.engine.network import coupled_groups
from sim111.experiments.replications import run_experiment
from sim111.experiments.runner import run_part, task_arguments
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS


def three_areas():
    """Two areas of one contract (coupled) and one apart: two groups."""
    base = load_scenario(SCENARIOS / "typical-area.toml")
    return base.with_overrides(
        {
            "run.days": 1,
            "areas": [
                {"name": "a", "contract": "ab", "population": 300_000},
                {"name": "b", "contract": "ab", "population": 200_000},
                {"name": "c", "population": 500_000},
            ],
        }
    )


def test_a_replication_splits_into_its_groups_of_areas_on_a_pool():
    scenario = three_areas()
    assert coupled_groups(scenario) == [[0, 1], [2]]
    todo = [(0, 0, ""), (0, 1, "")]
    split = task_arguments([scenario], [5], todo, False, True)
    assert [args[-1] for args in split] == [0, 1, 0, 1]  # two groups per replication
    whole = task_arguments([scenario], [5], todo, False, False)
    assert [args[-1] for args in whole] == [None, None]  # in this process: whole replications


def test_results_are_identical_whatever_runs_them():
    scenario = three_areas()
    serial = run_experiment(scenario, 3, 11, keep_records=True)
    pooled = run_experiment(scenario, 3, 11, workers=2, keep_records=True)
    threads = run_experiment(
        scenario, 3, 11, executor=ThreadPoolExecutor(max_workers=3), keep_records=True
    )
    for other in (pooled, threads):
        pd.testing.assert_frame_equal(serial.kpis, other.kpis)
        pd.testing.assert_frame_equal(serial.intervals, other.intervals)
        pd.testing.assert_frame_equal(serial.periods, other.periods)
        for a, b in zip(serial.records, other.records, strict=True):
            for name, values in a.calls.columns.items():
                assert np.array_equal(values, b.calls.columns[name], equal_nan=True), name
    assert "area.c.answered_within_60s" in serial.kpis
    day = serial.periods[serial.periods["period"] == "day"]  # all areas pooled, one day
    assert list(day["calls_offered"]) == list(serial.kpis["calls_offered"])


def test_a_group_that_fails_fails_its_replication_only(monkeypatch):
    scenario = three_areas()
    import sim111.experiments.runner as runner

    real = runner.simulate_group

    def broken(scenario, group, replication, seed, coupled=False, full_records=True):
        if replication == 1 and group == [2]:
            raise RuntimeError("worker lost")
        return real(scenario, group, replication, seed, coupled, full_records)

    monkeypatch.setattr(runner, "simulate_group", broken)
    result = run_experiment(scenario, 3, 11, executor=ThreadPoolExecutor(max_workers=2))
    assert list(result.kpis["replication"]) == [0, 2]
    assert list(result.failures["replication"]) == [1]
    assert "worker lost" in result.failures["error"].iloc[0]
    assert run_part(scenario, 0, 1, 11, False, 0).error is None  # the other group is fine
