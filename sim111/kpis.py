"""NHS 111 KPIs as pure functions of a replication's records.

Definitions follow NHS England's 111 statistics (``docs/domain.md`` §2):

- ``answered_within_60s``: calls answered within 60 s ÷ calls **answered**;
- ``abandoned_after_30s``: calls abandoned after waiting more than 30 s ÷ calls
  **offered**; ``abandoned`` counts every abandonment ÷ offered;
- answer times are waits of answered calls, in seconds.

Only calls arriving at or after the warm-up are counted; utilisation is busy
person-time ÷ on-duty person-time between the warm-up and the end of the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim111.records import ABANDONED, CallRecords, RunRecords

ANSWER_TARGET_S = 60.0
ABANDON_GRACE_S = 30.0


@dataclass(frozen=True)
class Kpi:
    """What a KPI key means: label, unit, which way is better, NHS target."""

    key: str
    label: str
    unit: str
    better: str  # "higher", "lower" or "" (neither)
    target: float | None = None

    def meets(self, value: float) -> bool | None:
        """Whether ``value`` meets the target (``None`` if there is no target)."""
        if self.target is None or math.isnan(value):
            return None
        return value >= self.target if self.better == "higher" else value <= self.target

    def target_text(self) -> str:
        """The target as text, e.g. '>= 95%'."""
        if self.target is None:
            return ""
        op = ">=" if self.better == "higher" else "<"
        shown = f"{self.target:.0%}" if self.unit == "fraction" else f"{self.target:g}"
        return f"{op} {shown}"


KPIS: tuple[Kpi, ...] = (
    Kpi("calls_offered", "Calls offered", "calls", ""),
    Kpi("calls_answered", "Calls answered", "calls", ""),
    Kpi("answered_within_60s", "Answered within 60 s (of answered)", "fraction", "higher", 0.95),
    Kpi("abandoned_after_30s", "Abandoned after 30 s (of offered)", "fraction", "lower", 0.05),
    Kpi("abandoned", "Abandoned, all (of offered)", "fraction", "lower"),
    Kpi("mean_answer_s", "Mean time to answer", "s", "lower"),
    Kpi("p90_answer_s", "90th percentile time to answer", "s", "lower"),
    Kpi("p95_answer_s", "95th percentile time to answer", "s", "lower"),
    Kpi("advisor_utilisation", "Health advisor utilisation", "fraction", ""),
    Kpi("mean_queue_length", "Mean calls waiting for an advisor", "calls", "lower"),
    Kpi("calls_in_system_at_end", "Calls still in the system at the end", "calls", ""),
    Kpi("mean_advisors_on_duty", "Mean health advisors on duty", "people", ""),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def _waits_s(calls: CallRecords, mask: np.ndarray) -> np.ndarray:
    answered = mask & ~np.isnan(calls.answer_min)
    return (calls.answer_min[answered] - calls.arrival_min[answered]) * 60


def busy_integral_to(starts: np.ndarray, ends: np.ndarray, at_min: np.ndarray) -> np.ndarray:
    """Person-minutes busy from 0 to each time in ``at_min``, given service spans."""
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate([[0.0], np.cumsum(s)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    at = np.asarray(at_min, dtype=float)
    ns = np.searchsorted(s, at, side="right")
    ne = np.searchsorted(e, at, side="right")
    return (at * ns - cs[ns]) - (at * ne - ce[ne])


def _service_spans(rec: RunRecords) -> tuple[np.ndarray, np.ndarray]:
    calls = rec.calls
    served = ~np.isnan(calls.answer_min)
    ends = np.where(np.isnan(calls.end_min), rec.horizon_min, calls.end_min)
    return calls.answer_min[served], ends[served]


def utilisation(rec: RunRecords, start_min: float, end_min: float) -> float:
    """Advisor busy time ÷ on-duty time over ``[start_min, end_min]``."""
    window = np.array([start_min, end_min])
    on_duty = np.diff(rec.advisors.integral_to(window))[0]
    busy = np.diff(busy_integral_to(*_service_spans(rec), window))[0]
    return _ratio(busy, on_duty)


def mean_queue_length(rec: RunRecords, start_min: float, end_min: float) -> float:
    """Time-average number of calls waiting for an advisor over the window."""
    calls = rec.calls
    left = np.where(np.isnan(calls.answer_min), calls.end_min, calls.answer_min)
    left = np.where(np.isnan(left), rec.horizon_min, left)
    window = np.array([start_min, end_min])
    waiting = np.diff(busy_integral_to(calls.arrival_min, left, window))[0]
    return waiting / (end_min - start_min)


def replication_kpis(rec: RunRecords) -> dict[str, float]:
    """The KPI row of one replication (keys as in :data:`KPIS`)."""
    calls = rec.calls
    counted = calls.arrival_min >= rec.warmup_min
    offered = int(counted.sum())
    waits = _waits_s(calls, counted)
    abandoned = counted & (calls.outcome == ABANDONED)
    abandon_wait_s = (calls.end_min[abandoned] - calls.arrival_min[abandoned]) * 60
    in_system = counted & np.isnan(calls.end_min)
    duration = rec.horizon_min - rec.warmup_min
    on_duty = np.diff(rec.advisors.integral_to(np.array([rec.warmup_min, rec.horizon_min])))
    return {
        "calls_offered": float(offered),
        "calls_answered": float(waits.size),
        "answered_within_60s": _ratio(float((waits <= ANSWER_TARGET_S).sum()), waits.size),
        "abandoned_after_30s": _ratio(float((abandon_wait_s > ABANDON_GRACE_S).sum()), offered),
        "abandoned": _ratio(float(abandoned.sum()), offered),
        "mean_answer_s": float(waits.mean()) if waits.size else math.nan,
        "p90_answer_s": float(np.percentile(waits, 90)) if waits.size else math.nan,
        "p95_answer_s": float(np.percentile(waits, 95)) if waits.size else math.nan,
        "advisor_utilisation": utilisation(rec, rec.warmup_min, rec.horizon_min),
        "mean_queue_length": mean_queue_length(rec, rec.warmup_min, rec.horizon_min),
        "calls_in_system_at_end": float(in_system.sum()),
        "mean_advisors_on_duty": float(on_duty[0] / duration),
    }


def _grouped(values: np.ndarray, groups: np.ndarray, n: int, fn: Any) -> np.ndarray:
    out = np.full(n, math.nan)
    if values.size:
        frame = pd.Series(values).groupby(groups).agg(fn)
        out[frame.index.to_numpy()] = frame.to_numpy()
    return out


def interval_kpis(rec: RunRecords) -> pd.DataFrame:
    """KPIs per reporting interval (by the interval in which calls arrive).

    Includes warm-up intervals (flagged ``in_warmup``) so plots can show them.
    """
    calls = rec.calls
    width = rec.interval_min
    n = int(rec.horizon_min // width)
    edges = np.arange(n + 1, dtype=float) * width
    slot = np.minimum((calls.arrival_min // width).astype(int), n - 1)
    answered = ~np.isnan(calls.answer_min)
    waits = (calls.answer_min - calls.arrival_min) * 60
    abandoned = calls.outcome == ABANDONED
    abandon_wait_s = (calls.end_min - calls.arrival_min) * 60
    offered = np.bincount(slot, minlength=n)
    n_answered = np.bincount(slot[answered], minlength=n)
    within = np.bincount(slot[answered & (waits <= ANSWER_TARGET_S)], minlength=n)
    n_abandoned = np.bincount(slot[abandoned], minlength=n)
    late_abandoned = np.bincount(slot[abandoned & (abandon_wait_s > ABANDON_GRACE_S)], minlength=n)
    on_duty = np.diff(rec.advisors.integral_to(edges))
    busy = np.diff(busy_integral_to(*_service_spans(rec), edges))
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                "interval_start_min": edges[:-1],
                "interval_start": pd.Timestamp(rec.start_date) + pd.to_timedelta(edges[:-1], "min"),
                "in_warmup": edges[:-1] < rec.warmup_min,
                "calls_offered": offered,
                "calls_answered": n_answered,
                "calls_abandoned": n_abandoned,
                "answered_within_60s": within / n_answered,
                "abandoned_after_30s": late_abandoned / offered,
                "abandoned": n_abandoned / offered,
                "mean_answer_s": _grouped(waits[answered], slot[answered], n, "mean"),
                "p90_answer_s": _grouped(
                    waits[answered], slot[answered], n, lambda x: np.percentile(x, 90)
                ),
                "advisors_on_duty": on_duty / width,
                "advisor_utilisation": busy / on_duty,
            }
        )
    return frame
