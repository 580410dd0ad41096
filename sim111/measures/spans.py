"""Time spent in spans (advisor calls, queueing): person-minutes up to given times.

A span is a start and an end in minutes; the count of open spans is a step
function whose integral up to any time comes from the sorted starts and ends
and their running sums (no loop over calls, no per-minute grid). Used by the
run-level, interval, period and per-area KPIs.
"""

from __future__ import annotations

import numpy as np

from sim111.engine.records import RunRecords


def busy_integral_to(
    starts: np.ndarray, ends: np.ndarray, at_min: np.ndarray, *, owned: bool = False
) -> np.ndarray:
    """Person-minutes inside spans ``[starts, ends)`` from 0 to each time in ``at_min``.

    ``owned``: ``starts`` and ``ends`` are the caller's own copies, which may be
    sorted and overwritten in place (no copy of them is made).
    """
    at = np.asarray(at_min, dtype=float)
    ns, cs = _sorted_sums(starts, at, owned)
    ne, ce = _sorted_sums(ends, at, owned)
    return (at * ns - cs) - (at * ne - ce)


def _sorted_sums(
    values: np.ndarray, at: np.ndarray, owned: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """How many of ``values`` are at most each of ``at``, and their sum (the running
    sum of the sorted values). One sorted copy (none if ``owned``), summed in place:
    a year of England is 13 million spans, and a copy of them 100 MB."""
    if owned:
        values.sort()
        s = values
    else:
        s = np.sort(values)
    n = np.searchsorted(s, at, side="right")
    np.cumsum(s, out=s)
    sums = np.where(n > 0, s[np.maximum(n - 1, 0)] if s.size else 0.0, 0.0)
    return n, sums


def advisor_spans(rec: RunRecords, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every advisor call (end = run end if still going); of the
    answered calls ``rows`` (indices), if given."""
    calls = rec.calls
    served = ~np.isnan(calls.answer_min) if rows is None else rows
    ends = calls.advisor_end_min[served]  # a copy: still going ones set to the run's end
    ends[np.isnan(ends)] = rec.horizon_min
    return calls.answer_min[served], ends


def waiting_spans(rec: RunRecords) -> tuple[np.ndarray, np.ndarray]:
    """When each call joined and left the advisor queue."""
    calls = rec.calls
    left = np.where(np.isnan(calls.answer_min), calls.end_min, calls.answer_min)
    left[np.isnan(left)] = rec.horizon_min
    return calls.arrival_min, left


def window_integral(
    starts: np.ndarray, ends: np.ndarray, a: float, b: float, owned: bool = False
) -> float:
    """Person-minutes inside spans ``[starts, ends)`` between ``a`` and ``b``."""
    values = busy_integral_to(starts, ends, np.array([a, b]), owned=owned)
    return max(float(values[1] - values[0]), 0.0)  # never negative by a rounding error
