"""Hypothesis: any valid small scenario runs cleanly; invalid ones fail clearly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim111.errors import ScenarioError
from sim111.kpis import interval_kpis, replication_kpis
from sim111.model import simulate
from sim111.records import ABANDONED, COMPLETED, IN_SERVICE_AT_END, QUEUED_AT_END
from sim111.scenario import scenario_from_data

durations = st.one_of(
    st.builds(lambda m: {"kind": "exponential", "mean_min": m}, st.floats(0.5, 20)),
    st.builds(lambda m: {"kind": "fixed", "mean_min": m}, st.floats(0.5, 20)),
    st.builds(
        lambda m, s: {"kind": "lognormal", "mean_min": m, "sd_min": s},
        st.floats(0.5, 20),
        st.floats(0.1, 10),
    ),
)
clock = st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45])
)
shift = st.fixed_dictionaries(
    {"start": clock, "end": clock, "count": st.integers(0, 6)},
    optional={
        "day_types": st.lists(
            st.sampled_from(["weekday", "saturday", "sunday", "bank_holiday"]),
            min_size=1,
            unique=True,
        )
    },
)
staff = st.one_of(
    st.builds(lambda n, h: {"count": n, "handle_time": h}, st.integers(0, 8), durations),
    st.builds(
        lambda s, h: {"shifts": s, "handle_time": h},
        st.lists(shift, min_size=1, max_size=4),
        durations,
    ),
)
demand = st.one_of(
    st.builds(lambda r: {"kind": "stationary", "calls_per_hour": r}, st.floats(1, 60)),
    st.builds(
        lambda pop, cv: {"kind": "profile", "population": pop, "overdispersion_cv": cv},
        st.integers(1_000, 100_000),
        st.floats(0, 0.5),
    ),
)
scenarios = st.builds(
    lambda adv, dem, pat, quick, start, warm: {
        "advisors": adv,
        "demand": dem,
        "callers": {"patience": pat, "quick_hangup_share": quick},
        "run": {"days": 1, "start_date": start, "warmup_min": warm},
    },
    staff,
    demand,
    durations,
    st.floats(0, 1),
    st.dates(dt.date(1900, 1, 2), dt.date(2199, 12, 30)),
    st.floats(0, 600),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios, seed=st.integers(0, 2**32))
def test_any_valid_scenario_runs_with_sane_records(data, seed):
    scenario = scenario_from_data(data, "hypothesis")
    rec = simulate(scenario, 0, seed)
    c = rec.calls
    answered = ~np.isnan(c.answer_min)
    assert np.all(c.arrival_min >= 0) and np.all(c.arrival_min < rec.horizon_min)
    assert np.all(c.answer_min[answered] >= c.arrival_min[answered])  # no negative waits
    finished = ~np.isnan(c.end_min)
    assert np.all(c.end_min[finished] >= c.arrival_min[finished])
    assert np.all(c.end_min[finished] <= rec.horizon_min)
    # exactly one outcome, consistent with the timestamps
    assert set(np.unique(c.outcome)) <= {COMPLETED, ABANDONED, QUEUED_AT_END, IN_SERVICE_AT_END}
    assert np.all(answered == np.isin(c.outcome, [COMPLETED, IN_SERVICE_AT_END]))
    assert np.all(finished == np.isin(c.outcome, [COMPLETED, ABANDONED]))
    abandoned = c.outcome == ABANDONED
    np.testing.assert_allclose(
        c.end_min[abandoned], c.arrival_min[abandoned] + c.patience_min[abandoned]
    )
    assert np.all(rec.advisors.on_duty >= 0)
    kpis = replication_kpis(rec)
    for key in ("answered_within_60s", "abandoned", "advisor_utilisation"):
        assert np.isnan(kpis[key]) or 0 <= kpis[key] <= 1 + 1e-9
    assert interval_kpis(rec)["calls_offered"].sum() == len(c)


NUMERIC_KEYS = [
    ("run.days", [0, -1, 2.5, "7"]),
    ("run.warmup_min", [-1.0, "x"]),
    ("run.start_date", ["2015-03-02", 20150302, dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
    ("advisors.count", [-3, 1.5, "ten", True]),
    ("advisors.handle_time.mean_min", [0, -2.0, "long"]),
    ("callers.patience.mean_min", [0.0, -1]),
    ("callers.quick_hangup_share", [-0.1, 1.01]),
    ("demand.population", [0, 1.5]),
    ("demand.scale", [-1.0]),
    ("demand.overdispersion_cv", [-0.5, 3.0]),
]


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from([(k, v) for k, values in NUMERIC_KEYS for v in values]))
def test_any_invalid_value_fails_with_the_key_named(case):
    key, value = case
    base = {"advisors": {"count": 3, "handle_time": {"mean_min": 8.0}}}
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(base, "hypothesis").with_overrides({key: value})
    assert f"'{key}'" in str(info.value)
