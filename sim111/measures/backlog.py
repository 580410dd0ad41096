"""KPIs of callers who stopped waiting for a call-back, and of the backlog rules.

Pure functions of a replication's records, over calls offered after the
warm-up (as every KPI in :mod:`sim111.measures.kpis`). A call-back is a call
that entered the clinical stage and was not put through live.
"""

from __future__ import annotations

import math

import numpy as np

from sim111.engine.records import (
    CALLBACK_GAVE_UP,
    CALLBACK_LEFT_FOR_999,
    CALLBACK_LEFT_FOR_ED,
    LEFT_CALLBACK,
    RunRecords,
)
from sim111.units import MINUTES_PER_HOUR


def ratio(num: float, den: float) -> float:
    """``num / den`` as a float; NaN when there is nothing to divide by (``den`` 0)."""
    return float(num / den) if den else math.nan


def backlog_kpis(rec: RunRecords, counted: np.ndarray) -> dict[str, float]:
    """Repeat calls, call-backs abandoned, self-referrals, escalations, overtime hours."""
    calls = rec.calls
    callbacks = counted & calls.clinical & ~calls.warm_transfer
    repeats = counted & (calls.repeat_of >= 0) & (calls.attempt == 0)
    left = callbacks & np.isin(calls.outcome, LEFT_CALLBACK)
    a, b = rec.warmup_min, rec.horizon_min
    overtime = rec.clinicians_overtime
    overtime_min = (
        0.0 if overtime is None else float(np.diff(overtime.integral_to(np.array([a, b])))[0])
    )
    return {
        "repeat_calls": ratio(repeats.sum(), counted.sum()),
        "callbacks_abandoned": ratio(left.sum(), callbacks.sum()),
        "callback_gave_up": float((callbacks & (calls.outcome == CALLBACK_GAVE_UP)).sum()),
        "callback_went_to_ed": float((callbacks & (calls.outcome == CALLBACK_LEFT_FOR_ED)).sum()),
        "callback_dialled_999": float((callbacks & (calls.outcome == CALLBACK_LEFT_FOR_999)).sum()),
        "callbacks_escalated": ratio(
            (callbacks & ~np.isnan(calls.escalated_min)).sum(), callbacks.sum()
        ),
        "overtime_clinician_hours": overtime_min / MINUTES_PER_HOUR,
    }
