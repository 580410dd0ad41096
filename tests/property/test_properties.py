"""Hypothesis: any valid small scenario runs cleanly; invalid ones fail clearly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim111.engine.centre import simulate
from sim111.engine.records import (
    ABANDONED,
    CALLBACK_FAILED,
    CLOSED_BY_ADVISOR,
    CLOSED_BY_CLINICIAN,
    CLOSED_NO_TRIAGE,
    OUTCOMES,
    QUEUED_AT_END,
)
from sim111.errors import ScenarioError
from sim111.measures.intervals import grouped_percentile, interval_kpis
from sim111.measures.kpis import replication_kpis
from sim111.scenario import scenario_from_data
from sim111.scenario.staff import scaled_counts

durations = st.one_of(
    st.builds(lambda m: {"kind": "exponential", "mean_min": m}, st.floats(0.5, 20)),
    st.builds(lambda m: {"kind": "fixed", "mean_min": m}, st.floats(0.5, 20)),
    st.builds(
        lambda m, s: {"kind": "lognormal", "mean_min": m, "sd_min": s},
        st.floats(0.5, 20),
        st.floats(0.1, 10),
    ),
    st.builds(
        lambda m, s: {"kind": "gamma", "mean_min": m, "sd_min": s},
        st.floats(0.5, 20),
        st.floats(0.1, 10),
    ),
    st.builds(
        lambda low, width, at: {
            "kind": "triangular",
            "low_min": low,
            "mode_min": low + at * width,
            "high_min": low + width,
        },
        st.floats(0, 10),
        st.floats(0.5, 20),
        st.floats(0, 1),
    ),
    st.builds(
        lambda low, width: {"kind": "uniform", "low_min": low, "high_min": low + width},
        st.floats(0, 10),
        st.floats(0.5, 20),
    ),
    st.builds(
        lambda values: {"kind": "empirical", "values_min": values},
        st.lists(st.floats(0.5, 30), min_size=1, max_size=20),
    ),
)
patience = st.one_of(durations, st.just({"kind": "never"}))
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
priorities = st.lists(
    st.builds(
        lambda share, target, warm: {"share": share, "target_min": target, "warm_transfer": warm},
        st.floats(0.1, 1),
        st.floats(5, 240),
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
)
clinical_stage = st.builds(
    lambda share, prios, groups, hold, no_answer, attempts, discipline: {
        "triage": {"clinical_share": share},
        "clinical": {
            "priorities": [{**p, "name": f"p{i}"} for i, p in enumerate(prios)],
            "warm_transfer_hold_max_min": hold,
            "callback_no_answer_share": no_answer,
            "callback_max_attempts": attempts,
            "discipline": discipline,
        },
        "clinicians": [{**g, "name": f"g{k}"} for k, g in enumerate(groups)],
    },
    st.floats(0, 1),
    priorities,
    st.lists(staff, min_size=1, max_size=2),
    st.floats(0, 10),
    st.floats(0, 0.9),
    st.integers(1, 4),
    st.sampled_from(["priority", "deadline"]),
)
scenarios = st.builds(
    lambda adv, dem, pat, quick, redial, start, warm, clin: {
        "advisors": adv,
        "demand": dem,
        "callers": {"patience": pat, "quick_hangup_share": quick, "redial_probability": redial},
        "run": {"days": 1, "start_date": start, "warmup_min": warm},
        **clin,
    },
    staff,
    demand,
    patience,
    st.floats(0, 1),
    st.floats(0, 1),
    st.dates(dt.date(1900, 1, 2), dt.date(2199, 12, 30)),
    st.floats(0, 600),
    st.one_of(st.just({}), clinical_stage),
)


def _never_more_busy_than_on_duty(busy_starts, busy_ends, on_duty_log):
    times = np.concatenate([busy_starts, on_duty_log.time_min])
    for t in times:
        busy = int(((busy_starts <= t) & (busy_ends > t)).sum())
        idx = np.searchsorted(on_duty_log.time_min, t, side="right") - 1
        assert busy <= on_duty_log.level[idx], (
            f"{busy} busy > {on_duty_log.level[idx]} on duty at {t}"
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
    assert np.all((c.outcome >= 0) & (c.outcome < len(OUTCOMES)))
    assert np.all(answered == ~np.isin(c.outcome, [ABANDONED, QUEUED_AT_END]))
    ended = [ABANDONED, CLOSED_NO_TRIAGE, CLOSED_BY_ADVISOR, CLOSED_BY_CLINICIAN, CALLBACK_FAILED]
    assert np.all(finished == np.isin(c.outcome, ended))
    abandoned = c.outcome == ABANDONED
    np.testing.assert_allclose(
        c.end_min[abandoned], c.arrival_min[abandoned] + c.patience_min[abandoned]
    )
    contacted = ~np.isnan(c.contact_min)
    assert np.all(c.contact_min[contacted] >= c.advisor_end_min[contacted])
    assert np.all(
        c.advisor_end_min[answered & ~np.isnan(c.advisor_end_min)]
        >= c.answer_min[answered & ~np.isnan(c.advisor_end_min)]
    )
    done = ~np.isnan(c.clinician_end_min)
    assert np.all(c.clinician_end_min[done] >= c.contact_min[done])
    assert np.all(c.clinical[contacted])
    assert np.all(
        (c.disposition >= 0) == np.isin(c.outcome, [CLOSED_BY_ADVISOR, CLOSED_BY_CLINICIAN])
    )
    redials = c.attempt > 0
    assert np.unique(c.caller_id).size == len(c) - redials.sum()
    # capacity: never more people busy than on duty
    spans_end = np.where(np.isnan(c.advisor_end_min), rec.horizon_min, c.advisor_end_min)
    _never_more_busy_than_on_duty(c.answer_min[answered], spans_end[answered], rec.advisors)
    assert np.all(rec.advisors.level >= 0) and np.all(rec.clinicians.level >= 0)
    # both step functions as they stand once every change at an instant is made
    # (two clinicians ending a call as their shift ends log -1, -1 at one time)
    busy = rec.clinicians_busy
    at = np.unique(busy.time_min)
    busy_at = busy.level[np.searchsorted(busy.time_min, at, side="right") - 1]
    on_duty_at = rec.clinicians.level[
        np.searchsorted(rec.clinicians.time_min, at, side="right") - 1
    ]
    assert np.all(busy_at <= on_duty_at)
    assert np.all(rec.awaiting_clinician.level >= 0)
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
    ("callers.redial_probability", [-0.1, 2]),
    ("triage.clinical_share", [-0.1, 1.5]),
    ("clinical.callback_max_attempts", [0, 1.5]),
    ("clinical.callback_no_answer_share", [1.0, -0.2]),
    ("clinical.discipline", ["fifo", 3]),
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


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.floats(0, 1e4, allow_nan=False)), min_size=0, max_size=60
    ),
    st.sampled_from([0.0, 50.0, 90.0, 95.0, 100.0]),
)
def test_grouped_percentile_matches_numpy_per_slot(rows, q):
    slots = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows], dtype=float)
    got = grouped_percentile(values, slots, 7, q)
    for k in range(7):
        mine = values[slots == k]
        if mine.size:
            assert got[k] == pytest.approx(np.percentile(mine, q), rel=1e-12, abs=1e-12)
        else:
            assert np.isnan(got[k])


@given(
    lines=st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from([240, 360, 480, 600, 720])),
        min_size=1,
        max_size=8,
    ),
    scales=st.lists(st.floats(0, 3), min_size=2, max_size=6),
)
def test_scaled_rosters_track_and_never_lose_hours_as_the_scale_rises(lines, scales):
    counts = tuple(c for c, _ in lines)
    durations = tuple(d for _, d in lines)
    base_min = sum(c * d for c, d in lines)
    previous = (0,) * len(lines)
    for scale in sorted(scales):
        scaled = scaled_counts(counts, durations, scale)
        paid_min = sum(c * d for c, d in zip(scaled, durations, strict=True))
        assert abs(paid_min - scale * base_min) <= max(durations) / 2
        assert all(a >= b for a, b in zip(scaled, previous, strict=True))
        previous = scaled
