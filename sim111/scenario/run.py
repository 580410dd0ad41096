"""How long, from when, and how many times to simulate."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sim111.errors import FieldError
from sim111.scenario.schema import spec
from sim111.units import HOURS_PER_DAY, MINUTES_PER_DAY, MINUTES_PER_HOUR

FIRST_YEAR, LAST_YEAR = 1900, 2199  # England bank holidays are computed in this range
DEFAULT_DAYS = 7
MAX_DAYS = 3660
MAX_REPLICATIONS = 100_000
LENGTH_KEYS = ("days", "hours", "minutes")  # give one; days = 7 when none is given


def set_run_length(run: dict[str, Any], chosen: dict[str, Any]) -> None:
    """Put the run-length key of ``chosen`` (run data) into ``run``, dropping the others.

    A file that extends a 7-day base with ``hours = 6``, or ``--set run.hours=6``,
    changes the length rather than giving two.
    """
    if any(key in chosen for key in LENGTH_KEYS):
        for key in LENGTH_KEYS:
            run.pop(key, None)
        run.update({key: chosen[key] for key in LENGTH_KEYS if key in chosen})


@dataclass(frozen=True)
class RunSettings:
    """How long, from when, and how many times to simulate.

    The run lasts ``days``, ``hours`` or ``minutes`` (one of them; 7 days when
    none is given) from 00:00 on ``start_date``, a whole number of reporting
    intervals. A run that ends part-way through a day rosters and prices that
    day's shifts only up to the end of the run, and no call arrives after it.
    """

    start_date: dt.date = spec(
        dt.date(2015, 3, 2), doc="First simulated day; the clock starts at its 00:00."
    )
    days: int | None = spec(
        None,
        doc=f"Run length in days; {DEFAULT_DAYS} when no length is given.",
        unit="days",
        ge=1,
        le=MAX_DAYS,
    )
    hours: float | None = spec(
        None,
        doc="Run length in hours, instead of days.",
        unit="h",
        gt=0,
        le=MAX_DAYS * HOURS_PER_DAY,
    )
    minutes: float | None = spec(
        None,
        doc="Run length in minutes, instead of days or hours.",
        unit="min",
        gt=0,
        le=MAX_DAYS * MINUTES_PER_DAY,
    )
    warmup_min: float = spec(
        0.0,
        doc="Calls arriving before this time are simulated but left out of KPIs.",
        unit="min",
        ge=0,
        le=MAX_DAYS * MINUTES_PER_DAY,
    )
    interval_min: int = spec(
        30, doc="Length of the reporting intervals; must divide 1440.", unit="min", ge=1
    )
    replications: int = spec(
        10, doc="Replications when the CLI gives none.", ge=1, le=MAX_REPLICATIONS
    )
    seed: int = spec(20130329, doc="Base seed when the CLI gives none.", ge=0, le=2**63 - 1)

    def __post_init__(self) -> None:
        given = [key for key in LENGTH_KEYS if getattr(self, key) is not None]
        if len(given) > 1:
            raise FieldError(given[1], f"and '{given[0]}' both give the run length; give one")
        if not given:
            object.__setattr__(self, "days", DEFAULT_DAYS)
        first = self.start_date
        if not FIRST_YEAR <= first.year <= LAST_YEAR or (
            (first + dt.timedelta(days=self.calendar_days)).year > LAST_YEAR
        ):
            raise FieldError(
                "start_date",
                f"must put the run between {FIRST_YEAR} and {LAST_YEAR}, got {first} + "
                f"{self.length_text}",
            )
        if MINUTES_PER_DAY % self.interval_min:
            raise FieldError(
                "interval_min", f"must divide 1440 (e.g. 15, 30, 60), got {self.interval_min}"
            )
        if not (self.horizon_min / self.interval_min).is_integer():
            raise FieldError(
                given[0] if given else "days",
                f"must make the run a whole number of intervals (interval_min = "
                f"{self.interval_min}), got {self.horizon_min:g} min",
            )

    @property
    def horizon_min(self) -> float:
        """End of the simulated time, in minutes from the start."""
        if self.minutes is not None:
            return float(self.minutes)
        if self.hours is not None:
            return float(self.hours * MINUTES_PER_HOUR)
        assert self.days is not None
        return float(self.days * MINUTES_PER_DAY)

    @property
    def calendar_days(self) -> int:
        """The calendar days the run touches (a 6-hour run: 1), for calendars and rosters."""
        return math.ceil(self.horizon_min / MINUTES_PER_DAY)

    @property
    def length_text(self) -> str:
        """The run length as given: "7 days", "6 hours", "90 minutes"."""
        for key in LENGTH_KEYS:
            value = getattr(self, key)
            if value is not None:
                unit = key if value != 1 else key.removesuffix("s")
                return f"{value:g} {unit}"
        raise AssertionError("a run always has a length")
