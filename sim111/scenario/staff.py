"""People on rosters: shifts, pay, dated roster changes, staff groups."""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from sim111.errors import FieldError
from sim111.scenario.distributions import Distribution, check_ends
from sim111.scenario.limits import (
    MAX_HEADCOUNT,
    MAX_ROSTER_SCALE,
    MAX_SHIFT_LINES,
    check_count,
    check_name,
)
from sim111.scenario.schema import exactly_one, spec
from sim111.scenario.shift_rules import ShiftRules
from sim111.units import MINUTES_PER_DAY, parse_clock_min
from sim111.vocabulary import DAY_TYPES


@dataclass(frozen=True)
class Shift:
    """A block of identical shifts: ``count`` people from ``start`` to ``end``.

    A shift belongs to the day it starts on; ``end`` at or before ``start``
    means the next day (a night shift). A person whose shift ends finishes the
    call in hand first.
    """

    start: str = spec(doc="Start time 'HH:MM'.")
    end: str = spec(doc="End time 'HH:MM'; at or before start means next day.")
    count: int = spec(doc="People on this shift.", unit="people", ge=0)
    day_types: tuple[str, ...] = spec(
        DAY_TYPES, doc="Day types on which the shift is worked.", choices=DAY_TYPES
    )
    name: str = spec("", doc="Label for reports.")

    def __post_init__(self) -> None:
        parse_clock_min("end", self.end)
        if parse_clock_min("start", self.start) == MINUTES_PER_DAY:
            raise FieldError("start", "must be before 24:00")
        if not self.day_types:
            raise FieldError("day_types", f"must list at least one of {DAY_TYPES}")

    @property
    def start_min(self) -> int:
        """Minutes after midnight the shift starts."""
        return parse_clock_min("start", self.start)

    @property
    def duration_min(self) -> int:
        """Length of the shift in minutes (1 to 1440)."""
        start, end = self.start_min, parse_clock_min("end", self.end)
        return end - start if end > start else end + MINUTES_PER_DAY - start


@dataclass(frozen=True)
class Pay:
    """What an hour of this role costs, before on-costs and shrinkage.

    Give ``annual_salary_gbp`` (divided by ``costs.paid_hours_per_year``) or
    ``hourly_rate_gbp``. Unsocial-hours uplifts follow Agenda for Change: the
    highest that applies to each minute — bank holiday, Sunday, Saturday, or a
    weekday night between ``night_start`` and ``night_end``. ``on_cost_share``
    and ``shrinkage``, when set, replace those of ``[costs]`` for this role
    (sessional staff paid per hour worked: no paid leave, their own on-costs).
    """

    annual_salary_gbp: float | None = spec(None, doc="Basic annual salary.", unit="GBP", gt=0)
    hourly_rate_gbp: float | None = spec(None, doc="Basic hourly rate.", unit="GBP/h", gt=0)
    weekday_night_uplift: float = spec(0.0, doc="Uplift on weekday nights.", ge=0)
    saturday_uplift: float = spec(0.0, doc="Uplift on Saturdays.", ge=0)
    sunday_uplift: float = spec(0.0, doc="Uplift on Sundays.", ge=0)
    bank_holiday_uplift: float = spec(0.0, doc="Uplift on England bank holidays.", ge=0)
    night_start: str = spec("20:00", doc="Weekday night uplift from 'HH:MM'.")
    night_end: str = spec("06:00", doc="Weekday night uplift until 'HH:MM' next morning.")
    on_cost_share: float | None = spec(
        None, doc="This role's employer on-costs, share of pay (unset: costs.on_cost_share).", ge=0
    )
    shrinkage: float | None = spec(
        None,
        doc="This role's share of paid time not on the phones (unset: costs.shrinkage).",
        ge=0,
        lt=1,
    )

    def __post_init__(self) -> None:
        exactly_one(self, "annual_salary_gbp", "hourly_rate_gbp")
        parse_clock_min("night_start", self.night_start)
        parse_clock_min("night_end", self.night_end)


ROSTER_SCALE_DOC = (
    "Multiplies the group's paid hours, in whole people. A constant count becomes count × "
    "scale rounded half-up. A roster is scaled day by day: the shift lines worked that day "
    "get people one at a time in Sainte-Laguë order (the line with the most base people per "
    "person already added next; ties to the earlier line) until one more person would "
    "overshoot scale × the day's base paid hours by more than stopping short. So each day's "
    "paid hours are within half its longest shift of the scaled hours, and neither they nor "
    "any line's head-count ever fall as the scale rises."
)


def scaled_count(count: int, scale: float) -> int:
    """A constant head-count times ``scale``, rounded half-up (``count`` itself at scale 1)."""
    return count if scale == 1 else math.floor(count * scale + 0.5)


@lru_cache(maxsize=4096)
def scaled_counts(
    counts: tuple[int, ...], durations_min: tuple[int, ...], scale: float
) -> tuple[int, ...]:
    """Head-counts of one day's shift lines scaled so paid hours follow ``scale``.

    People are added in Sainte-Laguë (Webster) order — next the line with the
    highest ``count / (added + 1/2)``, ties to the earlier line — and adding
    stops when one more person would land farther above ``scale ×`` the base
    person-minutes than stopping lands below it (a tie adds). The order does
    not depend on the scale, so a higher scale only ever adds people (largest
    remainder rounding can take hours away as the scale rises: the Alabama
    paradox); the hours end within half the longest shift of the target.
    """
    if scale == 1:
        return counts
    target_min = scale * sum(c * d for c, d in zip(counts, durations_min, strict=True))
    added = [0] * len(counts)
    heap = [(-Fraction(2 * c), k) for k, c in enumerate(counts) if c > 0]
    heapq.heapify(heap)
    paid_min = 0
    while heap:
        k = heap[0][1]
        step = durations_min[k]
        if paid_min + step / 2 > target_min:
            break
        added[k] += 1
        paid_min += step
        heapq.heapreplace(heap, (-Fraction(2 * counts[k], 2 * added[k] + 1), k))
    return tuple(added)


@dataclass(frozen=True)
class StaffingChange:
    """From ``from_date`` on, the group's head-counts are scaled by ``roster_scale``
    (instead of the group's own ``roster_scale``): staff leaving, or joining, mid-run."""

    from_date: dt.date = spec(doc="First day the change applies (shifts starting that day).")
    roster_scale: float = spec(
        doc="Roster multiplier from then on (rounded as the group's roster_scale).",
        ge=0,
        le=MAX_ROSTER_SCALE,
    )


@dataclass(frozen=True)
class StaffGroup:
    """People who answer calls: a constant ``count`` or a roster of ``shifts``."""

    handle_time: Distribution = spec(doc="Talk plus wrap-up time per call.")
    count: int | None = spec(
        None, doc="Constant number on duty for the whole run.", unit="people", ge=0
    )
    shifts: tuple[Shift, ...] = spec((), doc="Shift roster (instead of count).")
    pay: Pay | None = spec(None, doc="Pay; without it the group is not costed.")
    roster_scale: float = spec(1.0, doc=ROSTER_SCALE_DOC, ge=0, le=MAX_ROSTER_SCALE)
    staffing_changes: tuple[StaffingChange, ...] = spec(
        (), doc="Dated changes of roster_scale (array of tables), in date order."
    )
    shift_rules: ShiftRules | None = spec(
        None, doc="Shifts `sim111 staff` may use for this group (unset: the defaults, E)."
    )

    def scale_on(self, date: dt.date) -> float:
        """The head-count multiplier for shifts starting on ``date``."""
        scale = self.roster_scale
        for change in self.staffing_changes:
            if change.from_date <= date:
                scale = change.roster_scale
        return scale

    def line_counts(self, date: dt.date, day_type: str) -> tuple[int, ...]:
        """People on each shift line on ``date`` (of ``day_type``), 0 where not worked.

        The lines worked that day are scaled together by :func:`scaled_counts`.
        """
        worked = [k for k, s in enumerate(self.shifts) if day_type in s.day_types]
        scaled = scaled_counts(
            tuple(self.shifts[k].count for k in worked),
            tuple(self.shifts[k].duration_min for k in worked),
            self.scale_on(date),
        )
        out = [0] * len(self.shifts)
        for k, n in zip(worked, scaled, strict=True):
            out[k] = n
        return tuple(out)

    def __post_init__(self) -> None:
        check_ends("handle_time", self.handle_time)
        dates = [c.from_date for c in self.staffing_changes]
        if dates != sorted(dates):
            raise FieldError("staffing_changes", "must be in date order")
        if self.count is None and not self.shifts:
            raise FieldError("count", "or 'shifts' is required")
        if self.count is not None and self.shifts:
            raise FieldError("count", "and 'shifts' cannot both be given; use one")
        check_count("shifts", self.shifts, MAX_SHIFT_LINES, "shift lines")
        self._check_scaled_headcount()

    def _check_scaled_headcount(self) -> None:
        """Each line's head-count times the largest roster scale fits the limit."""
        scale = max([self.roster_scale] + [c.roster_scale for c in self.staffing_changes])
        count = max([self.count or 0] + [s.count for s in self.shifts])
        if count * scale > MAX_HEADCOUNT:
            raise FieldError(
                "roster_scale",
                f"makes {count} people x {scale:g} = {count * scale:g} on one line; at most "
                f"{MAX_HEADCOUNT} people a line",
            )


@dataclass(frozen=True)
class ClinicianGroup(StaffGroup):
    """Clinicians (nurses, paramedics, GPs): a roster, a consultation time and
    the priority classes they take (all of them unless ``serves`` lists some)."""

    name: str = spec("clinicians", doc="Name of the group, e.g. 'nurses'.")
    serves: tuple[str, ...] = spec((), doc="Priority classes this group takes; empty means all.")

    def __post_init__(self) -> None:
        super().__post_init__()
        check_name("name", self.name)
