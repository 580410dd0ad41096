"""Which kind of day is each simulated date.

Day types drive the hourly demand profile, the roster and (later) pay
enhancements: ``weekday``, ``saturday``, ``sunday`` or ``bank_holiday``
(England, from the ``holidays`` package). A bank holiday outranks the day of
the week. When Christmas or Boxing Day falls at a weekend, both the day
itself and its substitute weekday count as holidays: GP practices are shut
on both, which is what drives 111 demand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays

from sim111.units import MINUTES_PER_DAY

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=64)
def england_bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def day_type(date: dt.date) -> str:
    """``bank_holiday``, ``saturday``, ``sunday`` or ``weekday`` for ``date``."""
    if date in england_bank_holidays(date.year):
        return "bank_holiday"
    weekday = date.weekday()
    if weekday == 5:
        return "saturday"
    if weekday == 6:
        return "sunday"
    return "weekday"


@dataclass(frozen=True)
class Day:
    """One calendar day of a run; ``index`` 0 is the first simulated day."""

    index: int
    date: dt.date
    day_type: str

    @property
    def weekday_name(self) -> str:
        """``monday`` .. ``sunday``."""
        return WEEKDAY_NAMES[self.date.weekday()]

    @property
    def start_min(self) -> int:
        """Minutes from the start of the run to this day's midnight."""
        return self.index * MINUTES_PER_DAY


@lru_cache(maxsize=64)
def run_days(start_date: dt.date, days: int, lead_days: int = 0) -> tuple[Day, ...]:
    """The days of a run, preceded by ``lead_days`` days with negative indices.

    Lead days exist for rosters: a night shift that starts the evening before
    the run is on duty at its first minute. Cached: every replication of a
    scenario asks for the same days.
    """
    return tuple(
        Day(i, start_date + dt.timedelta(days=i), day_type(start_date + dt.timedelta(days=i)))
        for i in range(-lead_days, days)
    )
