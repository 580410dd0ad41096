"""KPIs by day, by week and by month: what whole-run means average away.

A run starts at midnight on its first date, so its days are the multiples of
1440 min; its weeks run Monday to Sunday (the first and last may be partial),
its months are calendar months. Each period's KPIs follow the run-level
definitions (:mod:`sim111.kpi_keys`; the same helpers as
:mod:`sim111.measures.intervals`), restricted to the calls offered in the
period; staffing and utilisation are time-averages over it.

Unlike interval KPIs, the warm-up is left out as it is from run-level KPIs:
calls offered during it count in no period, and time-averages start when it
ends, so the periods' calls offered add up to the run's. A period wholly in
the warm-up is kept, flagged ``in_warmup``, with no calls and NaN averages.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sim111.engine.calendar import WEEKDAY_NAMES, day_type
from sim111.engine.memory import release_freed_memory
from sim111.engine.records import RunRecords
from sim111.measures.intervals import call_slots, slot_columns, time_columns
from sim111.units import MINUTES_PER_DAY

PERIOD_KINDS = ("day", "week", "month")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# interval column -> the run-level KPI key it is the period's value of
RENAMED = {
    "advisors_on_duty": "mean_advisors_on_duty",
    "awaiting_clinician": "mean_awaiting_clinician",
    "clinicians_on_duty": "mean_clinicians_on_duty",
}
DROPPED = ("advisors_busy", "clinicians_busy")  # utilisation x on duty
LABEL_COLUMNS = (
    "period",
    "period_index",
    "period_start",
    "start_min",
    "end_min",
    "length_days",
    "label",
    "weekday",
    "day_type",
    "in_warmup",
)


def _first_days(start_date: dt.date, days: int, kind: str) -> list[int]:
    """Day offsets (from ``start_date``) on which a period of ``kind`` begins, 0 first."""
    if kind == "day":
        return list(range(days))
    if kind == "week":
        to_monday = (7 - start_date.weekday()) % 7
        return sorted({0, *range(to_monday, days, 7)})
    if kind == "month":
        out, date = [0], start_date
        while True:
            date = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
            offset = (date - start_date).days
            if offset >= days:
                return out
            out.append(offset)
    raise ValueError(f"period kind must be one of {', '.join(PERIOD_KINDS)}, got {kind!r}")


def period_edges_min(start_date: dt.date, horizon_min: float, kind: str) -> np.ndarray:
    """Minutes from the run's start at which each period of ``kind`` begins, then the end.

    The last period ends with the run (possibly part-way through a day).
    """
    days = math.ceil(horizon_min / MINUTES_PER_DAY)
    starts = [d * MINUTES_PER_DAY for d in _first_days(start_date, days, kind)]
    return np.array([*starts, horizon_min], dtype=float)


def _date_text(date: dt.date, year: bool = True) -> str:
    """``Fri 29 Mar 2013`` (whatever the locale)."""
    text = f"{WEEKDAY_NAMES[date.weekday()][:3].title()} {date.day} {MONTH_ABBR[date.month - 1]}"
    return f"{text} {date.year}" if year else text


def _label(kind: str, first: dt.date, last: dt.date) -> str:
    """How tables name a period: ``Fri 29 Mar 2013``, ``Mon 1 Apr - Sun 7 Apr 2013``,
    ``Apr 2013``."""
    if kind == "day":
        return _date_text(first)
    if kind == "week":
        return f"{_date_text(first, year=first.year != last.year)} - {_date_text(last)}"
    return f"{MONTH_ABBR[first.month - 1]} {first.year}"


def _labels(rec: RunRecords, kind: str, edges: np.ndarray) -> dict[str, object]:
    """The columns saying which period each row is."""
    starts = [rec.start_date + dt.timedelta(days=int(e // MINUTES_PER_DAY)) for e in edges[:-1]]
    lasts = [
        rec.start_date + dt.timedelta(days=math.ceil(e / MINUTES_PER_DAY) - 1) for e in edges[1:]
    ]
    days = kind == "day"
    return {
        "period": kind,
        "period_index": np.arange(len(starts)),
        "period_start": pd.to_datetime(starts),
        "start_min": edges[:-1],
        "end_min": edges[1:],
        "length_days": np.diff(edges) / MINUTES_PER_DAY,
        "label": [_label(kind, a, b) for a, b in zip(starts, lasts, strict=True)],
        "weekday": [WEEKDAY_NAMES[d.weekday()] if days else None for d in starts],
        "day_type": [day_type(d) if days else None for d in starts],
        "in_warmup": edges[1:] <= rec.warmup_min,
    }


def _kind_kpis(rec: RunRecords, kind: str) -> pd.DataFrame:
    """One row per period of ``kind``."""
    edges = period_edges_min(rec.start_date, rec.horizon_min, kind)
    n = edges.size - 1
    arrival = rec.calls.arrival_min
    slot = np.searchsorted(edges, arrival, side="right")
    slot -= 1
    np.clip(slot, 0, n - 1, out=slot)
    if rec.warmup_min > 0:
        slot[arrival < rec.warmup_min] = n
    slot = call_slots(slot, n)
    measured = np.maximum(edges, min(rec.warmup_min, rec.horizon_min))
    release_freed_memory()  # (the int64 slots, before the columns' temporaries)
    columns = slot_columns(rec, slot, n)
    del slot
    release_freed_memory()
    columns.update(time_columns(rec, measured))
    frame = pd.DataFrame({**_labels(rec, kind, edges), **columns})
    return frame.drop(columns=list(DROPPED)).rename(columns=RENAMED)


def period_kpis(rec: RunRecords, kinds: tuple[str, ...] = PERIOD_KINDS) -> pd.DataFrame:
    """KPIs of one replication by day, week and month (``kinds``), stacked.

    One row per period: ``period`` (its kind), ``period_index`` (0 first, per
    kind), ``period_start`` (its first date), ``start_min``/``end_min`` (from the
    run's start), ``length_days``, ``label``, ``weekday`` and ``day_type`` (days
    only, from the calendar: ``weekday``, ``saturday``, ``sunday``,
    ``bank_holiday``), ``in_warmup``; then the KPI columns, named as the
    run-level KPIs they restrict to the period.
    """
    frames = []
    for kind in kinds:  # each kind's temporaries freed and handed back before the next's
        release_freed_memory()
        frames.append(_kind_kpis(rec, kind))
    return pd.concat(frames, ignore_index=True)
