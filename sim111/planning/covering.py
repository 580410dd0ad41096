"""Shifts that cover the requirements at least cost: an integer programme.

The programme (``scipy.optimize.milp``, HiGHS) chooses how many people start
a shift of each allowed length at each half-hour, separately for each day
type, so that every half-hour of every run day is covered at least cost, with
unsocial-hours uplifts priced in (shifts are costed on the days they are
actually worked). The counts become scenario shift lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from sim111.measures.costs import hourly_rate_gbp, on_cost_share, shrinkage, uplift_by_minute
from sim111.planning.targets import SLOT_MIN, SLOTS_PER_DAY
from sim111.scenario import DAY_TYPES, Scenario, Shift, StaffGroup
from sim111.units import MINUTES_PER_DAY, MINUTES_PER_HOUR, clock_text

MILP_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift of ``length_min`` starting at ``start_min`` after midnight on ``day_type``."""

    day_type: str
    start_min: int
    length_min: int


def shift_templates(day_types: set[str], lengths_h: tuple[float, ...]) -> list[ShiftTemplate]:
    """Every allowed (day type, start half-hour, length) combination."""
    return [
        ShiftTemplate(d, s * SLOT_MIN, round(h * MINUTES_PER_HOUR))
        for d in DAY_TYPES
        if d in day_types
        for s in range(SLOTS_PER_DAY)
        for h in lengths_h
    ]


def cover_requirements(
    requirement: np.ndarray,
    day_types: list[str],
    templates: list[ShiftTemplate],
    cost_of: Callable[[ShiftTemplate, int], float],
) -> np.ndarray:
    """Integer programme: how many people on each template, at least cost.

    ``requirement[k, j]`` people are needed in half-hour ``j`` of run day ``k``
    (``day_types[k]`` its type; ``day_types[-1]`` is the day before the run);
    ``cost_of(template, k)`` is the cost of one
    person working that template on day ``k`` (``k = -1``: the day before the
    run, whose night shifts reach into it). Returns counts per template.
    """
    n_days, n_slots = requirement.shape
    n_vars = len(templates)
    rows = n_days * n_slots
    cover = np.zeros((rows, n_vars))
    cost = np.zeros(n_vars)
    for v, tpl in enumerate(templates):
        first, n = tpl.start_min // SLOT_MIN, tpl.length_min // SLOT_MIN
        for k in range(-1, n_days):
            if day_types[k] != tpl.day_type:  # day_types[-1] is the lead day
                continue
            if k >= 0:
                cost[v] += cost_of(tpl, k)
            slots = k * n_slots + first + np.arange(n)
            slots = slots[(slots >= 0) & (slots < rows)]
            cover[slots, v] += 1
    needed = requirement.reshape(-1).astype(float)
    result = milp(
        c=cost,
        constraints=LinearConstraint(cover, lb=needed, ub=np.inf),
        integrality=np.ones(n_vars),
        bounds=Bounds(0, np.inf),
        options={"time_limit": MILP_TIME_LIMIT_S},
    )
    if result.x is None:
        raise ValueError(f"the shift-covering programme failed: {result.message}")
    return np.round(result.x).astype(int)


def template_cost(group: StaffGroup, scenario: Scenario) -> Callable[[ShiftTemplate, int], float]:
    """Cost of one person of ``group`` on a template on run day ``k`` (paid hours if unpaid)."""
    run, costs = scenario.run, scenario.costs
    if group.pay is None:
        return lambda tpl, k: tpl.length_min / MINUTES_PER_HOUR  # cheapest by hours when unpaid
    # +1 day: shifts spill past the end of the last day
    uplift = uplift_by_minute(group.pay, run.start_date, run.calendar_days + 1)
    cum = np.concatenate([[0.0], np.cumsum(1 + uplift)])
    pay = group.pay
    gross_up = (1 + on_cost_share(pay, costs)) / (1 - shrinkage(pay, costs))
    rate = hourly_rate_gbp(pay, costs) * gross_up

    def cost(tpl: ShiftTemplate, k: int) -> float:
        start = k * MINUTES_PER_DAY + tpl.start_min
        end = min(start + tpl.length_min, int(run.horizon_min))  # paid inside the run
        return rate * (cum[end] - cum[start]) / MINUTES_PER_HOUR

    return cost


def roster_from_counts(templates: list[ShiftTemplate], counts: np.ndarray) -> tuple[Shift, ...]:
    """Scenario shifts for the templates with people on them."""
    shifts = []
    for tpl, n in zip(templates, counts, strict=True):
        if n <= 0:
            continue
        start_text = clock_text(tpl.start_min)
        end_text = clock_text((tpl.start_min + tpl.length_min) % MINUTES_PER_DAY)
        shifts.append(
            Shift(
                start=start_text,
                end=end_text,
                count=int(n),
                day_types=(tpl.day_type,),
                name=f"{tpl.day_type} {start_text} {tpl.length_min / MINUTES_PER_HOUR:g}h",
            )
        )
    return tuple(shifts)
