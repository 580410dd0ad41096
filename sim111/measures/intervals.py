"""KPIs per reporting interval (half-hours by default), for plots and staffing.

Calls are counted in the interval in which they were offered; staffing,
utilisation and queue lengths are time-averages over each interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim111.engine.records import ABANDONED, RunRecords
from sim111.kpi_keys import ABANDON_GRACE_S, ANSWER_TARGET_S, CALLBACK_TARGET_MIN
from sim111.measures.kpis import advisor_spans, busy_integral_to, callback_waits_min, waiting_spans


def _grouped_mean(values: np.ndarray, slots: np.ndarray, n: int) -> np.ndarray:
    total = np.bincount(slots, weights=values, minlength=n)
    count = np.bincount(slots, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def grouped_percentile(values: np.ndarray, slots: np.ndarray, n: int, q: float) -> np.ndarray:
    """The ``q``-th percentile of ``values`` within each slot ``0..n-1`` (NaN if empty).

    Linear interpolation between order statistics, as ``np.percentile``'s
    default; all slots at once from one sort instead of a groupby.
    """
    out = np.full(n, math.nan)
    if not values.size:
        return out
    order = np.lexsort((values, slots))
    ordered = values[order]
    count = np.bincount(slots, minlength=n)
    some = np.flatnonzero(count)
    first = (np.cumsum(count) - count)[some]
    position = (count[some] - 1) * (q / 100)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, count[some] - 1)
    low, high = ordered[first + below], ordered[first + above]
    out[some] = low + (high - low) * (position - below)
    return out


def interval_kpis(rec: RunRecords) -> pd.DataFrame:
    """One row per interval; warm-up intervals are included and flagged ``in_warmup``."""
    calls = rec.calls
    width = rec.interval_min
    n = int(rec.horizon_min // width)
    edges = np.arange(n + 1, dtype=float) * width
    slot = np.minimum((calls.arrival_min // width).astype(int), n - 1)
    answered = ~np.isnan(calls.answer_min)
    waits_s = (calls.answer_min - calls.arrival_min) * 60
    abandoned = calls.outcome == ABANDONED
    abandon_wait_s = (calls.end_min - calls.arrival_min) * 60
    offered = np.bincount(slot, minlength=n)
    n_answered = np.bincount(slot[answered], minlength=n)
    within = np.bincount(slot[answered & (waits_s <= ANSWER_TARGET_S)], minlength=n)
    n_abandoned = np.bincount(slot[abandoned], minlength=n)
    late = np.bincount(slot[abandoned & (abandon_wait_s > ABANDON_GRACE_S)], minlength=n)
    callbacks = calls.clinical & ~calls.warm_transfer
    cb_waits = callback_waits_min(calls)
    cb_slot = slot[callbacks]
    reached = ~np.isnan(cb_waits[callbacks])
    due = callbacks & (calls.advisor_end_min <= rec.horizon_min - CALLBACK_TARGET_MIN)
    advisors_on = np.diff(rec.advisors.integral_to(edges)) / width
    advisors_busy = np.diff(busy_integral_to(*advisor_spans(rec), edges)) / width
    clinicians_on = np.diff(rec.clinicians.integral_to(edges)) / width
    clinicians_busy = np.diff(rec.clinicians_busy.integral_to(edges)) / width
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "interval_start_min": edges[:-1],
                "interval_start": pd.Timestamp(rec.start_date) + pd.to_timedelta(edges[:-1], "min"),
                "in_warmup": edges[:-1] < rec.warmup_min,
                "calls_offered": offered,
                "calls_answered": n_answered,
                "calls_abandoned": n_abandoned,
                "answered_within_60s": within / n_answered,
                "abandoned_after_30s": late / offered,
                "abandoned": n_abandoned / offered,
                "mean_answer_s": _grouped_mean(waits_s[answered], slot[answered], n),
                "p90_answer_s": grouped_percentile(waits_s[answered], slot[answered], n, 90),
                "p95_answer_s": grouped_percentile(waits_s[answered], slot[answered], n, 95),
                "mean_queue_length": np.diff(busy_integral_to(*waiting_spans(rec), edges)) / width,
                "advisors_on_duty": advisors_on,
                "advisors_busy": advisors_busy,
                "advisor_utilisation": advisors_busy / advisors_on,
                "clinical_calls": np.bincount(slot[calls.clinical], minlength=n),
                "callbacks": np.bincount(cb_slot, minlength=n),
                "callback_within_10min": np.bincount(
                    slot[due & (cb_waits <= CALLBACK_TARGET_MIN)], minlength=n
                )
                / np.bincount(slot[due], minlength=n),
                "callback_first_attempt_within_10min": np.bincount(
                    slot[
                        due
                        & (calls.first_attempt_min - calls.advisor_end_min <= CALLBACK_TARGET_MIN)
                    ],
                    minlength=n,
                )
                / np.bincount(slot[due], minlength=n),
                "mean_callback_min": _grouped_mean(
                    cb_waits[callbacks][reached], cb_slot[reached], n
                ),
                "awaiting_clinician": np.diff(rec.awaiting_clinician.integral_to(edges)) / width,
                "clinicians_on_duty": clinicians_on,
                "clinicians_busy": clinicians_busy,
                "clinician_utilisation": clinicians_busy / clinicians_on,
            }
        )
