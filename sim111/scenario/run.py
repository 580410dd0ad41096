"""How long, from when, and how many times to simulate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.scenario.schema import spec
from sim111.units import MINUTES_PER_DAY

FIRST_YEAR, LAST_YEAR = 1900, 2199  # England bank holidays are computed in this range


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
