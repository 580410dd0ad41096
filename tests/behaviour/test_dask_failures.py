"""Serialisation failures on Dask fail only the replications they hit (issue 18).

A scenario that cannot be pickled (sent to the cluster) and a task whose result
cannot be pickled (sent back) become recorded failures of those replications,
one line each; every other replication is kept, equal to a serial run's.
"""

from __future__ import annotations

import threading

import pandas as pd
import pytest

import sim111.experiments.runner as runner_module
from sim111.experiments.sweep import run_points
from sim111.scenario import Scenario, load_scenario
from tests.conftest import SCENARIOS


class Unpicklable(Scenario):
    """A scenario that refuses to be pickled."""

    def __reduce__(self):
        raise TypeError("cannot pickle this scenario")


def unpicklable(scenario: Scenario) -> Scenario:
    bad = object.__new__(Unpicklable)
    for name in scenario.__dataclass_fields__:
        object.__setattr__(bad, name, getattr(scenario, name))
    return bad


def test_unpicklable_scenarios_and_results_fail_only_their_replications(monkeypatch):
    distributed = pytest.importorskip("distributed")
    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    scenarios = [base, unpicklable(base.with_overrides({"demand.scale": 1.1})), base]
    points = [{"label": 0}, {"label": 1}, {"label": 2}]
    serial = run_points([base], points[:1], 2, 7, progress=False)
    real = runner_module.run_part

    def poisoned(scenario, point, replication, *args, **kwargs):
        outcome = real(scenario, point, replication, *args, **kwargs)
        if (point, replication) == (2, 1):
            outcome.kpis["lock"] = threading.Lock()  # cannot be pickled
        return outcome

    monkeypatch.setattr(runner_module, "run_part", poisoned)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        result = run_points(
            scenarios, points, 2, 7, client=client, task_replications=1, progress=False
        )
    failed = {(row.point, row.replication): row.error for row in result.failures.itertuples()}
    assert set(failed) == {(1, 0), (1, 1), (2, 1)}
    assert "cannot pickle this scenario (outside the model: sending point 1" in failed[1, 0]
    assert "cannot pickle '_thread.lock'" in failed[2, 1] and "result" in failed[2, 1]
    assert all("\n" not in error and len(error) < 300 for error in failed.values())
    kept = result.kpis.set_index(["point", "replication"])
    assert sorted(kept.index) == [(0, 0), (0, 1), (2, 0)]
    expected = serial.kpis.set_index(["point", "replication"]).drop(columns="label")
    pd.testing.assert_frame_equal(kept.loc[[0]].drop(columns="label"), expected)
    assert kept.loc[(2, 0), "calls_offered"] == expected.loc[(0, 0), "calls_offered"]


def test_an_unpicklable_result_on_a_local_pool_fails_only_its_replications(monkeypatch):
    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    serial = run_points([base], [{}], 4, 7, progress=False)
    real = runner_module.run_part

    def poisoned(scenario, point, replication, *args, **kwargs):
        outcome = real(scenario, point, replication, *args, **kwargs)
        if replication == 1:
            outcome.kpis["lock"] = threading.Lock()  # cannot be pickled
        return outcome

    monkeypatch.setattr(runner_module, "run_part", poisoned)  # forked workers inherit it
    result = run_points([base], [{}], 4, 7, workers=2, task_replications=1, progress=False)
    failed = {row.replication: row.error for row in result.failures.itertuples()}
    assert list(failed) == [1] and "cannot pickle '_thread.lock'" in failed[1]
    expected = serial.kpis.set_index("replication").drop(index=1)
    pd.testing.assert_frame_equal(result.kpis.set_index("replication"), expected)
