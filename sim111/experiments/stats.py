"""Output analysis across replications: Student-t confidence intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit

CONFIDENCE = 0.95


def t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """``(mean, low, high)`` of the mean of independent replications.

    NaN values (a KPI undefined in a replication, e.g. no answered calls) are
    left out. With fewer than two values the interval is ``(mean, nan, nan)``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    half = float(stdtrit(x.size - 1, (1 + confidence) / 2) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def summarise(per_replication: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per KPI column: ``mean``, ``ci_low``, ``ci_high``, ``n``."""
    rows = {}
    for column in per_replication.columns:
        if column == "replication":
            continue
        values = per_replication[column].to_numpy(dtype=float)
        mean, low, high = t_interval(values, confidence)
        rows[column] = {
            "mean": mean,
            "ci_low": low,
            "ci_high": high,
            "n": int((~np.isnan(values)).sum()),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "kpi"
    return frame
