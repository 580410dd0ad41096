"""When calls arrive: volume, day and month multipliers, time-of-day profile.

Defaults are NHS 111 figures with their sources (``docs/domain.md`` §3).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.scenario.schema import spec
from sim111.units import DAYS_PER_YEAR
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
        return self.population * self.calls_per_1000_per_year / 1000 / DAYS_PER_YEAR * self.scale
