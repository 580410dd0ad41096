"""Overflow in whole runs: thresholds, conservation, capacity limits."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim111.engine.centre import simulate
from sim111.engine.records import (
    ABANDONED,
    CLOSED_BY_PROVIDER,
    LOST_AT_OVERFLOW,
    OUTCOMES,
    QUEUED_AT_END,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
)
from sim111.experiments.replications import run_experiment
from tests.conftest import make_scenario

BUSY = {"kind": "stationary", "calls_per_hour": 90.0}  # 12 erlangs on 10 advisors


def with_overflow(rule, provider=None, **sections):
    provider = provider or {"name": "p", "count": 30, "handle_time": {"mean_min": 8.0}}
    return make_scenario(demand=BUSY, providers=[provider], overflow=[rule], **sections)


def test_threshold_zero_sends_every_call_that_would_wait():
    s = with_overflow({"provider": "p", "expected_wait_over_s": 0})
    c = simulate(s, 0, 1).calls
    answered_at_once = c.answer_min == c.arrival_min
    assert np.all(answered_at_once | (c.provider == 0))
    assert not np.any(c.outcome == ABANDONED)
    kpis = run_experiment(s, 2, 1).kpis
    assert (kpis["overflowed"] > 0.1).all()


def test_no_advisors_and_threshold_zero_sends_everything():
    s = with_overflow(
        {"provider": "p", "expected_wait_over_s": 0},
        advisors={"count": 0, "handle_time": {"mean_min": 8.0}},
        run={"days": 1, "warmup_min": 0},
    )
    kpis = run_experiment(s, 2, 1).kpis
    assert (kpis["overflowed"] == 1.0).all()  # nobody on duty: an infinite expected wait


def test_unreachable_threshold_sends_none_and_changes_nothing():
    plain = make_scenario(demand=BUSY)
    never = with_overflow({"provider": "p", "queue_length_over": 1_000_000})
    a, b = run_experiment(plain, 3, 5).kpis, run_experiment(never, 3, 5).kpis
    assert (b["overflowed"] == 0).all()
    for key in ("calls_answered", "answered_within_60s", "abandoned", "mean_answer_s"):
        pd.testing.assert_series_equal(a[key], b[key])


def test_raising_the_threshold_moves_calls_back():
    shares = [
        run_experiment(with_overflow({"provider": "p", "queue_length_over": n}), 4, 3)
        .kpis["overflowed"]
        .mean()
        for n in (0, 2, 5, 10, 20)
    ]
    assert all(x > y for x, y in itertools.pairwise(shares)), shares


def test_full_provider_bounces_or_loses_and_every_call_ends_in_one_place():
    for when_full in ("bounce", "lost"):
        provider = {
            "name": "p",
            "count": 1,
            "max_queue": 0,
            "when_full": when_full,
            "handle_time": {"mean_min": 30.0},
        }
        s = with_overflow({"provider": "p", "queue_length_over": 0}, provider=provider)
        c = simulate(s, 0, 2).calls
        counts = dict(zip(OUTCOMES, np.bincount(c.outcome, minlength=len(OUTCOMES)), strict=True))
        answered = int((~np.isnan(c.answer_min)).sum())
        at_provider = (
            counts["closed_by_provider"]
            + counts["with_provider_at_end"]
            + counts["queued_at_provider_at_end"]
        )
        assert len(c) == (
            answered
            + counts["abandoned"]
            + counts["queued_at_end"]
            + at_provider
            + counts["lost_at_overflow"]
        )
        if when_full == "bounce":
            assert c.bounced.sum() > 0 and counts["lost_at_overflow"] == 0
            assert not np.any(c.bounced & (c.provider >= 0))  # bounced calls stayed with 111
        else:
            assert counts["lost_at_overflow"] > 0 and c.bounced.sum() == 0
        assert counts["queued_at_provider_at_end"] == 0  # max_queue 0: nobody waits there


def test_overflow_fees_are_part_of_the_cost():
    s = with_overflow(
        {"provider": "p", "queue_length_over": 2},
        provider={
            "name": "p",
            "count": 30,
            "price_per_call_gbp": 20.0,
            "handle_time": {"mean_min": 8.0},
        },
        advisors={"count": 10, "handle_time": {"mean_min": 8.0}, "pay": {"hourly_rate_gbp": 10.0}},
    )
    k = run_experiment(s, 2, 1).kpis
    assert (k["overflow_fees_gbp"] == 20.0 * k["provider_p_calls"]).all()
    assert (k["total_cost_gbp"] == k["staff_cost_gbp"] + k["overflow_fees_gbp"]).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    staff=st.integers(0, 4),
    max_queue=st.one_of(st.none(), st.integers(0, 5)),
    cap=st.one_of(st.none(), st.integers(0, 20)),
    threshold=st.integers(0, 6),
    seed=st.integers(0, 1000),
)
def test_a_provider_never_exceeds_its_capacity(staff, max_queue, cap, threshold, seed):
    provider = {"name": "p", "count": staff, "handle_time": {"mean_min": 10.0}}
    if max_queue is not None:
        provider["max_queue"] = max_queue
    if cap is not None:
        provider["max_calls_per_hour"] = cap
    s = with_overflow(
        {"provider": "p", "queue_length_over": threshold},
        provider=provider,
        run={"days": 1, "warmup_min": 0},
    )
    c = simulate(s, 0, seed).calls
    taken = (c.provider == 0) & np.isin(
        c.outcome, [CLOSED_BY_PROVIDER, WITH_PROVIDER_AT_END, QUEUED_AT_PROVIDER_AT_END]
    )
    start = c.provider_start_min
    end = np.where(np.isnan(c.end_min), np.inf, c.end_min)
    served = taken & ~np.isnan(start)
    for t in start[served]:
        in_service = (served & (start <= t) & (end > t)).sum()
        assert in_service <= staff
    if max_queue is not None:
        waiting_until = np.where(np.isnan(start), np.inf, start)
        for t in c.arrival_min[taken]:
            queued_before = (taken & (c.arrival_min < t) & (waiting_until > t)).sum()
            assert queued_before <= max_queue
    if cap is not None:
        hours = (c.arrival_min[taken] // 60).astype(int)
        assert np.bincount(hours).max(initial=0) <= cap
    assert not np.any(c.outcome == LOST_AT_OVERFLOW)  # full providers bounce by default
    assert not np.any((c.outcome == QUEUED_AT_END) & (c.provider >= 0))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staff=st.integers(0, 3), share=st.floats(0.1, 1.0), seed=st.integers(0, 1000))
def test_a_downstream_service_never_sees_more_than_its_staff_and_serves_urgent_first(
    staff, share, seed
):
    s = make_scenario(
        demand={"kind": "stationary", "calls_per_hour": 40.0},
        run={"days": 1, "warmup_min": 0},
        downstream=[
            {
                "name": "gp",
                "takes": "primary_care",
                "share": share,
                "count": staff,
                "handle_time": {"mean_min": 20.0},
            }
        ],
    )
    c = simulate(s, 0, seed).calls
    referred = c.downstream == 0
    start = c.downstream_start_min
    seen = referred & ~np.isnan(start)
    end = np.where(np.isnan(c.downstream_end_min), np.inf, c.downstream_end_min)
    for t in start[seen]:
        assert (seen & (start <= t) & (end > t)).sum() <= staff
    # urgent first: a routine case is never seen while an urgent one referred earlier waits
    referred_at = c.end_min
    klass = c.downstream_class
    start_or_inf = np.where(np.isnan(start), np.inf, start)
    for i in np.flatnonzero(seen & (klass == 1)):
        t = start[i]
        waiting_urgent = referred & (klass == 0) & (referred_at < t) & (start_or_inf > t)
        assert not waiting_urgent.any()
    if staff == 0:
        assert not seen.any()
