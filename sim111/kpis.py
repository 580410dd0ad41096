"""NHS 111 KPIs as pure functions of a replication's records.

Definitions follow NHS England's 111 statistics and service specification
(``docs/domain.md`` §2):

- ``answered_within_60s``: calls answered within 60 s ÷ calls **answered**;
- ``abandoned_after_30s``: calls abandoned after waiting more than 30 s ÷ calls
  **offered**; ``abandoned`` counts every abandonment ÷ offered;
- ``callback_within_10min``: call-backs reaching a clinician within 10 min of
  the end of the advisor call ÷ call-backs offered;
- answer times are waits of answered calls, in seconds.

Only calls offered at or after the warm-up are counted; utilisations are busy
person-time ÷ on-duty person-time between the warm-up and the end of the run.
A call-back counts in a "within T" denominator only if it entered the queue
at least T before the end of the run (it had the whole of T to be reached).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim111.records import (
    ABANDONED,
    CALLBACK_FAILED,
    IN_SYSTEM_AT_END,
    LOST_AT_OVERFLOW,
    CallRecords,
    RunRecords,
)
from sim111.scenario import DISPOSITIONS

ANSWER_TARGET_S = 60.0
ABANDON_GRACE_S = 30.0
CALLBACK_TARGET_MIN = 10.0
PER_CLASS_PREFIX = "callback_within_target_"
PROVIDER_PREFIX = "provider_"
DOWNSTREAM_PREFIX = "downstream_"
DOWNSTREAM_KEYS = {
    "cases": ("cases referred", "calls", ""),
    "mean_wait_min": ("mean wait to be seen", "min", "lower"),
    "within_target": ("seen within target", "fraction", "higher"),
}
PROVIDER_KEYS = {
    "calls": ("calls taken", "calls", ""),
    "mean_wait_s": ("mean wait there", "s", "lower"),
    "lost": ("calls lost there", "calls", "lower"),
}


@dataclass(frozen=True)
class Kpi:
    """What a KPI key means: label, unit, which way is better, NHS target."""

    key: str
    label: str
    unit: str
    better: str  # "higher", "lower" or "" (neither)
    target: float | None = None
    lower: float | None = 0.0  # smallest possible value (None: unbounded, e.g. a margin)

    def meets(self, value: float) -> bool | None:
        """Whether ``value`` meets the target (``None`` if there is no target)."""
        if self.target is None or math.isnan(value):
            return None
        return bool(value >= self.target if self.better == "higher" else value <= self.target)

    def target_text(self) -> str:
        """The target as text, e.g. '>= 95%'."""
        if self.target is None:
            return ""
        op = ">=" if self.better == "higher" else "<"
        shown = f"{self.target:.0%}" if self.unit == "fraction" else f"{self.target:g}"
        return f"{op} {shown}"


KPIS: tuple[Kpi, ...] = (
    Kpi("calls_offered", "Calls offered (incl. redials)", "calls", ""),
    Kpi("unique_callers", "Unique callers", "calls", ""),
    Kpi("redials", "Redials", "calls", ""),
    Kpi("calls_answered", "Calls answered", "calls", ""),
    Kpi("answered_within_60s", "Answered within 60 s (of answered)", "fraction", "higher", 0.95),
    Kpi("abandoned_after_30s", "Abandoned after 30 s (of offered)", "fraction", "lower", 0.05),
    Kpi("abandoned", "Abandoned, all (of offered)", "fraction", "lower"),
    Kpi("mean_answer_s", "Mean time to answer", "s", "lower"),
    Kpi("p90_answer_s", "90th percentile time to answer", "s", "lower"),
    Kpi("p95_answer_s", "95th percentile time to answer", "s", "lower"),
    Kpi("advisor_utilisation", "Health advisor utilisation", "fraction", ""),
    Kpi("mean_queue_length", "Mean calls waiting for an advisor", "calls waiting", "lower"),
    Kpi("overflowed", "Sent to an overflow provider (of offered)", "fraction", ""),
    Kpi("overflow_lost", "Lost at a full overflow provider (of offered)", "fraction", "lower"),
    Kpi("overflow_bounced", "Bounced back by a full provider", "calls", ""),
    Kpi("clinical_share", "Needing clinical input (of answered)", "fraction", ""),
    Kpi("warm_transfer_share", "Warm transfers (of clinical)", "fraction", "higher"),
    Kpi("callback_within_10min", "Call-backs within 10 min", "fraction", "higher", 1.0),
    Kpi("mean_callback_min", "Mean call-back wait", "min", "lower"),
    Kpi("p95_callback_min", "95th percentile call-back wait", "min", "lower"),
    Kpi("max_callback_min", "Longest call-back wait", "min", "lower"),
    Kpi("clinical_contacts", "Calls assessed by a clinician", "calls", ""),
    Kpi("callbacks_failed", "Call-backs never answered (of call-backs)", "fraction", "lower"),
    Kpi("clinician_utilisation", "Clinician utilisation", "fraction", ""),
    Kpi("mean_awaiting_clinician", "Mean calls awaiting a clinician", "calls waiting", "lower"),
    *(
        Kpi(f"{d}_share", f"Disposition: {d.replace('_', ' ')}", "fraction", "")
        for d in DISPOSITIONS
    ),
    Kpi("paid_advisor_hours", "Paid health advisor hours", "h", ""),
    Kpi("paid_clinician_hours", "Paid clinician hours", "h", ""),
    Kpi("staff_cost_gbp", "Direct staff cost", "GBP", "lower"),
    Kpi("overhead_gbp", "Overheads", "GBP", "lower"),
    Kpi("overflow_fees_gbp", "Fees paid to overflow providers", "GBP", "lower"),
    Kpi("total_cost_gbp", "Total cost", "GBP", "lower"),
    Kpi("cost_per_call_gbp", "Cost per answered call", "GBP", "lower"),
    Kpi("cost_per_clinical_contact_gbp", "Clinician cost per clinical contact", "GBP", "lower"),
    Kpi("revenue_gbp", "Contract revenue", "GBP", "higher"),
    Kpi("penalties_gbp", "KPI penalties", "GBP", "lower"),
    Kpi("margin_gbp", "Margin (revenue - cost - penalties)", "GBP", "higher", lower=None),
    Kpi("margin_per_call_gbp", "Margin per answered call", "GBP", "higher", lower=None),
    Kpi("break_even_price_per_call_gbp", "Break-even price per answered call", "GBP", ""),
    Kpi(
        "break_even_price_per_head_per_year_gbp",
        "Break-even price per head per year",
        "GBP",
        "",
    ),
    Kpi("downstream_cost_gbp", "Downstream NHS cost of dispositions", "GBP", ""),
    Kpi("downstream_cost_per_call_gbp", "Downstream NHS cost per answered call", "GBP", ""),
    Kpi("calls_in_system_at_end", "Calls still in the system at the end", "calls", ""),
    Kpi("mean_advisors_on_duty", "Mean health advisors on duty", "people", ""),
    Kpi("mean_clinicians_on_duty", "Mean clinicians on duty", "people", ""),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


def kpi_info(key: str) -> Kpi:
    """The registry entry for ``key``, including per-priority-class keys."""
    if key in KPI_BY_KEY:
        return KPI_BY_KEY[key]
    if key.startswith(PER_CLASS_PREFIX):
        name = key.removeprefix(PER_CLASS_PREFIX)
        return Kpi(key, f"Call-backs within target: {name}", "fraction", "higher")
    if key.startswith(DOWNSTREAM_PREFIX):
        for suffix, (label, unit, better) in DOWNSTREAM_KEYS.items():
            if key.endswith("_" + suffix):
                name = key.removeprefix(DOWNSTREAM_PREFIX).removesuffix("_" + suffix)
                return Kpi(key, f"{name}: {label}", unit, better)
    if key.startswith(PROVIDER_PREFIX):
        for suffix, (label, unit, better) in PROVIDER_KEYS.items():
            if key.endswith("_" + suffix):
                name = key.removeprefix(PROVIDER_PREFIX).removesuffix("_" + suffix)
                return Kpi(key, f"Provider {name}: {label}", unit, better)
    return Kpi(key, key, "", "")


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else math.nan


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


def busy_integral_to(starts: np.ndarray, ends: np.ndarray, at_min: np.ndarray) -> np.ndarray:
    """Person-minutes inside spans ``[starts, ends)`` from 0 to each time in ``at_min``."""
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate([[0.0], np.cumsum(s)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    at = np.asarray(at_min, dtype=float)
    ns = np.searchsorted(s, at, side="right")
    ne = np.searchsorted(e, at, side="right")
    return (at * ns - cs[ns]) - (at * ne - ce[ne])


def advisor_spans(rec: RunRecords) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every advisor call (end = run end if still going)."""
    calls = rec.calls
    served = ~np.isnan(calls.answer_min)
    ends = np.where(np.isnan(calls.advisor_end_min), rec.horizon_min, calls.advisor_end_min)
    return calls.answer_min[served], ends[served]


def waiting_spans(rec: RunRecords) -> tuple[np.ndarray, np.ndarray]:
    """When each call joined and left the advisor queue."""
    calls = rec.calls
    left = np.where(np.isnan(calls.answer_min), calls.end_min, calls.answer_min)
    left = np.where(np.isnan(left), rec.horizon_min, left)
    return calls.arrival_min, left


def _window_integral(starts: np.ndarray, ends: np.ndarray, a: float, b: float) -> float:
    values = busy_integral_to(starts, ends, np.array([a, b]))
    return max(float(values[1] - values[0]), 0.0)  # never negative by a rounding error


def callback_waits_min(calls: CallRecords) -> np.ndarray:
    """Minutes from the end of the advisor call to clinician contact (NaN if none)."""
    return calls.contact_min - calls.advisor_end_min


def advisor_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Demand, answer and abandonment KPIs of the advisor stage."""
    calls = rec.calls
    offered = int(counted.sum())
    answered = counted & ~np.isnan(calls.answer_min)
    waits = (calls.answer_min[answered] - calls.arrival_min[answered]) * 60
    abandoned = counted & (calls.outcome == ABANDONED)
    abandon_wait_s = (calls.end_min[abandoned] - calls.arrival_min[abandoned]) * 60
    a, b = rec.warmup_min, rec.horizon_min
    on_duty = rec.advisors.integral_to(np.array([a, b]))
    return {
        "calls_offered": float(offered),
        "unique_callers": float(_distinct(calls.caller_id[counted])),
        "redials": float((counted & (calls.attempt > 0)).sum()),
        "calls_answered": float(waits.size),
        "answered_within_60s": _ratio((waits <= ANSWER_TARGET_S).sum(), waits.size),
        "abandoned_after_30s": _ratio((abandon_wait_s > ABANDON_GRACE_S).sum(), offered),
        "abandoned": _ratio(abandoned.sum(), offered),
        "mean_answer_s": _stat(waits, "mean"),
        "p90_answer_s": _stat(waits, "90"),
        "p95_answer_s": _stat(waits, "95"),
        "advisor_utilisation": _ratio(
            _window_integral(*advisor_spans(rec), a, b), on_duty[1] - on_duty[0]
        ),
        "mean_queue_length": _window_integral(*waiting_spans(rec), a, b) / (b - a),
        "mean_advisors_on_duty": rec.advisors.mean_over(a, b),
    }


def clinical_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Clinical share, warm transfers, call-back waits and clinician use."""
    calls = rec.calls
    a, b = rec.warmup_min, rec.horizon_min
    advisor_done = counted & ~np.isnan(calls.advisor_end_min)
    clinical = counted & calls.clinical
    callbacks = clinical & ~calls.warm_transfer
    waits = callback_waits_min(calls)
    reached = callbacks & ~np.isnan(waits)
    cb_waits = waits[reached]
    due = callbacks & (calls.advisor_end_min <= b - CALLBACK_TARGET_MIN)
    on_duty = rec.clinicians.integral_to(np.array([a, b]))
    busy = rec.clinicians_busy.integral_to(np.array([a, b]))
    out = {
        "clinical_share": _ratio(clinical.sum(), advisor_done.sum()),
        "warm_transfer_share": _ratio((clinical & calls.warm_transfer).sum(), clinical.sum()),
        "callback_within_10min": _ratio((due & (waits <= CALLBACK_TARGET_MIN)).sum(), due.sum()),
        "mean_callback_min": _stat(cb_waits, "mean"),
        "p95_callback_min": _stat(cb_waits, "95"),
        "max_callback_min": _stat(cb_waits, "max"),
        "clinical_contacts": float((clinical & ~np.isnan(calls.contact_min)).sum()),
        "callbacks_failed": _ratio(
            (callbacks & (calls.outcome == CALLBACK_FAILED)).sum(), callbacks.sum()
        ),
        "clinician_utilisation": _ratio(busy[1] - busy[0], on_duty[1] - on_duty[0]),
        "mean_awaiting_clinician": rec.awaiting_clinician.mean_over(a, b),
        "mean_clinicians_on_duty": rec.clinicians.mean_over(a, b),
    }
    for k, (name, target) in enumerate(
        zip(rec.priority_names, rec.priority_targets_min, strict=True)
    ):
        due_k = callbacks & (calls.priority == k) & (calls.advisor_end_min <= b - target)
        out[f"{PER_CLASS_PREFIX}{name}"] = _ratio((due_k & (waits <= target)).sum(), due_k.sum())
    return out


def overflow_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Calls sent away, lost and bounced; per provider: calls, waits, losses."""
    calls = rec.calls
    offered = int(counted.sum())
    lost = counted & (calls.outcome == LOST_AT_OVERFLOW)
    taken = counted & (calls.provider >= 0) & ~lost
    out = {
        "overflowed": _ratio(taken.sum(), offered),
        "overflow_lost": _ratio(lost.sum(), offered),
        "overflow_bounced": float((counted & calls.bounced).sum()),
    }
    waits_s = (calls.provider_start_min - calls.arrival_min) * 60
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
    row = {
        **advisor_kpis(rec, counted),
        **overflow_kpis(rec, counted),
        **clinical_kpis(rec, counted),
        **disposition_kpis(rec, counted),
        **downstream_kpis(rec, counted),
        "calls_in_system_at_end": float((counted & np.isin(calls.outcome, IN_SYSTEM_AT_END)).sum()),
    }
    ordered = {k.key: row[k.key] for k in KPIS if k.key in row}
    ordered.update({k: v for k, v in row.items() if k not in ordered})
    return ordered
