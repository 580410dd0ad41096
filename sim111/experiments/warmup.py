"""MSER-5 warm-up detection: where to truncate a series to make its mean most precise.

The Marginal Standard Error Rule (White 1997; White, Cobb & Spratt 2000) chooses the
truncation point ``d`` that minimises the squared standard error of the mean of what
is left, ``MSER(d) = sum((y[d:] - mean(y[d:]))**2) / (n - d)**2``: deleting early
observations lowers it while they are biased by the initial state, and raises it once
they are just noise (fewer observations left). MSER-5 applies the rule to the means of
consecutive batches of 5 observations, which smooths the series (White, Cobb & Spratt
2000), and, as is usual (Hoad, Robinson & Davies 2010 review it among warm-up methods),
only truncation points in the first half of the series are considered: near the end the
statistic is computed from a handful of batches and is unreliable.

- K. P. White (1997), "An effective truncation heuristic for bias reduction in
  simulation output", *Simulation* 69(6), 323-334.
- K. P. White, M. J. Cobb and S. C. Spratt (2000), "A comparison of five steady-state
  truncation heuristics for simulation", *Proceedings of the 2000 Winter Simulation
  Conference*, 755-760.

Beside it, :func:`~sim111.experiments.analysis.suggest_warmup` automates Welch's
graphical method. Both are for stationary scenarios: with time-of-day demand there is
no steady state to settle into.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Mser:
    """The result of :func:`mser`.

    ``truncation``: observations of the original series to delete (a multiple of
    ``batch``); ``batches_deleted``: the same in batches; ``statistic``: the MSER
    value there; ``statistics``: the MSER value for every candidate number of
    deleted batches (0, 1, ... up to half the batches).
    """

    truncation: int
    batches_deleted: int
    statistic: float
    statistics: tuple[float, ...]
    batch: int


def mser(series: np.ndarray | pd.Series, batch: int = 5) -> Mser:
    """MSER-``batch`` truncation point of a per-interval series (MSER-5 by default).

    ``series`` is one observation per interval, in time order: an interval KPI of
    one replication, or its mean across replications. Observations after the last
    whole batch are dropped. Needs at least two whole batches; NaN is not allowed
    (an interval KPI undefined in an interval, such as a mean wait with no calls,
    should be filled or another KPI chosen).
    """
    y = np.asarray(series, dtype=float)
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    if np.isnan(y).any():
        raise ValueError("the series has NaN values; fill them or choose another KPI")
    count = y.size // batch
    if count < 2:
        raise ValueError(f"need at least {2 * batch} observations, got {y.size}")
    means = y[: count * batch].reshape(count, batch).mean(axis=1)
    # sums of the tail from every d, at once: tail sums and sums of squares
    tail_sum = np.cumsum(means[::-1])[::-1]
    tail_sq = np.cumsum((means**2)[::-1])[::-1]
    left = np.arange(count, 0, -1, dtype=float)  # batches left after deleting d
    squares = np.maximum(tail_sq - tail_sum**2 / left, 0.0)
    statistics = squares / left**2
    candidates = statistics[: count // 2 + 1]
    best = int(np.argmin(candidates))
    return Mser(
        truncation=best * batch,
        batches_deleted=best,
        statistic=float(candidates[best]),
        statistics=tuple(float(v) for v in candidates),
        batch=batch,
    )


def mser_warmup(intervals: pd.DataFrame, kpi: str = "mean_queue_length", batch: int = 5) -> float:
    """Warm-up in minutes by MSER-``batch`` on ``kpi`` averaged over replications.

    ``intervals`` is a result's interval frame (``result.intervals``); the
    warm-up is the start of the first interval kept (0 when nothing is deleted).
    """
    series = intervals.groupby("interval_start_min")[kpi].mean().sort_index()
    found = mser(series.to_numpy(), batch)
    return float(series.index[found.truncation])
