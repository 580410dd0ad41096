"""Callers who give up waiting for a call-back, against Erlang-A, within confidence intervals.

With every caller triaged to a clinician, advisors who never keep anyone
waiting, one priority class, no warm transfer, every call-back attempt
answered, exponential assessments and exponential call-back patience, the
call-back queue is an M/M/c+M queue: the clinicians are its servers and a
caller whose patience runs out while queued gives up. Its exact steady-state
measures (:func:`sim111.measures.analytic.erlang_a`) must lie inside the
replications' 95%-family confidence intervals (Bonferroni over the
comparisons in this module). The seed is fixed so the outcome is
reproducible, not so that a number is pinned.
"""

from __future__ import annotations

import pytest

from sim111.experiments.replications import run_experiment
from sim111.experiments.stats import t_interval
from sim111.measures.analytic import erlang_a
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

COMPARISONS = 8
CONFIDENCE = 1 - 0.05 / COMPARISONS
CLINICIANS, ASSESS_MIN, PATIENCE_MIN, DAYS = 10, 18.0, 30.0, 60
LOADS = {0.9: 30.0, 1.2: 40.0}  # offered load per clinician: calls_per_hour * 18 / 60 / 10


def simulate(calls_per_hour: float):
    """The validation queue, as a clinical stage behind advisors who never queue anyone."""
    scenario = load_scenario(SCENARIOS / "validation" / "erlang-a.toml").with_overrides(
        {
            "run.days": DAYS,
            "demand.calls_per_hour": calls_per_hour,
            "callers.patience": {"kind": "never"},
            "advisors.count": 5,
            "advisors.handle_time": {"kind": "fixed", "mean_min": 0.01},
            "triage.clinical_share": 1.0,
            "clinicians": [
                {
                    "name": "nurses",
                    "count": CLINICIANS,
                    "handle_time": {"kind": "exponential", "mean_min": ASSESS_MIN},
                }
            ],
            "clinical.priorities": [
                {"name": "all", "share": 1, "target_min": 60, "warm_transfer": False}
            ],
            "clinical.callback_no_answer_share": 0.0,
            "clinical.waiting": {
                "patience": {"kind": "exponential", "mean_min": PATIENCE_MIN},
                "then": {"ring_again": 0, "ed": 0, "ambulance": 0, "give_up": 1},
            },
        }
    )
    return run_experiment(scenario, replications=8, seed=111, workers=2).kpis


@pytest.fixture(scope="module", params=list(LOADS), ids=lambda rho: f"rho={rho}")
def case(request):
    calls_per_hour = LOADS[request.param]
    return simulate(calls_per_hour), erlang_a(calls_per_hour, ASSESS_MIN, PATIENCE_MIN, CLINICIANS)


def assert_within(kpis, key: str, expected: float) -> None:
    _, low, high = t_interval(kpis[key].to_numpy(), CONFIDENCE)
    assert low <= expected <= high, (
        f"{key}: theory {expected:.6g} outside CI [{low:.6g}, {high:.6g}]"
    )


def test_callers_giving_up_on_a_call_back_match_erlang_a_abandonment(case):
    kpis, theory = case
    assert_within(kpis, "callbacks_abandoned", theory.p_abandon)
    # every caller who stopped waiting gave up: the count is the share of call-backs
    assert (kpis["callback_gave_up"] > 0).all()
    assert (kpis["repeat_calls"] == 0).all()


def test_call_back_waits_of_callers_reached_match_erlang_a(case):
    kpis, theory = case
    assert_within(kpis, "mean_callback_min", theory.mean_answer_min)


def test_clinician_utilisation_matches_erlang_a(case):
    kpis, theory = case
    assert_within(kpis, "clinician_utilisation", theory.utilisation)


def test_calls_awaiting_a_clinician_match_the_erlang_a_queue(case):
    kpis, theory = case
    assert_within(kpis, "mean_awaiting_clinician", theory.mean_queue)
