"""KPIs per reporting interval (half-hours by default), for plots and staffing.

Calls are counted in the interval in which they were offered; staffing,
utilisation and queue lengths are time-averages over each interval. Shares
follow the run-level definitions in :mod:`sim111.kpi_keys` (same thresholds,
same denominators), restricted to the calls offered in the interval:
``callback_within_10min`` counts call-backs first attempted within 10 min (the
NHS definition), ``callback_reached_within_10min`` those reaching a clinician.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim111.engine.memory import release_freed_memory
from sim111.engine.records import ABANDONED, LOST_AT_OVERFLOW, CallRecords, RunRecords
from sim111.kpi_keys import (
    ABANDON_GRACE_S,
    ANSWER_TARGET_S,
    CALLBACK_TARGET_MIN,
    DOWNSTREAM_PREFIX,
    PROVIDER_PREFIX,
)
from sim111.measures.kpis import callback_waits_min, first_attempt_waits_min
from sim111.measures.spans import advisor_spans, busy_integral_to, waiting_spans
from sim111.units import SECONDS_PER_MIN


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
    return grouped_percentiles(values, slots, n, (q,))[0]


def grouped_percentiles(
    values: np.ndarray, slots: np.ndarray, n: int, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """:func:`grouped_percentile` for each of ``qs``, from one sort."""
    if not values.size:
        return [np.full(n, math.nan) for _ in qs]
    order = np.lexsort((values, slots))
    ordered = values[order]
    del order
    count = np.bincount(slots, minlength=n)
    some = np.flatnonzero(count)
    first = (np.cumsum(count) - count)[some]
    out = []
    for q in qs:
        position = (count[some] - 1) * (q / 100)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, count[some] - 1)
        low, high = ordered[first + below], ordered[first + above]
        values_q = np.full(n, math.nan)
        values_q[some] = low + (high - low) * (position - below)
        out.append(values_q)
    return out


def call_slots(slots: np.ndarray, last: int) -> np.ndarray:
    """Slot numbers (whole numbers, as floats from a division or as integers) as
    int32, at most ``last``: 4 bytes a call where int64 takes 8 (the slots of a year
    of England are 50 MB)."""
    out = np.empty(slots.size, dtype=np.int32 if last < 2**31 - 1 else np.int64)
    np.minimum(slots, last, out=out, casting="unsafe")
    return out


def _count(slot: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """How many of the calls in ``mask`` fall in each interval."""
    return np.bincount(slot[mask], minlength=n)


def _per_interval(integral_to: np.ndarray, width: float | np.ndarray) -> np.ndarray:
    """Time-average in each interval of a quantity given by its integral to each edge
    (``width``: the intervals' length, one for all or one each)."""
    return np.diff(integral_to) / width


def _answer_columns(calls: CallRecords, slot: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Calls offered, answered and abandoned; answer-time KPIs (by interval offered)."""
    # waits are worked out for the calls that have one alone (a year of England is
    # 13 million calls: 100 MB a column of them)
    abandoned = np.flatnonzero(calls.outcome == ABANDONED)
    abandon_wait_s = (calls.end_min[abandoned] - calls.arrival_min[abandoned]) * SECONDS_PER_MIN
    abandoned_slot = slot[abandoned]
    del abandoned
    n_abandoned = np.bincount(abandoned_slot, minlength=n)
    late = np.bincount(abandoned_slot[abandon_wait_s > ABANDON_GRACE_S], minlength=n)
    del abandon_wait_s, abandoned_slot
    offered = np.bincount(slot, minlength=n)
    answered = np.flatnonzero(~np.isnan(calls.answer_min))
    waits_s = (calls.answer_min[answered] - calls.arrival_min[answered]) * SECONDS_PER_MIN
    answered_slot = slot[answered]
    del answered
    n_answered = np.bincount(answered_slot, minlength=n)
    within = np.bincount(answered_slot[waits_s <= ANSWER_TARGET_S], minlength=n)
    p90, p95 = grouped_percentiles(waits_s, answered_slot, n, (90, 95))
    return {
        "calls_offered": offered,
        "calls_answered": n_answered,
        "calls_abandoned": n_abandoned,
        "answered_within_60s": within / n_answered,
        "abandoned_after_30s": late / offered,
        "abandoned": n_abandoned / offered,
        "mean_answer_s": _grouped_mean(waits_s, answered_slot, n),
        "p90_answer_s": p90,
        "p95_answer_s": p95,
    }


def _advisor_time_columns(
    rec: RunRecords, edges: np.ndarray, width: float | np.ndarray
) -> dict[str, np.ndarray]:
    """Queue length and advisors on duty and busy, averaged over each interval."""
    on = _per_interval(rec.advisors.integral_to(edges), width)
    busy = _per_interval(busy_integral_to(*advisor_spans(rec), edges, owned=True), width)
    return {
        "mean_queue_length": _per_interval(busy_integral_to(*waiting_spans(rec), edges), width),
        "advisors_on_duty": on,
        "advisors_busy": busy,
        "advisor_utilisation": busy / on,
    }


def _callback_columns(rec: RunRecords, slot: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Clinical calls, call-backs and call-back waits (by interval offered).

    As in the run-level KPI, a call-back counts in a "within target" share
    only if its advisor call ended at least the target before the end of the run.
    """
    calls = rec.calls
    callbacks = np.flatnonzero(calls.clinical & ~calls.warm_transfer)  # their rows alone
    cb_waits = callback_waits_min(calls, callbacks)
    cb_slot = slot[callbacks]
    reached = ~np.isnan(cb_waits)
    due = calls.advisor_end_min[callbacks] <= rec.horizon_min - CALLBACK_TARGET_MIN
    made = first_attempt_waits_min(calls, callbacks) <= CALLBACK_TARGET_MIN
    n_due = _count(cb_slot, due, n)
    return {
        "clinical_calls": _count(slot, calls.clinical, n),
        "callbacks": np.bincount(cb_slot, minlength=n),
        "callback_within_10min": _count(cb_slot, due & made, n) / n_due,
        "callback_reached_within_10min": _count(cb_slot, due & (cb_waits <= CALLBACK_TARGET_MIN), n)
        / n_due,
        "mean_callback_min": _grouped_mean(cb_waits[reached], cb_slot[reached], n),
    }


def _clinician_time_columns(
    rec: RunRecords, edges: np.ndarray, width: float | np.ndarray
) -> dict[str, np.ndarray]:
    """Calls awaiting a clinician and clinicians on duty and busy, per interval."""
    on = _per_interval(rec.clinicians.integral_to(edges), width)
    busy = _per_interval(rec.clinicians_busy.integral_to(edges), width)
    return {
        "awaiting_clinician": _per_interval(rec.awaiting_clinician.integral_to(edges), width),
        "clinicians_on_duty": on,
        "clinicians_busy": busy,
        "clinician_utilisation": busy / on,
    }


def _service_columns(rec: RunRecords, slot: np.ndarray, edges: np.ndarray) -> dict[str, np.ndarray]:
    """Per overflow provider: calls it took; per downstream service: referrals (by interval
    offered) and cases waiting to be seen (time-average). None without providers or services.

    As the run-level KPIs: a provider's calls include escalated call-backs, not calls
    lost to it; a case waits at a service from the end of its 111 journey.
    """
    calls, n = rec.calls, edges.size - 1
    out: dict[str, np.ndarray] = {}
    if rec.provider_names:
        taken = (calls.provider >= 0) & (calls.outcome != LOST_AT_OVERFLOW)
    for k, name in enumerate(rec.provider_names):
        out[f"{PROVIDER_PREFIX}{name}_calls"] = _count(slot, taken & (calls.provider == k), n)
    if not rec.downstream_names:  # (each mask and time below is a byte or 8 a call)
        return out
    seen = np.where(
        np.isnan(calls.downstream_start_min), rec.horizon_min, calls.downstream_start_min
    )
    for k, name in enumerate(rec.downstream_names):
        mine = calls.downstream == k
        waiting = busy_integral_to(calls.end_min[mine], seen[mine], edges)
        out[f"{DOWNSTREAM_PREFIX}{name}_referrals"] = _count(slot, mine, n)
        waiting_mean = _per_interval(waiting, rec.interval_min)
        out[f"{DOWNSTREAM_PREFIX}{name}_waiting"] = np.maximum(waiting_mean, 0.0)  # no -1e-13
    return out


def interval_kpis(rec: RunRecords) -> pd.DataFrame:
    """One row per interval; warm-up intervals are included and flagged ``in_warmup``."""
    width = rec.interval_min
    n = int(rec.horizon_min // width)
    edges = np.arange(n + 1, dtype=float) * width
    slot = call_slots(rec.calls.arrival_min // width, n - 1)
    columns: dict[str, object] = {
        "interval_start_min": edges[:-1],
        "interval_start": pd.Timestamp(rec.start_date) + pd.to_timedelta(edges[:-1], "min"),
        "in_warmup": edges[:-1] < rec.warmup_min,
    }
    # Empty intervals give NaN shares and utilisations, not warnings.
    with np.errstate(invalid="ignore", divide="ignore"):
        for group in (
            lambda: _answer_columns(rec.calls, slot, n),
            lambda: _advisor_time_columns(rec, edges, width),
            lambda: _callback_columns(rec, slot, n),
            lambda: _clinician_time_columns(rec, edges, width),
            lambda: _service_columns(rec, slot, edges),
        ):
            release_freed_memory()  # the last group's temporaries, before the next's
            columns.update(group())
    return pd.DataFrame(columns)


def slot_columns(rec: RunRecords, slot: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Counts, shares and waits of the calls offered in each of slots ``0..n-1``.

    ``slot`` gives each call's slot; a call in slot ``n`` or above is left out
    (the caller's way to leave out the warm-up). NaN where a slot has no calls.
    """
    keep = n + 1
    # every left-out call in one extra slot, dropped below
    capped = slot if not slot.size or slot.max() <= n else np.minimum(slot, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = {
            **_answer_columns(rec.calls, capped, keep),
            **_callback_columns(rec, capped, keep),
        }
    return {key: values[:n] for key, values in columns.items()}


def time_columns(rec: RunRecords, edges: np.ndarray) -> dict[str, np.ndarray]:
    """Staffing, utilisation and queue lengths averaged between successive ``edges``
    (minutes from the start, any widths; NaN for an interval of width 0)."""
    width = np.diff(edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            **_advisor_time_columns(rec, edges, width),
            **_clinician_time_columns(rec, edges, width),
        }
