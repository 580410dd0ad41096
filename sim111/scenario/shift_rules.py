"""What shifts a roster search may use: lengths, start times and head-counts per line.

``sim111 staff`` (:mod:`sim111.planning.staffing`) builds rosters from shift
lines: ``count`` people starting at the same time for the same length on
the same day types. These rules, per staff group, say which lines it may
use (:class:`ShiftRules`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim111.errors import FieldError, shown
from sim111.scenario.schema import spec
from sim111.units import HOURS_PER_DAY, MINUTES_PER_DAY, MINUTES_PER_HOUR, parse_clock_min

GRID_MIN = 30  # the planning grid: shifts start and end on the half hour
GRID_H = GRID_MIN / MINUTES_PER_HOUR


def _on_grid(hours: float) -> bool:
    return (hours / GRID_H) % 1 == 0


@dataclass(frozen=True)
class ShiftRules:
    """The shift lines `sim111 staff` may use for this group. The defaults are
    estimates (E), not published NHS 111 figures:

    - at most 12 h: the Working Time Regulations 1998 (reg. 10) give 11 h of rest
      in every 24, so a shift cannot pass 13 h, and 12 h is the usual long NHS shift;
    - at least 4 h: shorter shifts are seldom worth the journey (E);
    - lengths in steps of 2 h (4, 6, 8, 10, 12 h) and starts on the half hour (E);
    - at least 2 people on a line: one person alone at 03:00 is no line a manager
      would roster (E);
    - night shifts allowed: NHS 111 answers around the clock.

    A hand-written roster is not checked against them.
    """

    min_length_h: float = spec(
        4.0, doc="Shortest shift, whole or half hours (E).", unit="h", gt=0, le=HOURS_PER_DAY
    )
    max_length_h: float = spec(
        12.0, doc="Longest shift, whole or half hours (E).", unit="h", gt=0, le=HOURS_PER_DAY
    )
    length_step_h: float = spec(
        2.0,
        doc="Shift lengths from min_length_h up in these steps, and max_length_h (E).",
        unit="h",
        gt=0,
    )
    start_every_min: int = spec(
        GRID_MIN,
        doc="Shifts start every so many minutes from midnight (30: on the half hour, "
        "60: on the hour); a multiple of 30 that divides a day (E).",
        unit="min",
        gt=0,
    )
    starts: tuple[str, ...] = spec(
        (), doc="Allowed start times 'HH:MM' on the half hour; given, replaces start_every_min."
    )
    min_per_line: int = spec(
        2, doc="Fewest people on a shift line that is used (E).", unit="people", ge=1
    )
    night_shifts: bool = spec(
        True, doc="Whether a shift may run past midnight into the next day (E)."
    )

    def __post_init__(self) -> None:
        for key in ("min_length_h", "max_length_h", "length_step_h"):
            if not _on_grid(getattr(self, key)):
                raise FieldError(key, f"must be whole or half hours, got {getattr(self, key):g}")
        if self.min_length_h > self.max_length_h:
            raise FieldError(
                "min_length_h",
                f"must be <= max_length_h ({self.max_length_h:g}), got {self.min_length_h:g}",
            )
        every = self.start_every_min
        if every % GRID_MIN or MINUTES_PER_DAY % every:
            raise FieldError(
                "start_every_min",
                f"must be a multiple of {GRID_MIN} that divides {MINUTES_PER_DAY}, got {every}",
            )
        for i, text in enumerate(self.starts):
            minute = parse_clock_min(f"starts.{i}", text)
            if minute % GRID_MIN or minute >= MINUTES_PER_DAY:
                raise FieldError(
                    f"starts.{i}", f"must be on the half hour before 24:00, got {shown(text)}"
                )

    @property
    def lengths_h(self) -> tuple[float, ...]:
        """Allowed lengths: ``min_length_h`` up by ``length_step_h``, and ``max_length_h``."""
        out = []
        length = self.min_length_h
        while length < self.max_length_h:
            out.append(length)
            length += self.length_step_h
        return (*out, self.max_length_h)

    @property
    def start_mins(self) -> tuple[int, ...]:
        """Allowed start times, minutes after midnight, in order."""
        if self.starts:
            return tuple(sorted({parse_clock_min("starts", s) for s in self.starts}))
        return tuple(range(0, MINUTES_PER_DAY, self.start_every_min))

    def text(self) -> str:
        """The rules in words, e.g. ``4-12 h shifts, starting every 30 min, >= 2 a line``."""
        lengths = ", ".join(f"{h:g}" for h in self.lengths_h)
        if self.starts:
            when = "starting at " + ", ".join(sorted(self.starts))
        else:
            when = f"starting every {self.start_every_min} min"
        nights = "" if self.night_shifts else ", none past midnight"
        return f"{lengths} h shifts {when}, at least {self.min_per_line} a line{nights}"
