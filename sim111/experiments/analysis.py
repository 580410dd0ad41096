"""Output analysis: how many replications, how long a warm-up.

- :func:`replications_needed`: from a pilot run, the number of replications
  whose t-interval half-width would be at most a target: the "approximate number
  of replications" of Law & Kelton (``n*_a(beta)``, Law 2015, §9.4.1), the smallest
  ``i`` with ``t(i-1, 1-alpha/2) * S / sqrt(i) <= beta``, holding the pilot's
  standard deviation ``S`` fixed. It is the fixed-pilot rule, not the sequential
  procedure of the same section nor the automated one of Hoad, Robinson & Davies
  (2010), which add replications and re-estimate ``S`` as they go.
- :func:`suggest_warmup`: Welch's graphical method made automatic: average an
  interval KPI over replications, smooth it with a moving window, and find
  where it first settles within a tolerance of its level over the second half
  of the run. MSER-5 (:func:`~sim111.experiments.warmup.mser`) is the cited
  alternative.

- A. M. Law (2015), *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill, §9.4.1.
- K. Hoad, S. Robinson and R. Davies (2010), "Automated selection of the number of
  replications for a discrete-event simulation", *J. Oper. Res. Soc.* 61(11), 1632-1644.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit


def replications_needed(
    values: np.ndarray | pd.Series,
    half_width: float,
    confidence: float = 0.95,
    relative: bool = False,
    max_replications: int = 100_000,
) -> int:
    """Replications for a CI half-width of ``half_width`` (absolute, or × mean if ``relative``).

    ``values`` are one KPI's values from a pilot run of at least two replications.
    Law & Kelton's approximate number of replications ``n*_a`` (Law 2015, §9.4.1)
    with the pilot's standard deviation held fixed. Two departures from the book:
    the search starts at 2 rather than at the pilot's size, so the answer can be
    smaller than the pilot; and ``relative`` uses ``half_width × |mean|`` as the
    absolute target, without the book's ``gamma / (1 + gamma)`` correction.
    Above 100 the search steps by about 2%, so the answer may overshoot by as much.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError("need a pilot of at least 2 replications with values")
    target = half_width * abs(x.mean()) if relative else half_width
    if target <= 0:
        raise ValueError("half_width must be > 0")
    sd = x.std(ddof=1)
    if sd == 0:
        return x.size
    n = 2
    while n <= max_replications:
        if stdtrit(n - 1, (1 + confidence) / 2) * sd / math.sqrt(n) <= target:
            return n
        n += 1 if n < 100 else max(1, n // 50)
    return max_replications


def suggest_warmup(
    intervals: pd.DataFrame,
    kpi: str = "mean_queue_length",
    window: int = 5,
    tolerance: float = 0.05,
) -> float:
    """Warm-up in minutes after which ``kpi`` (averaged over replications) has settled.

    Returns the start of the first interval from which the smoothed series
    stays within ``tolerance`` (relative, or absolute when the level is near 0)
    of its mean over the second half of the run. For stationary scenarios;
    with time-of-day demand there is no steady state to settle into.
    """
    series = intervals.groupby("interval_start_min")[kpi].mean().sort_index()
    if series.size < 4:
        return 0.0
    smooth = series.rolling(window, min_periods=1, center=True).mean()
    level = smooth.iloc[smooth.size // 2 :].mean()
    band = tolerance * abs(level) if abs(level) > 1e-9 else tolerance
    outside = (smooth - level).abs() > band
    if not outside.any():
        return 0.0
    last_outside = np.flatnonzero(outside.to_numpy())[-1]
    if last_outside + 1 >= smooth.size // 2:
        return float(smooth.index[smooth.size // 2])
    return float(smooth.index[last_outside + 1])
