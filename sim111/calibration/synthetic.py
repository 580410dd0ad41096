"""Synthetic demand histories drawn from the model itself, for examples and round-trip tests.

A history made here is what the engine would see: the expected calls per
half-hour of :func:`sim111.engine.demand.cumulative_intensity`, times a gamma
day factor of mean 1 and CV ``demand.overdispersion_cv``
(:func:`~sim111.engine.demand.day_factors`), and Poisson counts given those.
So fitting it should give back the demand it came from, within sampling error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.demand import BIN_MIN, cumulative_intensity, day_factors
from sim111.scenario import Demand, DemandHistory
from sim111.units import MINUTES_PER_DAY


def synthetic_history(
    demand: Demand,
    start_date: dt.date,
    days: int,
    rng: np.random.Generator,
    interval_min: int = MINUTES_PER_DAY,
    file: str = "synthetic",
) -> DemandHistory:
    """Counts per ``interval_min`` (1440: per day) drawn from ``demand`` over ``days`` days."""
    run = run_days(start_date, days)
    factors = day_factors(demand, days, rng)
    _, cum = cumulative_intensity(demand, run, factors)
    expected = np.diff(cum).reshape(-1, interval_min // BIN_MIN).sum(1)
    counts = rng.poisson(expected).astype(float)
    return DemandHistory(
        file=file,
        start_date=start_date,
        interval_min=interval_min,
        calls=tuple(counts.tolist()),
    )


def history_csv(history: DemandHistory) -> str:
    """The CSV text of ``history`` in the format :func:`sim111.scenario.read_history` reads."""
    assert history.start_date is not None
    start = dt.datetime.combine(history.start_date, dt.time())
    step = dt.timedelta(minutes=history.interval_min)
    daily = history.interval_min == MINUTES_PER_DAY
    lines = ["date,calls" if daily else "start,calls"]
    for k, calls in enumerate(history.calls):
        when = start + k * step
        stamp = f"{when:%Y-%m-%d}" if daily else f"{when:%Y-%m-%dT%H:%M}"
        lines.append(f"{stamp},{calls:g}")
    return "\n".join(lines) + "\n"


def write_history_csv(history: DemandHistory, path: str | Path) -> None:
    """Write ``history`` as a CSV file."""
    Path(path).write_text(history_csv(history), encoding="utf-8")
