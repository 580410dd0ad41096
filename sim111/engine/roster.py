"""Who is on duty when: shift blocks in absolute run time.

A staff group is either a constant ``count`` (on duty for the whole run) or a
roster of shifts, each worked on the day types it lists and belonging to the
day it starts on. A ``roster_scale`` scales each day's lines together
(:meth:`~sim111.scenario.StaffGroup.line_counts`). The run's calendar is
extended one day back so that a night shift starting the evening before the
run is on duty at minute 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim111.engine.calendar import run_days
from sim111.scenario import StaffGroup
from sim111.scenario.staff import scaled_count
from sim111.units import MINUTES_PER_DAY


@dataclass(frozen=True)
class ShiftBlock:
    """``count`` people rostered from ``start_min`` to ``end_min`` (run clock).

    ``start_min`` may be negative (the shift began before the run) and
    ``end_min`` may be ``inf`` (a constant head-count).
    """

    start_min: float
    end_min: float
    count: int
    label: str = ""


@lru_cache(maxsize=256)
def shift_blocks(staff: StaffGroup, start_date: dt.date, days: int) -> tuple[ShiftBlock, ...]:
    """The shift blocks of ``staff`` overlapping a run of ``days`` from ``start_date``.

    Cached (the arguments are frozen): every replication of a scenario, and every
    sweep point that leaves this group alone, works the same roster.
    """
    horizon = days * MINUTES_PER_DAY

    if staff.count is not None:
        if not staff.staffing_changes:
            n = scaled_count(staff.count, staff.scale_on(start_date))
            return (ShiftBlock(0.0, math.inf, n, "constant"),) if n else ()
        # a constant head-count that changes on dates: one block per run day
        out = []
        for day in run_days(start_date, days):
            n = scaled_count(staff.count, staff.scale_on(day.date))
            if n:
                end = math.inf if day.index == days - 1 else float(day.start_min + MINUTES_PER_DAY)
                out.append(ShiftBlock(float(day.start_min), end, n, "constant"))
        return tuple(out)
    blocks = []
    for day in run_days(start_date, days, lead_days=1):
        counts = staff.line_counts(day.date, day.day_type)
        for shift, count in zip(staff.shifts, counts, strict=True):
            if count == 0:
                continue
            start = day.start_min + shift.start_min
            end = start + shift.duration_min
            if end > 0 and start < horizon:
                label = shift.name or f"{shift.start}-{shift.end}"
                blocks.append(ShiftBlock(float(start), float(end), count, label))
    blocks.sort(key=lambda b: (b.start_min, b.end_min))
    return tuple(blocks)


def rostered_count(blocks: tuple[ShiftBlock, ...], at_min: np.ndarray) -> np.ndarray:
    """Head-count rostered at each time in ``at_min`` (shift start inclusive, end exclusive)."""
    at = np.asarray(at_min, dtype=float)
    out = np.zeros(at.shape, dtype=int)
    for b in blocks:
        out += b.count * ((at >= b.start_min) & (at < b.end_min))
    return out
