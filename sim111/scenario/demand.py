"""When calls arrive: volume, day and month multipliers, time-of-day profile.

Defaults are NHS 111 figures with their sources (``docs/domain.md`` §3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.scenario.history import DemandHistory
from sim111.scenario.limits import MAX_CALLS_PER_DAY, MAX_POPULATION
from sim111.scenario.schema import spec
from sim111.units import DAYS_PER_YEAR, HOURS_PER_DAY
from sim111.vocabulary import DAY_TYPES

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
class DemandDate:
    """Demand on named dates: `date`, or `date` to `end_date` inclusive.

    `multiplier` multiplies the calls those dates would otherwise expect (from the
    rule or the history), e.g. Easter Saturday x 1.3; `calls` replaces them with
    that many expected calls on each of the dates (still x `demand.scale`). Set at
    most one. `day_type` makes the dates' demand follow another day type's
    hourly profile (and, under the rule, its day multiplier); it changes demand
    only: rosters and day-type shares still follow the calendar.
    """

    date: dt.date = spec(doc="First (or only) date.")
    end_date: dt.date | None = spec(None, doc="Last date of a range, inclusive.")
    multiplier: float | None = spec(None, doc="Multiplies the dates' expected calls.", ge=0)
    calls: float | None = spec(
        None, doc="Expected calls on each of the dates, instead.", unit="calls/day", ge=0
    )
    day_type: str | None = spec(
        None, doc="Day type whose demand profile the dates follow.", choices=DAY_TYPES
    )

    def __post_init__(self) -> None:
        if self.multiplier is not None and self.calls is not None:
            raise FieldError("calls", "or 'multiplier' may be set, not both")
        if self.multiplier is None and self.calls is None and self.day_type is None:
            raise FieldError("multiplier", "or 'calls' or 'day_type' is required")
        if self.end_date is not None and self.end_date < self.date:
            raise FieldError("end_date", f"must be on or after date {self.date}")

    @property
    def last_date(self) -> dt.date:
        """The last date these apply to."""
        return self.end_date or self.date


@dataclass(frozen=True)
class Demand:
    """When calls arrive.

    ``kind = "profile"``: calls per day = population x calls_per_1000_per_year
    / 1000 / 365 x day multiplier x month multiplier x scale x a day-level
    random factor (mean 1, coefficient of variation ``overdispersion_cv``),
    spread over the day by the hourly profile of its day type.
    ``kind = "stationary"``: a constant ``calls_per_hour``, for validation.
    Under `profile`, `[demand.history]` (a CSV of counts) and `[[demand.dates]]`
    (per-date multipliers or volumes) replace the rule where they apply
    (`docs/demand-data.md`).
    Either way, arrivals are a (non-homogeneous) Poisson process given the rates.
    """

    kind: str = spec("profile", doc="Shape of demand.", choices=("profile", "stationary"))
    calls_per_hour: float | None = spec(
        None,
        doc="Constant arrival rate; stationary only.",
        unit="calls/h",
        gt=0,
        le=MAX_CALLS_PER_DAY / HOURS_PER_DAY,
    )
    population: int = spec(
        1_000_000, doc="Population served.", unit="people", ge=1, le=MAX_POPULATION
    )
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
    history: DemandHistory | None = spec(None, doc="Expected calls from a CSV of counts.")
    dates: tuple[DemandDate, ...] = spec(
        (), doc="Per-date multipliers or volumes, in date order, not overlapping."
    )

    def __post_init__(self) -> None:
        if self.kind == "stationary" and self.calls_per_hour is None:
            raise FieldError("calls_per_hour", "is required when kind = 'stationary'")
        if self.kind == "profile" and self.calls_per_hour is not None:
            raise FieldError("calls_per_hour", "applies only when kind = 'stationary'")
        if self.kind == "stationary" and (self.history or self.dates):
            raise FieldError("history" if self.history else "dates", "apply only to 'profile'")
        self._check_volume()
        for k in range(1, len(self.dates)):
            before, this = self.dates[k - 1], self.dates[k]
            if this.date <= before.last_date:
                raise FieldError(
                    f"dates.{k}.date",
                    f"must come after the previous entry's last date {before.last_date} "
                    f"(dates in order, ranges not overlapping), got {this.date}",
                )

    def _check_volume(self) -> None:
        """The busiest day the rule can give stays within the limit of calls a day."""
        day = max(vars(self.day_multipliers).values()) * max(self.month_multipliers)
        peak = max([1.0] + [d.multiplier for d in self.dates if d.multiplier is not None])
        days = [self.mean_calls_per_day * day * peak]
        days += [self.scale * d.calls for d in self.dates if d.calls is not None]
        if self.kind == "stationary" and self.calls_per_hour is not None:
            days.append(self.calls_per_hour * HOURS_PER_DAY)
        if self.history is not None and self.history.calls:
            days.append(self.scale * self.history.per_day * max(self.history.calls) * peak)
        if max(days) > MAX_CALLS_PER_DAY:
            raise FieldError(
                "scale" if self.scale > 1 else "",
                f"gives up to {max(days):,.0f} expected calls a day; at most "
                f"{MAX_CALLS_PER_DAY:,} (population, calls_per_1000_per_year, scale and "
                "multipliers together)",
            )

    def uncovered_dates(self, start_date: dt.date, days: int) -> list[dt.date]:
        """Run dates with no demand: not in the history, when ``fill`` is ``none``.

        Dates whose ``calls`` are given in ``dates`` need no history.
        """
        history = self.history
        if history is None or history.fill == "rule":
            return []
        run = (start_date + dt.timedelta(days=i) for i in range(days))
        return [
            d
            for d in run
            if history.day_calls(d) is None
            and not any(e.calls is not None and e.date <= d <= e.last_date for e in self.dates)
        ]

    @property
    def mean_calls_per_day(self) -> float:
        """Calls on a mean day before day, month and random factors."""
        return self.population * self.calls_per_1000_per_year / 1000 / DAYS_PER_YEAR * self.scale
