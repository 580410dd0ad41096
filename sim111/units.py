"""Units of time, in one place: the clock runs in minutes from 00:00 of the first day.

Model code names these instead of writing bare 60 or 1440, so a reader sees
which conversion is meant and a change of time base is one edit.
"""

from __future__ import annotations

import re

from sim111.errors import FieldError, shown

SECONDS_PER_MIN = 60.0
MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
MINUTES_PER_DAY = MINUTES_PER_HOUR * HOURS_PER_DAY
DAYS_PER_YEAR = 365  # calls-per-year rates and block prices are per 365-day year
_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2})")  # ASCII digits only (not '０８' or '²')


def seconds(minutes: float) -> float:
    """``minutes`` in seconds."""
    return minutes * SECONDS_PER_MIN


def per_minute(rate_per_hour: float) -> float:
    """A rate per hour as a rate per minute."""
    return rate_per_hour / MINUTES_PER_HOUR


def parse_clock_min(key: str, text: str) -> int:
    """Minutes after midnight of an ``HH:MM`` string (``24:00`` allowed).

    Raises :class:`~sim111.errors.FieldError` naming ``key`` otherwise.
    """
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    ok = match is not None
    if match is not None:
        hours, minutes = int(match[1]), int(match[2])
        ok = (
            hours <= HOURS_PER_DAY
            and minutes < MINUTES_PER_HOUR
            and hours * MINUTES_PER_HOUR + minutes <= MINUTES_PER_DAY
        )
    if not ok:
        raise FieldError(key, f"must be a time 'HH:MM' from 00:00 to 24:00, got {shown(text)}")
    return hours * MINUTES_PER_HOUR + minutes


def clock_text(minute_of_day: int) -> str:
    """``HH:MM`` for minutes after midnight (``24:00`` for a whole day)."""
    hours, minutes = divmod(minute_of_day, MINUTES_PER_HOUR)
    return f"{hours:02d}:{minutes:02d}"
