"""The engine against queueing theory, within confidence intervals.

Each KPI's 95%-family confidence interval across replications must contain the
exact steady-state value from :mod:`sim111.measures.analytic`. With 27 comparisons in
this module each interval is at 1 - 0.05/27 (Bonferroni), so a correct model
fails the family with probability under 5%; the seed is fixed so the outcome
is reproducible, not so that a number is pinned. A wrong model (a mis-scaled
rate, a lost abandonment, a wrong KPI denominator) moves the mean by many
half-widths and fails.
"""

from __future__ import annotations

import math

import pytest

from sim111.experiments.replications import run_experiment
from sim111.experiments.stats import t_interval
from sim111.measures.analytic import erlang_a, erlang_c
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

COMPARISONS = 27
CONFIDENCE = 1 - 0.05 / COMPARISONS
REPLICATIONS = 8
DAYS = 15
SERVERS, HANDLE_MIN, PATIENCE_MIN = 18, 8.0, 5.0
# Offered load per advisor from light to overload: rho = calls_per_hour * 8 / 60 / 18
LOADS = {0.7: 94.5, 0.89: 120.0, 1.1: 148.5, 1.3: 175.5}


def simulate(calls_per_hour: float, patience_min: float):
    """The validation queue; callers never hang up when ``patience_min`` is infinite."""
    patience = (
        {"kind": "never"}
        if math.isinf(patience_min)
        else {"kind": "exponential", "mean_min": patience_min}
    )
    scenario = load_scenario(SCENARIOS / "validation" / "erlang-a.toml").with_overrides(
        {
            "demand.calls_per_hour": calls_per_hour,
            "advisors.count": SERVERS,
            "advisors.handle_time.mean_min": HANDLE_MIN,
            "callers.patience": patience,
            "run.days": DAYS,
        }
    )
    return run_experiment(scenario, replications=REPLICATIONS, seed=2013, workers=2).kpis


def assert_within(kpis, key: str, expected: float) -> None:
    _, low, high = t_interval(kpis[key].to_numpy(), CONFIDENCE)
    assert low <= expected <= high, (
        f"{key}: theory {expected:.6g} outside CI [{low:.6g}, {high:.6g}]"
    )


@pytest.fixture(scope="module", params=list(LOADS), ids=lambda rho: f"rho={rho}")
def erlang_a_case(request):
    calls_per_hour = LOADS[request.param]
    theory = erlang_a(calls_per_hour, HANDLE_MIN, PATIENCE_MIN, SERVERS)
    return simulate(calls_per_hour, PATIENCE_MIN), theory


def test_abandonment_matches_erlang_a(erlang_a_case):
    kpis, theory = erlang_a_case
    assert_within(kpis, "abandoned", theory.p_abandon)


def test_service_level_matches_erlang_a(erlang_a_case):
    kpis, theory = erlang_a_case
    assert_within(kpis, "answered_within_60s", theory.answered_within(60))


def test_mean_answer_time_matches_erlang_a(erlang_a_case):
    kpis, theory = erlang_a_case
    assert_within(kpis, "mean_answer_s", theory.mean_answer_min * 60)


def test_utilisation_matches_erlang_a(erlang_a_case):
    kpis, theory = erlang_a_case
    assert_within(kpis, "advisor_utilisation", theory.utilisation)


def test_littles_law_queue_length(erlang_a_case):
    # L_q (time-average calls waiting, from the records) = lambda * W_q (theory)
    kpis, theory = erlang_a_case
    calls_per_min = kpis["calls_offered"].mean() / (DAYS * 1440 - 600)
    assert_within(kpis, "mean_queue_length", calls_per_min * theory.mean_wait_min)
    assert_within(kpis, "mean_queue_length", theory.mean_queue)


@pytest.fixture(scope="module")
def erlang_c_case():
    # patience kind = "never"; quick hang-ups are off in this scenario
    return simulate(LOADS[0.89], math.inf), erlang_c(LOADS[0.89], HANDLE_MIN, SERVERS)


def test_erlang_c_when_callers_never_hang_up(erlang_c_case):
    kpis, theory = erlang_c_case
    assert kpis["abandoned"].max() == 0
    assert erlang_a(LOADS[0.89], HANDLE_MIN, math.inf, SERVERS).p_wait == theory.p_wait
    assert_within(kpis, "answered_within_60s", theory.answered_within(60))
    assert_within(kpis, "mean_answer_s", theory.mean_answer_min * 60)
    assert_within(kpis, "advisor_utilisation", theory.utilisation)
