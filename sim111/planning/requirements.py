"""How many people each half-hour needs, from steady-state queueing formulas.

For every half-hour of every run day, the fewest people that meet the targets
in steady state at that half-hour's expected demand: Erlang-A for health
advisors (answered within the answer target, with the callers' mean
patience; Erlang-C when callers never hang up), Erlang-C for clinicians
(call-backs within the call-back target).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.demand import clip_at_horizon, cumulative_intensity
from sim111.kpi_keys import ANSWER_TARGET_S, CALLBACK_TARGET_MIN
from sim111.measures.analytic import erlang_a, erlang_c
from sim111.planning.targets import SLOT_MIN, SLOTS_PER_DAY, StaffingTargets, callback_made_goal
from sim111.scenario import Scenario
from sim111.units import MINUTES_PER_HOUR, seconds

MAX_PEOPLE = 10_000


def _slot_rates_per_hour(scenario: Scenario) -> np.ndarray:
    """Expected first-attempt calls per hour in each half-hour of each run day."""
    run = scenario.run
    days = run_days(run.start_date, run.calendar_days)
    knots = cumulative_intensity(scenario.demand, days, np.ones(len(days)))
    t, cum = clip_at_horizon(*knots, run.horizon_min)  # no demand, so no need, after the end
    edges = np.arange(run.calendar_days * SLOTS_PER_DAY + 1, dtype=float) * SLOT_MIN
    per_slot = np.diff(np.interp(edges, t, cum))
    return per_slot.reshape(run.calendar_days, SLOTS_PER_DAY) * (MINUTES_PER_HOUR / SLOT_MIN)


def _smallest(meets: Callable[[int], bool], start: int) -> int:
    """The fewest people ``n >= start`` for which ``meets(n)`` (more people never hurt):
    steps doubling up from ``start`` until one meets, then halving back."""
    low = max(start, 0)  # the answer is at least low; below it nothing was tried
    if meets(low):
        return low
    step = 1
    while not meets(low + step):
        low += step  # low + step failed, so the answer is above it
        step *= 2
        if low > MAX_PEOPLE:
            raise ValueError(f"no staffing up to {MAX_PEOPLE:,} people meets the target")
    high = low + step  # meets; low fails
    while high - low > 1:
        mid = (low + high) // 2
        if meets(mid):
            high = mid
        else:
            low = mid
    return high


def advisor_requirements(scenario: Scenario, targets: StaffingTargets) -> np.ndarray:
    """Erlang-A advisors needed per (run day, half-hour), for the scenario's targets.

    The targets are the scenario's ``[targets]`` with those ``targets`` gives in their place.
    """
    goals = targets.applied_to(scenario).targets
    handle = scenario.mean_advisor_handle_min
    patience = scenario.callers.patience.mean_min
    rates = _slot_rates_per_hour(scenario)
    out = np.zeros(rates.shape, dtype=int)
    cache: dict[float, int] = {}

    def meets(rate: float, n: int) -> bool:
        if n == 0 or (math.isinf(patience) and n <= rate * handle / MINUTES_PER_HOUR):
            return False  # callers who never hang up need load < n (Erlang-C)
        m = erlang_a(rate, handle, patience, n)
        return (
            m.p_abandon <= goals.abandoned_after_30s
            and m.answered_within(ANSWER_TARGET_S) >= goals.answered_within_60s
        )

    for idx, rate in np.ndenumerate(rates):
        key = round(float(rate), 6)
        if key not in cache:
            load = rate * handle / MINUTES_PER_HOUR
            cache[key] = 0 if rate <= 0 else _smallest(partial(meets, float(rate)), int(load))
        out[idx] = cache[key]
    return out


def clinician_requirements(scenario: Scenario, targets: StaffingTargets) -> np.ndarray:
    """Erlang-C clinicians needed per (run day, half-hour) for call-backs made in 10 min.

    The Erlang-C wait is the wait for a clinician to pick the call-back up: its
    first attempt, answered or not (the NHS call-back KPI), to be made within 10 min
    for the share :func:`~sim111.planning.targets.callback_made_goal` gives.
    """
    goal = callback_made_goal(targets.applied_to(scenario))
    if not scenario.clinicians or goal is None:
        return np.zeros((scenario.run.calendar_days, SLOTS_PER_DAY), dtype=int)
    consult = scenario.clinicians[0].handle_time.mean_min
    days = run_days(scenario.run.start_date, scenario.run.calendar_days)
    share = np.array([scenario.triage.clinical_share_on(d.day_type) for d in days])
    rates = _slot_rates_per_hour(scenario) * share[:, None]
    out = np.zeros(rates.shape, dtype=int)
    within_s = seconds(CALLBACK_TARGET_MIN)

    def meets(rate: float, n: int) -> bool:
        return (
            n > rate * consult / MINUTES_PER_HOUR
            and erlang_c(rate, consult, n).answered_within(within_s) >= goal
        )

    for idx, rate in np.ndenumerate(rates):
        if rate > 0:
            load = rate * consult / MINUTES_PER_HOUR
            out[idx] = _smallest(partial(meets, float(rate)), int(load))
    return out
