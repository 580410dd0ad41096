"""Runs measured only (no records kept) hold and record less, and measure the same.

A sweep that keeps no records asks the engine for records of only the columns
KPIs read (``full_records=False``, :mod:`sim111.engine.detail`): the engine
does not hold the columns it only writes for per-call outputs, and the
records leave out every column no KPI reads. The KPIs, interval KPIs and
period KPIs must be exactly those of a run with full records.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from sim111.engine import simulate
from sim111.engine.callers import draw_callers
from sim111.engine.calls import CallTable
from sim111.engine.columns import RECORDED
from sim111.engine.detail import DISCARD, FOR_OUTPUTS, UNMEASURED
from sim111.experiments.runner import area_groups, join_groups, run_part, run_task
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS


def _same_kpis(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def _assert_measured_alike(scenario, seed=7):
    full = run_task(scenario, 0, 1, seed, keep_records=True)
    measured = run_task(scenario, 0, 1, seed, keep_records=False)
    assert full.error is None and measured.error is None, (full.error, measured.error)
    assert measured.records is None and full.records is not None
    assert full.records.calls.full
    assert _same_kpis(full.kpis, measured.kpis)
    assert full.intervals.equals(measured.intervals)
    assert full.periods.equals(measured.periods)
    return full


@pytest.mark.parametrize(
    ("path", "overrides"),
    [
        ("typical-area.toml", {"run.days": 3, "demand.scale": 1.4}),
        # call-back patience, repeat calls, escalation to a provider, backlog rules
        ("easter-2013-backlog-rules.toml", {"run.days": 2}),
        ("gp-direct-booking.toml", {"run.days": 2}),  # downstream services
        ("nhs-direct-contingency.toml", {"run.days": 2}),  # overflow providers
    ],
)
def test_a_run_measured_only_gives_the_same_kpis(path, overrides):
    scenario = load_scenario(SCENARIOS / path).with_overrides(overrides)
    full = _assert_measured_alike(scenario)
    # the dropped columns held something in the full run (so the test can fail)
    calls = full.records.calls
    assert (calls.advisor_id >= 0).any() and (calls.patience_min > 0).all()


def test_coupled_areas_measured_only_give_the_same_kpis_whole_and_split():
    # two areas in a pool and one apart, with redials: a coupled group, and a
    # replication split into tasks of a group each
    scenario = load_scenario(SCENARIOS / "england-2014" / "regional.toml").with_overrides(
        {"run.days": 2, "demand.scale": 1.4, "callers.redial_probability": 0.5}
    )
    full = _assert_measured_alike(scenario)
    groups = area_groups(scenario)
    assert groups > 1
    parts = [run_part(scenario, 0, 1, 7, False, g) for g in range(groups)]
    joined = join_groups(scenario, parts, keep_records=False)
    assert _same_kpis(full.kpis, joined.kpis)
    assert full.intervals.equals(joined.intervals) and full.periods.equals(joined.periods)


def test_records_measured_only_leave_out_the_unmeasured_columns_and_say_so():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    run = simulate(scenario, 0, 1, full_records=False)
    calls = run.calls
    assert not calls.full
    assert set(calls.columns) == {c.name for c in RECORDED} - UNMEASURED
    with pytest.raises(AttributeError, match="keep the records"):
        _ = calls.advisor_id
    with pytest.raises(ValueError, match="only the columns KPIs read"):
        calls.to_frame()
    again = pickle.loads(pickle.dumps(calls))
    assert not again.full and set(again.columns) == set(calls.columns)
    with pytest.raises(TypeError, match="missing"):  # neither full nor measured-only
        type(calls)(**{k: v for k, v in calls.columns.items() if k != "outcome"})


def test_the_engine_does_not_hold_columns_only_outputs_read_in_a_run_measured_only():
    scenario = load_scenario(SCENARIOS / "typical-area.toml")
    arrivals = np.array([1.0, 2.0])
    rng = np.random.default_rng(0)
    draws = draw_callers(scenario, lambda name: rng, 2)
    lean = CallTable(scenario, arrivals, draws, full_records=False)
    whole = CallTable(scenario, arrivals, draws)
    for name in FOR_OUTPUTS:
        assert getattr(lean, name) is DISCARD
        getattr(lean, name)[1] = 5  # written: goes nowhere
        with pytest.raises(TypeError):
            _ = getattr(lean, name)[1]  # read: fails loudly
        assert len(getattr(whole, name)) == 2
