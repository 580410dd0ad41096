"""Callers waiting for a call-back, and the backlog rules, on library scenarios.

Each test compares variants of one scenario under common random numbers (the
same seed: the same first-attempt callers), so a difference is the variants'.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim111.engine.centre import simulate
from sim111.engine.records import IN_SYSTEM_AT_END, LEFT_CALLBACK, OUTCOMES
from sim111.experiments.replications import run_experiment
from sim111.measures.kpis import callback_waits_min, replication_kpis
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

NEVER = {"kind": "never"}
# typical-area gives 'urgent' (class 0) a call-back patience of its own
OFF = {"clinical.waiting.patience": NEVER, "clinical.priorities.0.callback_patience": NEVER}


@pytest.fixture(scope="module")
def easter():
    """Good Friday 2013 and the days either side, no redials (so every extra call is a repeat)."""
    return load_scenario(SCENARIOS / "easter-2013.toml").with_overrides(
        {"run.days": 3, "callers.redial_probability": 0.0}
    )


def test_call_backs_nobody_gives_up_on_leave_the_records_as_they_were():
    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    off = simulate(base.with_overrides(OFF), 0, 7).calls
    # patience that never runs out in practice: the timers and hooks run, nothing moves
    very_long = {"kind": "fixed", "mean_min": 1e7}
    on = simulate(
        base.with_overrides(
            {
                "clinical.waiting.patience": very_long,
                "clinical.priorities.0.callback_patience": very_long,
            }
        ),
        0,
        7,
    ).calls
    assert off.columns.keys() == on.columns.keys()
    for name, values in off.columns.items():
        np.testing.assert_array_equal(values, on.columns[name], err_msg=name)


def test_repeat_calls_add_exactly_their_number_to_the_calls_offered(easter):
    off = simulate(easter.with_overrides(OFF), 0, 3).calls
    rec = simulate(easter, 0, 3)
    on = rec.calls
    repeats = on.repeat_of >= 0
    assert repeats.sum() > 50  # an overloaded Good Friday: many ring again
    assert len(on) - len(off) == repeats.sum()
    # first attempts are the same callers at the same times
    n = len(off)
    np.testing.assert_array_equal(on.arrival_min[:n], off.arrival_min)
    # each repeat call comes from the caller it chases, when their patience ran out
    original = on.repeat_of[repeats]
    np.testing.assert_array_equal(on.caller_id[repeats], on.caller_id[original])
    np.testing.assert_array_equal(on.arrival_min[repeats], on.callback_left_min[original])
    assert (on.attempt[repeats] == 0).all()
    # conservation: every offered call has exactly one outcome, ended or still in
    ended = ~np.isnan(on.end_min)
    in_system = np.isin(on.outcome, IN_SYSTEM_AT_END)
    assert (ended ^ in_system).all()
    assert set(np.unique(on.outcome)) <= set(range(len(OUTCOMES)))
    # callers who left a call-back were all waiting for one, and none was reached
    left = np.isin(on.outcome, LEFT_CALLBACK)
    assert (on.clinical[left] & np.isnan(on.contact_min[left])).all()
    kpis = replication_kpis(rec)
    assert kpis["repeat_calls"] == pytest.approx(
        (repeats & (on.arrival_min >= rec.warmup_min)).sum() / kpis["calls_offered"]
    )


def test_more_clinicians_never_raise_the_repeat_call_share(easter):
    def repeat_share(scale: float) -> float:
        s = easter.with_overrides({"clinicians.0.roster_scale": scale})
        return run_experiment(s, replications=3, seed=11).kpis["repeat_calls"].mean()

    shares = [repeat_share(scale) for scale in (0.8, 1.0, 1.3, 1.8)]
    assert shares[0] > shares[-1] * 2
    assert all(b <= a + 0.002 for a, b in itertools.pairwise(shares)), shares


def test_escalation_bounds_the_longest_call_back_wait(easter):
    after_min = 90.0
    s = easter.with_overrides(
        {
            "providers": [
                {"name": "ooh", "count": 40, "handle_time": {"kind": "fixed", "mean_min": 15}}
            ],
            "clinical.backlog": {"escalate_to": "ooh", "escalate_after_min": after_min},
        }
    )
    rec = simulate(s, 0, 5)
    calls = rec.calls
    escalated = ~np.isnan(calls.escalated_min)
    assert escalated.sum() > 20
    provider_wait = calls.provider_start_min[escalated] - calls.escalated_min[escalated]
    waits = callback_waits_min(calls)
    # an escalated call-back may first finish an unanswered attempt in progress
    bound = after_min + s.clinical.callback_no_answer_min + provider_wait.max()
    assert np.nanmax(waits) <= bound + 1e-9
    unbounded = callback_waits_min(simulate(easter, 0, 5).calls)
    assert np.nanmax(unbounded) > 2 * after_min
