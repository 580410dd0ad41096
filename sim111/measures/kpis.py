"""NHS 111 KPIs as pure functions of a replication's records.

What each key means (and its NHS definition) is declared in :mod:`sim111.kpi_keys`;
the names are re-exported here for callers that reach KPIs through this module.
"""

from __future__ import annotations

import math

import numpy as np

from sim111.engine.memory import release_freed_memory
from sim111.engine.records import (
    ABANDONED,
    CALLBACK_FAILED,
    IN_SYSTEM_AT_END,
    LOST_AT_OVERFLOW,
    CallRecords,
    RunRecords,
)
from sim111.kpi_keys import (
    ABANDON_GRACE_S,
    ANSWER_TARGET_S,
    CALLBACK_TARGET_MIN,
    DOWNSTREAM_PREFIX,
    KPIS,
    PER_CLASS_PREFIX,
    PROVIDER_PREFIX,
)
from sim111.measures.backlog import backlog_kpis
from sim111.measures.backlog import ratio as _ratio
from sim111.measures.spans import advisor_spans, waiting_spans, window_integral
from sim111.units import SECONDS_PER_MIN
from sim111.vocabulary import DISPOSITIONS


def _stat(values: np.ndarray, fn: str) -> float:
    if not values.size:
        return math.nan
    if fn == "mean":
        return float(values.mean())
    if fn == "max":
        return float(values.max())
    return float(np.percentile(values, float(fn)))


def _distinct(ids: np.ndarray) -> int:
    """How many different non-negative integers ``ids`` holds (no sort, no hash)."""
    if not ids.size:
        return 0
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))


def _rows(column: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return column if rows is None else column[rows]


def _unless_all(mask: np.ndarray) -> np.ndarray | None:
    """``mask``, or ``None`` if it picks every row (a run without a warm-up)."""
    return None if mask.all() else mask


def callback_waits_min(calls: CallRecords, rows: np.ndarray | None = None) -> np.ndarray:
    """Minutes from the end of the advisor call to clinician contact, or to the start
    at a provider for an escalated call-back (NaN if neither); of the calls ``rows``
    (indices), if given, else of every call."""
    escalated = _rows(calls.escalated_min, rows)
    reached = np.where(
        np.isnan(escalated), _rows(calls.contact_min, rows), _rows(calls.provider_start_min, rows)
    )
    return reached - _rows(calls.advisor_end_min, rows)


def first_attempt_waits_min(calls: CallRecords, rows: np.ndarray | None = None) -> np.ndarray:
    """Minutes from the end of the advisor call to the first call-back attempt (NaN if
    none); of the calls ``rows`` (indices), if given, else of every call.

    The attempt counts whether or not the caller picked up: the NHS "call-back
    made" (:mod:`sim111.kpi_keys`). A call-back escalated to another provider
    before any attempt was made is made when that provider starts on it.
    """
    first = _rows(calls.first_attempt_min, rows)
    made = np.where(
        np.isnan(first) & ~np.isnan(_rows(calls.escalated_min, rows)),
        _rows(calls.provider_start_min, rows),
        first,
    )
    return made - _rows(calls.advisor_end_min, rows)


def advisor_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Demand, answer and abandonment KPIs of the advisor stage."""
    calls = rec.calls
    a, b = rec.warmup_min, rec.horizon_min
    # the spans first, each freed before the next temporaries (a year: 100 MB a column)
    on_duty = rec.advisors.integral_to(np.array([a, b]))
    busy = window_integral(*advisor_spans(rec), a, b, owned=True)
    queue_length = window_integral(*waiting_spans(rec), a, b) / (b - a)
    offered = int(counted.sum())
    answered = counted & ~np.isnan(calls.answer_min)
    waits = (calls.answer_min[answered] - calls.arrival_min[answered]) * SECONDS_PER_MIN
    del answered
    abandoned = counted & (calls.outcome == ABANDONED)
    abandon_wait_s = (calls.end_min[abandoned] - calls.arrival_min[abandoned]) * SECONDS_PER_MIN
    return {
        "calls_offered": float(offered),
        "unique_callers": float(_distinct(_rows(calls.caller_id, _unless_all(counted)))),
        "redials": float((counted & (calls.attempt > 0)).sum()),
        "calls_answered": float(waits.size),
        "answered_within_60s": _ratio((waits <= ANSWER_TARGET_S).sum(), waits.size),
        "abandoned_after_30s": _ratio((abandon_wait_s > ABANDON_GRACE_S).sum(), offered),
        "abandoned": _ratio(abandoned.sum(), offered),
        "mean_answer_s": _stat(waits, "mean"),
        "p90_answer_s": _stat(waits, "90"),
        "p95_answer_s": _stat(waits, "95"),
        "advisor_utilisation": _ratio(busy, on_duty[1] - on_duty[0]),
        "mean_queue_length": queue_length,
        "mean_advisors_on_duty": rec.advisors.mean_over(a, b),
    }


def clinical_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Clinical share, warm transfers, call-back waits and clinician use.

    Call-backs are clinical calls not put through live. ``callback_within_10min``
    counts those first attempted within 10 min (the NHS definition);
    ``callback_reached_within_10min`` and the per-class shares count those reaching
    a clinician within 10 min or the class's target.
    """
    calls = rec.calls
    a, b = rec.warmup_min, rec.horizon_min
    advisor_done = counted & ~np.isnan(calls.advisor_end_min)
    clinical = counted & calls.clinical
    # the call-backs' own rows: their waits are worked out for them alone
    callbacks = np.flatnonzero(clinical & ~calls.warm_transfer)
    waits = callback_waits_min(calls, callbacks)
    cb_waits = waits[~np.isnan(waits)]
    ended = calls.advisor_end_min[callbacks]
    due = ended <= b - CALLBACK_TARGET_MIN
    made = first_attempt_waits_min(calls, callbacks) <= CALLBACK_TARGET_MIN
    on_duty = rec.clinicians.integral_to(np.array([a, b]))
    busy = rec.clinicians_busy.integral_to(np.array([a, b]))
    out = {
        "clinical_share": _ratio(clinical.sum(), advisor_done.sum()),
        "warm_transfer_share": _ratio((clinical & calls.warm_transfer).sum(), clinical.sum()),
        "callback_within_10min": _ratio((due & made).sum(), due.sum()),
        "callback_reached_within_10min": _ratio(
            (due & (waits <= CALLBACK_TARGET_MIN)).sum(), due.sum()
        ),
        "mean_callback_min": _stat(cb_waits, "mean"),
        "p95_callback_min": _stat(cb_waits, "95"),
        "max_callback_min": _stat(cb_waits, "max"),
        "clinical_contacts": float((clinical & ~np.isnan(calls.contact_min)).sum()),
        "callbacks_failed": _ratio(
            (calls.outcome[callbacks] == CALLBACK_FAILED).sum(), callbacks.size
        ),
        "clinician_utilisation": _ratio(busy[1] - busy[0], on_duty[1] - on_duty[0]),
        "mean_awaiting_clinician": rec.awaiting_clinician.mean_over(a, b),
        "mean_clinicians_on_duty": rec.clinicians.mean_over(a, b),
    }
    for k, (name, target) in enumerate(
        zip(rec.priority_names, rec.priority_targets_min, strict=True)
    ):
        due_k = (calls.priority[callbacks] == k) & (ended <= b - target)
        out[f"{PER_CLASS_PREFIX}{name}"] = _ratio((due_k & (waits <= target)).sum(), due_k.sum())
    return out


def overflow_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Calls sent away, lost and bounced; per provider: calls, waits, losses."""
    calls = rec.calls
    offered = int(counted.sum())
    lost = counted & (calls.outcome == LOST_AT_OVERFLOW)
    taken = counted & (calls.provider >= 0) & ~lost  # overflowed or escalated call-backs
    escalated = ~np.isnan(calls.escalated_min)
    out = {
        "overflowed": _ratio((taken & ~escalated).sum(), offered),
        "overflow_lost": _ratio(lost.sum(), offered),
        "overflow_bounced": float((counted & calls.bounced).sum()),
    }
    since = np.where(escalated, calls.escalated_min, calls.arrival_min)
    waits_s = (calls.provider_start_min - since) * SECONDS_PER_MIN
    for k, name in enumerate(rec.provider_names):
        mine = calls.provider == k
        started = taken & mine & ~np.isnan(calls.provider_start_min)
        out[f"{PROVIDER_PREFIX}{name}_calls"] = float((taken & mine).sum())
        out[f"{PROVIDER_PREFIX}{name}_mean_wait_s"] = _stat(waits_s[started], "mean")
        out[f"{PROVIDER_PREFIX}{name}_lost"] = float((lost & mine).sum())
    return out


def downstream_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Per downstream service: cases, mean wait to be seen, share seen within target.

    A case counts in the target share if it was referred at least its class's
    target before the end of the run (it had the whole target to be seen).
    """
    calls = rec.calls
    referred_at = calls.end_min
    wait = calls.downstream_start_min - referred_at
    out = {}
    for k, name in enumerate(rec.downstream_names):
        mine = counted & (calls.downstream == k)
        seen = mine & ~np.isnan(calls.downstream_start_min)
        targets = np.array(rec.downstream_targets_min[k])
        target = targets[np.clip(calls.downstream_class, 0, targets.size - 1)]
        due = mine & (referred_at <= rec.horizon_min - target)
        out[f"{DOWNSTREAM_PREFIX}{name}_cases"] = float(mine.sum())
        out[f"{DOWNSTREAM_PREFIX}{name}_mean_wait_min"] = _stat(wait[seen], "mean")
        out[f"{DOWNSTREAM_PREFIX}{name}_within_target"] = _ratio(
            (due & (wait <= target)).sum(), due.sum()
        )
    return out


def disposition_counts(rec: RunRecords) -> np.ndarray:
    """Number of each disposition (in :data:`DISPOSITIONS` order) after the warm-up."""
    counted = rec.calls.arrival_min >= rec.warmup_min
    disposition = rec.calls.disposition[counted]
    return np.bincount(disposition[disposition >= 0], minlength=len(DISPOSITIONS))


def disposition_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Share of each disposition among calls given one."""
    disposition = rec.calls.disposition[counted]
    given = disposition[disposition >= 0]
    counts = np.bincount(given, minlength=len(DISPOSITIONS))
    return {f"{d}_share": _ratio(counts[i], given.size) for i, d in enumerate(DISPOSITIONS)}


def replication_kpis(rec: RunRecords) -> dict[str, float]:
    """The KPI row of one replication (keys as in :data:`KPIS`, plus per-class ones)."""
    calls = rec.calls
    counted = calls.arrival_min >= rec.warmup_min
    row: dict[str, float] = {}
    for kpis in (advisor_kpis, overflow_kpis, clinical_kpis, backlog_kpis, disposition_kpis):
        row.update(kpis(rec, counted))
        release_freed_memory()  # each group's temporaries, before the next group's
    row.update(downstream_kpis(rec, counted))
    row["calls_in_system_at_end"] = float(
        (counted & np.isin(calls.outcome, IN_SYSTEM_AT_END)).sum()
    )
    ordered = {k.key: row[k.key] for k in KPIS if k.key in row}
    ordered.update({k: v for k, v in row.items() if k not in ordered})
    return ordered
