"""What is being simulated: the frozen, validated scenario.

A scenario is plain data read from TOML (see ``docs/scenario-reference.md``,
generated from the field declarations below). Objects are frozen; change one
with :meth:`Scenario.with_overrides`, which validates exactly as loading does.
Defaults come from ``docs/domain.md`` (NHS 111 figures with their sources).
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sim111.distributions import Distribution
from sim111.errors import FieldError, ScenarioError
from sim111.schema import build, spec, to_data

MINUTES_PER_DAY = 1440
DAY_TYPES = ("weekday", "saturday", "sunday", "bank_holiday")
DISPOSITIONS = ("ambulance", "ed", "primary_care", "other_service", "pharmacy", "self_care")
FIRST_YEAR, LAST_YEAR = 1900, 2199  # England bank holidays are computed in this range

# NHS England calls/day by month, 2014-15, relative to the mean day (docs/domain.md §3).
MONTH_MULTIPLIERS_2014_15 = (
    1.06,
    1.03,
    1.03,
    1.04,
    1.06,
    0.92,
    0.90,
    0.88,
    0.85,
    0.93,
    1.02,
    1.27,
)
# % of a day's calls by hour, Bradford 111 2021 (Pilbery et al.), docs/domain.md §3.
HOURLY_WEEKDAY_PCT = (
    2.7,
    2.1,
    1.8,
    1.5,
    1.4,
    1.4,
    1.7,
    2.1,
    2.9,
    3.0,
    3.2,
    3.5,
    3.4,
    3.5,
    3.3,
    3.4,
    4.0,
    5.0,
    13.1,
    10.3,
    8.9,
    7.4,
    6.0,
    4.2,
)
HOURLY_WEEKEND_PCT = (
    1.5,
    1.2,
    1.1,
    1.0,
    0.9,
    1.1,
    1.7,
    3.2,
    6.3,
    7.6,
    8.4,
    8.0,
    7.3,
    6.6,
    6.1,
    5.5,
    5.3,
    5.2,
    4.9,
    4.5,
    4.1,
    3.6,
    2.8,
    2.1,
)


def _parse_clock(key: str, text: str) -> int:
    """Minutes after midnight of an ``HH:MM`` string (``24:00`` allowed)."""
    parts = text.split(":")
    ok = len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts)
    if ok:
        hours, minutes = int(parts[0]), int(parts[1])
        ok = hours <= 24 and minutes < 60 and hours * 60 + minutes <= MINUTES_PER_DAY
    if not ok:
        raise FieldError(key, f"must be a time 'HH:MM' from 00:00 to 24:00, got {text!r}")
    return hours * 60 + minutes


def _check_kpi_name(name: str) -> None:
    """Names that become part of KPI keys must be identifiers."""
    if not name.isidentifier():
        raise FieldError("name", f"must be letters, digits and _ (for KPI keys), got {name!r}")


def _exactly_one(obj: Any, first: str, second: str) -> None:
    """Raise unless exactly one of two optional fields is set."""
    if (getattr(obj, first) is None) == (getattr(obj, second) is None):
        raise FieldError(first, f"or '{second}' is required (one, not both)")


@dataclass(frozen=True)
class RunSettings:
    """How long, from when, and how many times to simulate."""

    start_date: dt.date = spec(
        dt.date(2015, 3, 2), doc="First simulated day; the clock starts at its 00:00."
    )
    days: int = spec(7, doc="Number of simulated days.", unit="days", ge=1, le=3660)
    warmup_min: float = spec(
        0.0,
        doc="Calls arriving before this time are simulated but left out of KPIs.",
        unit="min",
        ge=0,
    )
    interval_min: int = spec(
        30, doc="Length of the reporting intervals; must divide 1440.", unit="min", ge=1
    )
    replications: int = spec(10, doc="Replications when the CLI gives none.", ge=1)
    seed: int = spec(20130329, doc="Base seed when the CLI gives none.", ge=0)

    def __post_init__(self) -> None:
        first = self.start_date
        if not FIRST_YEAR <= first.year <= LAST_YEAR or (
            (first + dt.timedelta(days=self.days)).year > LAST_YEAR
        ):
            raise FieldError(
                "start_date",
                f"must put the run between {FIRST_YEAR} and {LAST_YEAR}, got {first} + "
                f"{self.days} days",
            )
        if MINUTES_PER_DAY % self.interval_min:
            raise FieldError(
                "interval_min", f"must divide 1440 (e.g. 15, 30, 60), got {self.interval_min}"
            )

    @property
    def horizon_min(self) -> float:
        """End of the simulated time, in minutes from the start."""
        return float(self.days * MINUTES_PER_DAY)


@dataclass(frozen=True)
class DayMultipliers:
    """Calls on each kind of day relative to the mean day."""

    monday: float = spec(0.85, doc="Monday.", ge=0)
    tuesday: float = spec(0.77, doc="Tuesday.", ge=0)
    wednesday: float = spec(0.77, doc="Wednesday.", ge=0)
    thursday: float = spec(0.77, doc="Thursday.", ge=0)
    friday: float = spec(0.84, doc="Friday.", ge=0)
    saturday: float = spec(1.62, doc="Saturday.", ge=0)
    sunday: float = spec(1.38, doc="Sunday.", ge=0)
    bank_holiday: float = spec(1.8, doc="England bank holiday, whatever the weekday.", ge=0)


@dataclass(frozen=True)
class HourlyProfile:
    """Share of a day's calls in each hour (24 entries) or half-hour (48).

    Entries are weights (percentages by convention); each list is normalised.
    """

    weekday: tuple[float, ...] = spec(
        HOURLY_WEEKDAY_PCT, doc="Monday to Friday.", ge=0, length=(24, 48)
    )
    saturday: tuple[float, ...] = spec(HOURLY_WEEKEND_PCT, doc="Saturday.", ge=0, length=(24, 48))
    sunday: tuple[float, ...] = spec(HOURLY_WEEKEND_PCT, doc="Sunday.", ge=0, length=(24, 48))
    bank_holiday: tuple[float, ...] = spec(
        HOURLY_WEEKEND_PCT, doc="England bank holidays.", ge=0, length=(24, 48)
    )

    def __post_init__(self) -> None:
        for name in DAY_TYPES:
            if sum(getattr(self, name)) <= 0:
                raise FieldError(name, "must have at least one entry > 0")


@dataclass(frozen=True)
class Demand:
    """When calls arrive.

    ``kind = "profile"``: calls per day = population x calls_per_1000_per_year
    / 1000 / 365 x day multiplier x month multiplier x scale x a day-level
    random factor (mean 1, coefficient of variation ``overdispersion_cv``),
    spread over the day by the hourly profile of its day type.
    ``kind = "stationary"``: a constant ``calls_per_hour``, for validation.
    Either way, arrivals are a (non-homogeneous) Poisson process given the rates.
    """

    kind: str = spec("profile", doc="Shape of demand.", choices=("profile", "stationary"))
    calls_per_hour: float | None = spec(
        None, doc="Constant arrival rate; stationary only.", unit="calls/h", gt=0
    )
    population: int = spec(1_000_000, doc="Population served.", unit="people", ge=1)
    calls_per_1000_per_year: float = spec(
        230.0, doc="Calls a year per 1,000 population.", unit="calls/1000/yr", ge=0
    )
    scale: float = spec(1.0, doc="Multiplies all demand (a surge or a trend).", ge=0)
    overdispersion_cv: float = spec(
        0.0,
        doc="Coefficient of variation of the day-level gamma factor; 0 turns it off.",
        ge=0,
        le=2,
    )
    day_multipliers: DayMultipliers = spec(
        default_factory=DayMultipliers, doc="Day-of-week and bank-holiday multipliers."
    )
    month_multipliers: tuple[float, ...] = spec(
        MONTH_MULTIPLIERS_2014_15, doc="January..December multipliers.", ge=0, length=(12,)
    )
    hourly_profile: HourlyProfile = spec(
        default_factory=HourlyProfile, doc="Time-of-day profile per day type."
    )

    def __post_init__(self) -> None:
        if self.kind == "stationary" and self.calls_per_hour is None:
            raise FieldError("calls_per_hour", "is required when kind = 'stationary'")
        if self.kind == "profile" and self.calls_per_hour is not None:
            raise FieldError("calls_per_hour", "applies only when kind = 'stationary'")

    @property
    def mean_calls_per_day(self) -> float:
        """Calls on a mean day before day, month and random factors."""
        return self.population * self.calls_per_1000_per_year / 1000 / 365 * self.scale


@dataclass(frozen=True)
class Callers:
    """How long callers will wait."""

    patience: Distribution = spec(
        default_factory=lambda: Distribution(mean_min=25.0),
        doc="Time a caller is prepared to wait for an answer.",
    )
    quick_hangup_share: float = spec(
        0.0,
        doc="Share of callers who hang up within quick_hangup_max_s whatever the wait.",
        ge=0,
        le=1,
    )
    quick_hangup_max_s: float = spec(
        60.0, doc="Quick hang-ups wait uniformly up to this long.", unit="s", gt=0
    )
    redial_probability: float = spec(
        0.0, doc="Chance that a caller who abandons calls again.", ge=0, le=1
    )
    redial_delay: Distribution = spec(
        default_factory=lambda: Distribution(mean_min=10.0),
        doc="Time from abandoning to calling again.",
    )


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
        _parse_clock("end", self.end)
        if _parse_clock("start", self.start) == MINUTES_PER_DAY:
            raise FieldError("start", "must be before 24:00")
        if not self.day_types:
            raise FieldError("day_types", f"must list at least one of {DAY_TYPES}")

    @property
    def start_min(self) -> int:
        """Minutes after midnight the shift starts."""
        return _parse_clock("start", self.start)

    @property
    def duration_min(self) -> int:
        """Length of the shift in minutes (1 to 1440)."""
        start, end = self.start_min, _parse_clock("end", self.end)
        return end - start if end > start else end + MINUTES_PER_DAY - start


@dataclass(frozen=True)
class Pay:
    """What an hour of this role costs, before on-costs and shrinkage.

    Give ``annual_salary_gbp`` (divided by ``costs.paid_hours_per_year``) or
    ``hourly_rate_gbp``. Unsocial-hours uplifts follow Agenda for Change: the
    highest that applies to each minute — bank holiday, Sunday, Saturday, or a
    weekday night between ``night_start`` and ``night_end``.
    """

    annual_salary_gbp: float | None = spec(None, doc="Basic annual salary.", unit="GBP", gt=0)
    hourly_rate_gbp: float | None = spec(None, doc="Basic hourly rate.", unit="GBP/h", gt=0)
    weekday_night_uplift: float = spec(0.0, doc="Uplift on weekday nights.", ge=0)
    saturday_uplift: float = spec(0.0, doc="Uplift on Saturdays.", ge=0)
    sunday_uplift: float = spec(0.0, doc="Uplift on Sundays.", ge=0)
    bank_holiday_uplift: float = spec(0.0, doc="Uplift on England bank holidays.", ge=0)
    night_start: str = spec("20:00", doc="Weekday night uplift from 'HH:MM'.")
    night_end: str = spec("06:00", doc="Weekday night uplift until 'HH:MM' next morning.")

    def __post_init__(self) -> None:
        _exactly_one(self, "annual_salary_gbp", "hourly_rate_gbp")
        _parse_clock("night_start", self.night_start)
        _parse_clock("night_end", self.night_end)


@dataclass(frozen=True)
class StaffingChange:
    """From ``from_date`` on, every head-count of the group is scaled by ``roster_scale``
    (instead of the group's own ``roster_scale``): staff leaving, or joining, mid-run."""

    from_date: dt.date = spec(doc="First day the change applies (shifts starting that day).")
    roster_scale: float = spec(doc="Head-count multiplier from then on.", ge=0)


@dataclass(frozen=True)
class StaffGroup:
    """People who answer calls: a constant ``count`` or a roster of ``shifts``."""

    handle_time: Distribution = spec(doc="Talk plus wrap-up time per call.")
    count: int | None = spec(
        None, doc="Constant number on duty for the whole run.", unit="people", ge=0
    )
    shifts: tuple[Shift, ...] = spec((), doc="Shift roster (instead of count).")
    pay: Pay | None = spec(None, doc="Pay; without it the group is not costed.")
    roster_scale: float = spec(
        1.0,
        doc="Multiplies every head-count (rounded to whole people), e.g. 1.1 for 10% more.",
        ge=0,
    )
    staffing_changes: tuple[StaffingChange, ...] = spec(
        (), doc="Dated changes of roster_scale (array of tables), in date order."
    )

    def scale_on(self, date: dt.date) -> float:
        """The head-count multiplier for shifts starting on ``date``."""
        scale = self.roster_scale
        for change in self.staffing_changes:
            if change.from_date <= date:
                scale = change.roster_scale
        return scale

    def __post_init__(self) -> None:
        dates = [c.from_date for c in self.staffing_changes]
        if dates != sorted(dates):
            raise FieldError("staffing_changes", "must be in date order")
        if self.count is None and not self.shifts:
            raise FieldError("count", "or 'shifts' is required")
        if self.count is not None and self.shifts:
            raise FieldError("count", "and 'shifts' cannot both be given; use one")


@dataclass(frozen=True)
class Provider(StaffGroup):
    """Another service that takes 111 calls on overflow (NHS Direct 0845, a
    neighbouring 111, GP out-of-hours triage), paid per call.

    It accepts a call unless its queue already holds ``max_queue`` calls or it
    has accepted ``max_calls_per_hour`` in the current clock hour; accepted
    calls wait in its own FIFO queue for its staff. A call it cannot accept
    bounces back to the 111 queue or is lost (counted), as ``when_full`` says.
    """

    name: str = spec("provider", doc="Name used in KPI keys, e.g. 'nhs_direct'.")
    price_per_call_gbp: float = spec(0.0, doc="Fee per call taken.", unit="GBP", ge=0)
    max_queue: int | None = spec(None, doc="Most calls waiting there; unset: no limit.", ge=0)
    max_calls_per_hour: int | None = spec(
        None, doc="Most calls accepted per clock hour; unset: no limit.", ge=0
    )
    when_full: str = spec(
        "bounce", doc="What happens to a call it cannot accept.", choices=("bounce", "lost")
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_kpi_name(self.name)


@dataclass(frozen=True)
class OverflowRule:
    """Send a newly offered call to ``provider`` when the 111 queue is long.

    Fires when no advisor is free and the queue holds more than
    ``queue_length_over`` calls, or the expected wait exceeds
    ``expected_wait_over_s`` (queue ahead + 1, times the mean advisor
    handling time, over the advisors on duty) — within the time window and on
    the day types given. Rules are tried in order; the first that fires wins.
    """

    provider: str = spec(doc="Name of a provider in [[providers]].")
    queue_length_over: int | None = spec(None, doc="Queue length threshold.", unit="calls", ge=0)
    expected_wait_over_s: float | None = spec(None, doc="Expected wait threshold.", unit="s", ge=0)
    day_types: tuple[str, ...] = spec(DAY_TYPES, doc="Day types it applies on.", choices=DAY_TYPES)
    start: str = spec("00:00", doc="Applies from 'HH:MM'.")
    end: str = spec("24:00", doc="Applies until 'HH:MM' (before start: past midnight).")

    def __post_init__(self) -> None:
        _exactly_one(self, "queue_length_over", "expected_wait_over_s")
        _parse_clock("start", self.start)
        _parse_clock("end", self.end)

    @cached_property
    def window_min(self) -> tuple[int, int]:
        """``(start, end)`` in minutes after midnight, parsed once."""
        return _parse_clock("start", self.start), _parse_clock("end", self.end)


@dataclass(frozen=True)
class DownstreamClass:
    """An urgency class of a downstream service: its share of cases and target."""

    name: str = spec(doc="Name, e.g. 'urgent'.")
    share: float = spec(doc="Share of the service's cases (normalised).", ge=0)
    target_min: float = spec(doc="Target from referral to being seen.", unit="min", gt=0)


@dataclass(frozen=True)
class DownstreamService(StaffGroup):
    """A service 111 refers patients to, with finite capacity (GP out-of-hours
    base appointments, home visits, telephone consultations, A&E).

    It receives ``share`` of the calls given disposition ``takes`` (shares of
    one disposition may not add up to more than 1). Cases wait in its own queue,
    most urgent class first, then oldest; ``handle_time`` is the consultation.
    """

    name: str = spec("service", doc="Name used in KPI keys, e.g. 'gp_ooh_base'.")
    takes: str = spec("primary_care", doc="Disposition that feeds it.", choices=DISPOSITIONS)
    share: float = spec(1.0, doc="Share of that disposition referred here.", ge=0, le=1)
    classes: tuple[DownstreamClass, ...] = spec(
        default_factory=lambda: (
            DownstreamClass("urgent", 0.3, 120.0),
            DownstreamClass("routine", 0.7, 360.0),
        ),
        doc="Urgency classes, most urgent first (NQR: urgent within 2 h, routine 6 h).",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_kpi_name(self.name)
        if not self.classes or sum(c.share for c in self.classes) <= 0:
            raise FieldError("classes", "must list at least one class with share > 0")


@dataclass(frozen=True)
class ClinicianGroup(StaffGroup):
    """Clinicians (nurses, paramedics, GPs): a roster, a consultation time and
    the priority classes they take (all of them unless ``serves`` lists some)."""

    name: str = spec("clinicians", doc="Name of the group, e.g. 'nurses'.")
    serves: tuple[str, ...] = spec((), doc="Priority classes this group takes; empty means all.")


@dataclass(frozen=True)
class DispositionMix:
    """Where calls are sent, as weights (normalised to sum to 1)."""

    ambulance: float = spec(0.10, doc="999 ambulance dispatch.", ge=0)
    ed: float = spec(0.08, doc="Emergency department (A&E).", ge=0)
    primary_care: float = spec(0.63, doc="GP, GP out-of-hours, primary care.", ge=0)
    other_service: float = spec(0.04, doc="Another service (dental, mental health...).", ge=0)
    pharmacy: float = spec(0.0, doc="Community pharmacy.", ge=0)
    self_care: float = spec(0.15, doc="Home care advice; no referral.", ge=0)

    def __post_init__(self) -> None:
        if sum(self.weights()) <= 0:
            raise FieldError("", "must have at least one weight > 0")

    def weights(self) -> tuple[float, ...]:
        """Weights in the order of :data:`DISPOSITIONS`."""
        return tuple(getattr(self, name) for name in DISPOSITIONS)


@dataclass(frozen=True)
class DayTypeShares:
    """A share per day type; unset entries fall back to the general share."""

    weekday: float | None = spec(None, doc="Monday to Friday.", ge=0, le=1)
    saturday: float | None = spec(None, doc="Saturday.", ge=0, le=1)
    sunday: float | None = spec(None, doc="Sunday.", ge=0, le=1)
    bank_holiday: float | None = spec(None, doc="England bank holiday.", ge=0, le=1)


@dataclass(frozen=True)
class Triage:
    """What the health advisor does with an answered call.

    A share of answered calls is triaged with NHS Pathways (the rest are, e.g.,
    information calls, closed with no disposition). ``clinical_share`` of all
    answered calls need clinical input; the other triaged calls get a
    disposition from the advisor. Defaults switch the clinical stage off.
    """

    triaged_share: float = spec(1.0, doc="Share of answered calls triaged.", ge=0, le=1)
    untriaged_handle_time: Distribution | None = spec(
        None, doc="Advisor time for calls not triaged (advisors.handle_time is for triaged)."
    )
    clinical_share: float = spec(
        0.0, doc="Share of answered calls needing clinical input.", ge=0, le=1
    )
    clinical_share_by_day_type: DayTypeShares = spec(
        default_factory=DayTypeShares, doc="clinical_share for particular day types."
    )
    disposition: DispositionMix = spec(
        default_factory=DispositionMix,
        doc="Dispositions given by advisors (2015 triaged-call mix, docs/domain.md §4).",
    )

    def __post_init__(self) -> None:
        if self.triaged_share < 1 and self.untriaged_handle_time is None:
            raise FieldError("untriaged_handle_time", "is required when triaged_share < 1")
        shares = [self.clinical_share] + [
            v for v in vars(self.clinical_share_by_day_type).values() if v is not None
        ]
        if max(shares) > self.triaged_share:
            raise FieldError(
                "clinical_share",
                f"must not exceed triaged_share ({self.triaged_share:g}): only triaged "
                f"calls reach a clinician, got {max(shares):g}",
            )

    def clinical_share_on(self, day_type: str) -> float:
        """The clinical share for calls arriving on ``day_type``."""
        value = getattr(self.clinical_share_by_day_type, day_type)
        return self.clinical_share if value is None else value


@dataclass(frozen=True)
class PriorityClass:
    """A clinical priority: its share of clinical calls and call-back target."""

    name: str = spec(doc="Name, e.g. 'urgent'.")
    share: float = spec(doc="Share of calls needing clinical input (normalised).", ge=0)
    target_min: float = spec(
        doc="Call-back target from the end of the advisor call.", unit="min", gt=0
    )
    warm_transfer: bool = spec(
        True, doc="Whether these calls are put through live when a clinician is free."
    )


def _default_priorities() -> tuple[PriorityClass, ...]:
    return (
        PriorityClass("urgent", 0.38, 20.0, True),
        PriorityClass("soon", 0.37, 60.0, False),
        PriorityClass("routine", 0.25, 120.0, False),
    )


@dataclass(frozen=True)
class Clinical:
    """The clinical stage: warm transfer, the call-back queue and its attempts.

    Clinicians take live (warm-transfer) callers first, then call-backs in
    order of ``discipline``: ``priority`` serves the highest class first and
    the longest-waiting within it; ``deadline`` serves the earliest
    (end of advisor call + class target) first.
    """

    priorities: tuple[PriorityClass, ...] = spec(
        default_factory=_default_priorities,
        doc="Priority classes, highest first.",
    )
    discipline: str = spec("priority", doc="Call-back order.", choices=("priority", "deadline"))
    warm_transfer_hold_max_min: float = spec(
        0.0,
        doc="How long a warm-transfer caller holds for a clinician before becoming a call-back.",
        unit="min",
        ge=0,
    )
    callback_no_answer_share: float = spec(
        0.10, doc="Chance a call-back attempt is not answered (E).", ge=0, lt=1
    )
    callback_retry_delay_min: float = spec(
        15.0, doc="Wait before trying an unanswered call-back again.", unit="min", ge=0
    )
    callback_max_attempts: int = spec(3, doc="Attempts before giving up.", ge=1)
    callback_no_answer_min: float = spec(
        2.0, doc="Clinician time spent on an unanswered attempt.", unit="min", ge=0
    )
    disposition: DispositionMix = spec(
        default_factory=lambda: DispositionMix(
            ambulance=0.05,
            ed=0.06,
            primary_care=0.49,
            other_service=0.05,
            pharmacy=0.05,
            self_care=0.30,
        ),
        doc="Dispositions given by clinicians (more self-care, less 999/A&E; E).",
    )

    def __post_init__(self) -> None:
        if not self.priorities:
            raise FieldError("priorities", "must list at least one class")
        names = [p.name for p in self.priorities]
        if len(set(names)) != len(names):
            raise FieldError("priorities", f"names must be unique, got {names}")
        if sum(p.share for p in self.priorities) <= 0:
            raise FieldError("priorities", "must have at least one share > 0")


@dataclass(frozen=True)
class DownstreamCosts:
    """NHS system cost of each disposition (2013/14 reference costs; docs/domain.md §5)."""

    ambulance: float = spec(216.0, doc="Ambulance call-out.", unit="GBP", ge=0)
    ed: float = spec(114.0, doc="A&E attendance, not admitted.", unit="GBP", ge=0)
    primary_care: float = spec(69.0, doc="GP out-of-hours case.", unit="GBP", ge=0)
    other_service: float = spec(67.0, doc="Urgent care centre or similar.", unit="GBP", ge=0)
    pharmacy: float = spec(0.0, doc="Community pharmacy consultation.", unit="GBP", ge=0)
    self_care: float = spec(0.0, doc="Self-care advice.", unit="GBP", ge=0)


@dataclass(frozen=True)
class Penalty:
    """A contract penalty charged when a KPI misses its threshold over the run."""

    kpi: str = spec(doc="KPI key, e.g. 'answered_within_60s'.")
    threshold: float = spec(doc="Value the KPI must reach (or stay under).")
    amount_gbp: float = spec(doc="Charged per run in which the KPI misses.", unit="GBP", ge=0)
    higher_is_better: bool = spec(True, doc="Whether the KPI must be >= (else <=) threshold.")

    def __post_init__(self) -> None:
        from sim111.kpis import KPI_BY_KEY, PER_CLASS_PREFIX  # the registry imports this module

        if self.kpi not in KPI_BY_KEY and not self.kpi.startswith(PER_CLASS_PREFIX):
            raise FieldError(
                "kpi", f"must be a KPI key such as 'answered_within_60s', got {self.kpi!r}"
            )


@dataclass(frozen=True)
class Costs:
    """On-costs, shrinkage, overheads, the contract price and penalties.

    Staff cost of a rostered hour = basic rate x (1 + unsocial-hours uplift)
    x (1 + `on_cost_share`) / (1 - `shrinkage`): roster counts are people on
    the phones, and shrinkage (leave, training, sickness, breaks) is paid time
    off them. Overheads are a share of direct staff cost. Revenue is
    `price_per_call_gbp` per answered call, or a block payment of
    `price_per_head_per_year_gbp` x population, pro rata for the run.
    """

    paid_hours_per_year: float = spec(1955.0, doc="Paid hours a year (D).", unit="h", gt=0)
    on_cost_share: float = spec(0.0, doc="Employer NI and pension, share of pay.", ge=0)
    shrinkage: float = spec(0.0, doc="Share of paid time not on the phones.", ge=0, lt=1)
    overhead_share: float = spec(0.0, doc="Overheads as a share of direct staff cost.", ge=0)
    price_per_call_gbp: float | None = spec(
        None, doc="Contract price per answered call.", unit="GBP", ge=0
    )
    price_per_head_per_year_gbp: float | None = spec(
        None, doc="Block contract price per head of population a year.", unit="GBP", ge=0
    )
    downstream: DownstreamCosts = spec(
        default_factory=DownstreamCosts, doc="System cost per disposition (reported apart)."
    )
    penalties: tuple[Penalty, ...] = spec((), doc="KPI penalties (array of tables).")

    def __post_init__(self) -> None:
        if self.price_per_call_gbp is not None and self.price_per_head_per_year_gbp is not None:
            raise FieldError(
                "price_per_call_gbp", "and 'price_per_head_per_year_gbp' cannot both be given"
            )


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: run settings, demand, callers, advisors and clinicians."""

    advisors: StaffGroup = spec(doc="Health advisors (call handlers).")
    name: str = spec("scenario", doc="Name shown in reports; defaults to the file name.")
    description: str = spec("", doc="Free text for reports.")
    run: RunSettings = spec(default_factory=RunSettings, doc="Run settings.")
    demand: Demand = spec(default_factory=Demand, doc="Call arrivals.")
    callers: Callers = spec(default_factory=Callers, doc="Caller behaviour.")
    triage: Triage = spec(default_factory=Triage, doc="Advisor triage and dispositions.")
    clinical: Clinical = spec(default_factory=Clinical, doc="The clinical stage.")
    clinicians: tuple[ClinicianGroup, ...] = spec((), doc="Clinician groups (array of tables).")
    providers: tuple[Provider, ...] = spec((), doc="Overflow providers (array of tables).")
    overflow: tuple[OverflowRule, ...] = spec((), doc="Overflow rules, tried in order.")
    downstream: tuple[DownstreamService, ...] = spec(
        (), doc="Downstream services with finite capacity (array of tables)."
    )
    costs: Costs = spec(default_factory=Costs, doc="Costs and contract price.")

    def __post_init__(self) -> None:
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names):
            raise FieldError("providers", f"names must be unique, got {names}")
        for k, rule in enumerate(self.overflow):
            if rule.provider not in names:
                raise FieldError(
                    f"overflow.{k}.provider",
                    f"must name a provider in [[providers]] ({', '.join(names) or 'none defined'}),"
                    f" got {rule.provider!r}",
                )
        services = [d.name for d in self.downstream]
        if len(set(services)) != len(services):
            raise FieldError("downstream", f"names must be unique, got {services}")
        for disposition in DISPOSITIONS:
            total = sum(d.share for d in self.downstream if d.takes == disposition)
            if total > 1 + 1e-9:
                raise FieldError(
                    "downstream",
                    f"shares of disposition {disposition!r} add up to {total:g}; at most 1",
                )
        needs = max(
            [self.triage.clinical_share] + [self.triage.clinical_share_on(d) for d in DAY_TYPES]
        )
        if needs > 0 and not self.clinicians:
            raise FieldError(
                "clinicians", "must define at least one group when triage.clinical_share > 0"
            )
        classes = {p.name for p in self.clinical.priorities}
        served: set[str] = set()
        for k, group in enumerate(self.clinicians):
            unknown = set(group.serves) - classes
            if unknown:
                raise FieldError(
                    f"clinicians.{k}.serves",
                    f"names unknown classes {sorted(unknown)}; classes are {sorted(classes)}",
                )
            served |= set(group.serves) or classes
        if self.clinicians and served != classes:
            raise FieldError("clinicians", f"no group serves class(es) {sorted(classes - served)}")
        if self.run.warmup_min >= self.run.horizon_min:
            raise FieldError(
                "run.warmup_min",
                f"must be shorter than the run ({self.run.horizon_min:g} min), "
                f"got {self.run.warmup_min:g}",
            )

    def to_data(self) -> dict[str, Any]:
        """The scenario as plain TOML-like data."""
        return to_data(self)

    def with_overrides(self, overrides: dict[str, Any], source: str = "override") -> Scenario:
        """A new scenario with ``{"dotted.key": value}`` applied and validated.

        Raises :class:`ScenarioError` naming the key when a key is unknown or a
        value is not allowed.
        """
        data = self.to_data()
        for key, value in overrides.items():
            _set_dotted(data, key, value, source)
        return scenario_from_data(data, source)


def _set_dotted(data: dict[str, Any], key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{source}: '{where}' must index the list (0..{len(node) - 1})")
            node = node[int(part)]
        else:
            if not isinstance(node, dict):
                raise ScenarioError(f"{source}: '{where}' is not a table")
            node = node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise ScenarioError(f"{source}: '{key}' must index the list (0..{len(node) - 1})")
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"{source}: '{'.'.join(parts[:-1])}' is not a table")


def scenario_from_data(data: dict[str, Any], source: str) -> Scenario:
    """Validate TOML-like ``data`` into a :class:`Scenario`; errors name ``source``."""
    try:
        return build(Scenario, copy.deepcopy(data))
    except FieldError as err:
        key = f"'{err.key}' " if err.key else ""
        raise ScenarioError(f"{source}: {key}{err.message}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read: {err.strerror}") from None


def _merge(
    base: dict[str, Any], top: dict[str, Any], source: str, origin: dict[str, str], prefix: str = ""
) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, source, origin, dotted + ".")
        elif isinstance(value, dict) and isinstance(out.get(key), list) and value:
            # [clinicians.0.handle_time] changes one element of the base's array
            items = list(out[key])
            for index, part in value.items():
                if not (index.isdigit() and int(index) < len(items)):
                    raise ScenarioError(
                        f"{source}: '{dotted}.{index}' must index the base's list "
                        f"(0..{len(items) - 1})"
                    )
                if not isinstance(part, dict) or not isinstance(items[int(index)], dict):
                    raise ScenarioError(f"{source}: '{dotted}.{index}' must be a table")
                items[int(index)] = _merge(
                    items[int(index)], part, source, origin, f"{dotted}.{index}."
                )
            out[key] = items
        else:
            out[key] = value
            for k in [k for k in origin if k == dotted or k.startswith(dotted + ".")]:
                del origin[k]
            origin[dotted] = source
    return out


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """The file's data with its ``extends`` chain applied, and where each key came from."""
    data = _read_toml(path)
    base_name = data.pop("extends", None)
    if base_name is None:
        origin = {key: str(path) for key in data}
        return data, origin
    if not isinstance(base_name, str):
        raise ScenarioError(f"{path}: 'extends' must be the path of a scenario file")
    base_path = (path.parent / base_name).resolve()
    if base_path in seen:
        raise ScenarioError(f"{path}: 'extends' makes a loop through {base_path.name}")
    base, origin = _resolve(base_path, (*seen, base_path))
    base.pop("name", None)  # a scenario is named after its own file unless it says
    merged = _merge(base, data, str(path), origin)
    return merged, origin


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    A file may say ``extends = "base.toml"`` (relative to itself) and set only
    what differs: tables merge key by key; arrays (shifts, priorities) and
    values replace the base's, except that a table keyed by indices
    (``[clinicians.0.handle_time]``) changes those elements of the base's
    array. Raises :class:`ScenarioError` with the file that set the offending
    key, the dotted key and what is allowed.
    """
    path = Path(path)
    data, origin = _resolve(path.resolve(), (path.resolve(),))
    data.setdefault("name", path.stem)
    try:
        return build(Scenario, copy.deepcopy(data))
    except FieldError as err:
        source = str(path)
        parts = err.key.split(".") if err.key else []
        for n in range(len(parts), 0, -1):
            found = origin.get(".".join(parts[:n]))
            if found is not None:
                source = found if Path(found) != path.resolve() else str(path)
                break
        key = f"'{err.key}' " if err.key else ""
        raise ScenarioError(f"{source}: {key}{err.message}") from None


__all__ = [
    "DAY_TYPES",
    "Callers",
    "Demand",
    "Distribution",
    "RunSettings",
    "Scenario",
    "Shift",
    "StaffGroup",
    "load_scenario",
    "scenario_from_data",
]
