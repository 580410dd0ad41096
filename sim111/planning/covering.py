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
from sim111.scenario.shift_rules import ShiftRules
from sim111.units import MINUTES_PER_DAY, MINUTES_PER_HOUR, clock_text

MILP_TIME_LIMIT_S = 60.0
SEMI_INTEGER = 3  # scipy.optimize.milp: 0 or an integer within the bounds


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift of ``length_min`` starting at ``start_min`` after midnight on ``day_type``."""

    day_type: str
    start_min: int
    length_min: int


def shift_templates(
    day_types: set[str], rules: ShiftRules, lengths_h: tuple[float, ...] | None = None
) -> list[ShiftTemplate]:
    """Every (day type, start, length) the ``rules`` allow (``lengths_h``, if given, instead
    of the rules' lengths); without night shifts, only those ending by midnight."""
    lengths = [round(h * MINUTES_PER_HOUR) for h in (lengths_h or rules.lengths_h)]
    return [
        ShiftTemplate(d, start, length)
        for d in DAY_TYPES
        if d in day_types
        for start in rules.start_mins
        for length in lengths
        if rules.night_shifts or start + length <= MINUTES_PER_DAY
    ]


def _cover_matrix(
    n_days: int, day_types: list[str], templates: list[ShiftTemplate]
) -> tuple[np.ndarray, list[list[int]]]:
    """Which (run day, half-hour) each template covers, and the run days it is worked."""
    rows = n_days * SLOTS_PER_DAY
    cover = np.zeros((rows, len(templates)))
    worked: list[list[int]] = []
    for v, tpl in enumerate(templates):
        first, n = tpl.start_min // SLOT_MIN, tpl.length_min // SLOT_MIN
        # -1: the day before the run, whose night shifts are paid for their part in it
        worked.append([k for k in range(-1, n_days) if day_types[k] == tpl.day_type])
        for k in range(-1, n_days):
            if day_types[k] != tpl.day_type:  # day_types[-1] is the lead day
                continue
            slots = k * SLOTS_PER_DAY + first + np.arange(n)
            cover[slots[(slots >= 0) & (slots < rows)], v] += 1
    return cover, worked


def cover_requirements(
    requirement: np.ndarray,
    day_types: list[str],
    templates: list[ShiftTemplate],
    cost_of: Callable[[ShiftTemplate, int], float],
    min_per_line: int = 1,
) -> np.ndarray:
    """Integer programme: how many people on each template, at least cost.

    ``requirement[k, j]`` people are needed in half-hour ``j`` of run day ``k``
    (``day_types[k]`` its type; ``day_types[-1]`` is the day before the run);
    ``cost_of(template, k)`` is the cost of one person working that template
    on day ``k`` (``k = -1``: the day before the run, whose night shifts reach
    into it: the part of them in the run). Returns counts per template.
    Raises ``ValueError`` if some needed half-hour no template covers.

    A template is used by nobody or by at least ``min_per_line`` people
    (semi-integer variables). Over every template that programme takes HiGHS
    minutes (typical-area's 720 templates: not solved in 60 s), so it is solved
    over the templates the unconstrained optimum uses (tenths of a second):
    always feasible (each used line raised to the minimum covers as much), and
    for typical-area's advisors within 1.4% of the unconstrained optimum's cost,
    a lower bound on the constrained one.
    """
    n_days = requirement.shape[0]
    cover, worked = _cover_matrix(n_days, day_types, templates)
    cost = np.array(
        [sum(cost_of(tpl, k) for k in days) for tpl, days in zip(templates, worked, strict=True)]
    )
    needed = requirement.reshape(-1).astype(float)
    bare = np.flatnonzero((needed > 0) & (cover.sum(axis=1) == 0))
    if bare.size:
        day, slot = divmod(int(bare[0]), SLOTS_PER_DAY)
        raise ValueError(
            f"no allowed shift covers {clock_text(slot * SLOT_MIN)} on run day {day + 1} "
            f"({day_types[day]}): allow other starts, or night_shifts"
        )
    counts = _solve(cover, cost, needed, np.ones(len(templates), dtype=bool), 1)
    if min_per_line > 1:  # over the shifts the unconstrained optimum uses: see the docstring
        counts = _solve(cover, cost, needed, counts > 0, min_per_line)
    return counts


def _solve(
    cover: np.ndarray, cost: np.ndarray, needed: np.ndarray, usable: np.ndarray, least: int
) -> np.ndarray:
    """Cheapest counts on the ``usable`` templates covering ``needed``, each 0 or >= ``least``."""
    idx = np.flatnonzero(usable)
    most = max(int(needed.max(initial=0)), least)  # more on one line never helps
    semi = least > 1
    result = milp(
        c=cost[idx],
        constraints=LinearConstraint(cover[:, idx], lb=needed, ub=np.inf),
        integrality=np.full(idx.size, SEMI_INTEGER if semi else 1),
        bounds=Bounds(least if semi else 0, most),
        options={"time_limit": MILP_TIME_LIMIT_S},
    )
    if result.x is None:
        raise ValueError(f"the shift-covering programme failed: {result.message}")
    counts = np.zeros(cost.size, dtype=int)
    counts[idx] = np.round(result.x).astype(int)
    return counts


def _paid_min(tpl: ShiftTemplate, k: int, horizon_min: float) -> tuple[int, int]:
    """Run minute at which a template worked on run day ``k`` starts being paid, and the
    minutes paid: its part inside the run (``k = -1``: a night shift reaching into it)."""
    start = k * MINUTES_PER_DAY + tpl.start_min
    end = min(start + tpl.length_min, int(horizon_min))
    return max(start, 0), max(end - max(start, 0), 0)


def template_cost(group: StaffGroup, scenario: Scenario) -> Callable[[ShiftTemplate, int], float]:
    """Cost of one person of ``group`` on a template on run day ``k`` (paid hours if unpaid)."""
    run, costs = scenario.run, scenario.costs
    if group.pay is None:  # cheapest by paid hours
        return lambda tpl, k: _paid_min(tpl, k, run.horizon_min)[1] / MINUTES_PER_HOUR
    # +1 day: shifts spill past the end of the last day
    uplift = uplift_by_minute(group.pay, run.start_date, run.calendar_days + 1)
    cum = np.concatenate([[0.0], np.cumsum(1 + uplift)])
    pay = group.pay
    gross_up = (1 + on_cost_share(pay, costs)) / (1 - shrinkage(pay, costs))
    rate = hourly_rate_gbp(pay, costs) * gross_up

    def cost(tpl: ShiftTemplate, k: int) -> float:
        start, paid = _paid_min(tpl, k, run.horizon_min)
        return rate * (cum[start + paid] - cum[start]) / MINUTES_PER_HOUR

    return cost


def roster_from_counts(templates: list[ShiftTemplate], counts: np.ndarray) -> tuple[Shift, ...]:
    """Scenario shift lines for the templates with people on them.

    Templates of the same start, length and head-count on several day types
    become one line worked on all of them, so the roster has as few lines as
    the counts allow; lines are in order of first day type, start, then length.
    """
    lines: dict[tuple[int, int, int], list[str]] = {}
    for tpl, n in zip(templates, counts, strict=True):
        if n > 0:
            lines.setdefault((tpl.start_min, tpl.length_min, int(n)), []).append(tpl.day_type)
    shifts = []

    def order(item: tuple[tuple[int, int, int], list[str]]) -> tuple[int, int, int, int]:
        return (min(DAY_TYPES.index(d) for d in item[1]), *item[0])

    for (start_min, length_min, n), types in sorted(lines.items(), key=order):
        start_text = clock_text(start_min)
        end_text = clock_text((start_min + length_min) % MINUTES_PER_DAY)
        ordered = tuple(d for d in DAY_TYPES if d in types)
        shifts.append(
            Shift(
                start=start_text,
                end=end_text,
                count=n,
                day_types=ordered,
                name=f"{'+'.join(ordered)} {start_text}-{end_text} "
                f"({length_min / MINUTES_PER_HOUR:g}h)",
            )
        )
    return tuple(shifts)
