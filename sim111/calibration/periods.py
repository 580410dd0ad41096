"""A scenario placed in an observed period: the period's dates and its observed volume.

A base scenario describes one area and one stretch of time. To compare it with an
observed month, the run is moved to that month (``run.start_date``, ``run.days``,
no warm-up: a run starting at midnight starts quiet) and, when the month's calls
offered are known, demand is scaled so the expected first attempts per day equal
the observed calls per head times the scenario's population. The day-of-week,
bank-holiday and time-of-day shape of the scenario is kept; only the level moves.

Observed "calls offered" include repeat calls; the scaled demand is first attempts,
so simulated calls offered are expected to run above the observed by the redials the
model adds (about redial share x abandonment, under 1% in a steady month).

Each period gets its own seed (:func:`period_seed`): months are independent stretches
of time, so their simulated noise should be independent too. Common random numbers
still hold where they matter, between parameter values within a period.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim111.calibration.observed import ObservedPeriod
from sim111.engine.calendar import run_days
from sim111.engine.demand import expected_calls_per_day
from sim111.errors import ScenarioError
from sim111.scenario import Scenario
from sim111.units import HOURS_PER_DAY

MIN_VOLUME_RATIO, MAX_VOLUME_RATIO = 0.01, 100.0  # beyond: a typo in population or calls


def period_seed(seed: int, index: int) -> int:
    """The base seed of the ``index``-th period of a calibration or back-test."""
    return seed + index


def target_calls_per_day(scenario: Scenario, period: ObservedPeriod) -> float | None:
    """The observed calls per day scaled to the scenario's population (``None``: keep demand).

    With ``[[areas]]`` it is the base's population: the demand level it sets is
    per head, and every area that keeps the base's demand follows it.
    """
    per_day = period.calls_per_day
    if per_day is None:
        return None
    if period.population is None:
        return per_day
    return per_day * scenario.demand.population / period.population


def people(scenario: Scenario) -> int:
    """The population a scenario simulates: all its areas', or its own."""
    if scenario.areas:
        return sum(area.demand.population for area in scenario.area_scenarios)
    return scenario.demand.population


def observed_calls_per_day(scenario: Scenario, period: ObservedPeriod) -> float | None:
    """The observed calls per day scaled to everyone the scenario simulates (all its
    areas): what its simulated calls offered per day are compared with."""
    target = target_calls_per_day(scenario, period)
    if target is None:
        return None
    return target * people(scenario) / scenario.demand.population


def period_overrides(scenario: Scenario, period: ObservedPeriod) -> dict[str, Any]:
    """Overrides that move ``scenario`` to ``period`` at the period's observed volume."""
    out: dict[str, Any] = {
        "run.start_date": period.start,
        "run.days": period.days,
        "run.warmup_min": 0.0,
    }
    target = target_calls_per_day(scenario, period)
    if target is None:
        return out
    demand = scenario.demand
    if demand.kind == "stationary":
        out["demand.calls_per_hour"] = target / HOURS_PER_DAY
        return out
    expected = float(np.mean(expected_calls_per_day(demand, run_days(period.start, period.days))))
    if expected <= 0:
        return out
    ratio = target / expected
    if not MIN_VOLUME_RATIO <= ratio <= MAX_VOLUME_RATIO:
        raise ScenarioError(
            f"period {period.label}: the observed {target:,.0f} calls a day for this scenario's "
            f"population is {ratio:.3g} x its own demand; check 'population' and "
            "'calls_offered' (allowed: 0.01-100 x)"
        )
    out["demand.scale"] = demand.scale * ratio
    return out


def period_scenarios(
    scenario: Scenario, periods: tuple[ObservedPeriod, ...]
) -> list[tuple[ObservedPeriod, Scenario]]:
    """``scenario`` moved into each period (see :func:`period_overrides`)."""
    return [
        (p, scenario.with_overrides(period_overrides(scenario, p), source=f"period {p.label}"))
        for p in periods
    ]
