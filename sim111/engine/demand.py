"""When calls arrive: a non-homogeneous Poisson process.

The arrival rate is piecewise constant on half-hours. Its cumulative intensity
``Lambda(t)`` is piecewise linear, and arrival times are ``Lambda^-1`` of the
points of a unit-rate Poisson process (inversion). Inversion keeps common
random numbers: a scenario with 10% more demand sees the same unit-rate points
mapped to slightly earlier times, not a fresh draw.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from sim111.engine.calendar import WEEKDAY_NAMES, Day
from sim111.scenario import Demand, DemandDate
from sim111.units import HOURS_PER_DAY, MINUTES_PER_DAY, per_minute

BINS_PER_DAY = 48
BIN_MIN = MINUTES_PER_DAY // BINS_PER_DAY
WEEKDAYS = WEEKDAY_NAMES[:5]
MIN_CV = 1e-6  # below this the gamma factor is 1 to within rounding (and 1/cv^2 overflows)


def half_hour_shares(profile: tuple[float, ...]) -> np.ndarray:
    """A 24- or 48-entry profile as 48 half-hour shares summing to 1."""
    weights = np.asarray(profile, dtype=float)
    if weights.size == HOURS_PER_DAY:
        weights = np.repeat(weights / 2, 2)
    return weights / weights.sum()


def day_factors(demand: Demand, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Day-level random demand factors: gamma with mean 1 and CV ``overdispersion_cv``.

    Always draws ``n_days`` variates so the stream stays aligned whatever the CV.
    """
    cv = demand.overdispersion_cv
    if cv < MIN_CV:
        rng.standard_gamma(1.0, n_days)  # keep the stream's position independent of cv
        return np.ones(n_days)
    shape = 1 / cv**2
    return rng.standard_gamma(shape, n_days) / shape


def _dated(demand: Demand) -> dict[dt.date, DemandDate]:
    """Each date named in ``demand.dates`` and its entry."""
    out = {}
    for entry in demand.dates:
        for k in range((entry.last_date - entry.date).days + 1):
            out[entry.date + dt.timedelta(days=k)] = entry
    return out


def _demand_day_type(day: Day, entry: DemandDate | None) -> str:
    return entry.day_type if entry is not None and entry.day_type else day.day_type


def _rule_calls(demand: Demand, day: Day, day_type: str) -> float:
    """The rule for ``day`` treated as ``day_type``: a weekend or bank-holiday type
    takes its own multiplier; ``weekday`` the date's own (or the Monday-Friday
    mean on a weekend date)."""
    mult = demand.day_multipliers
    if day_type == "bank_holiday":
        day_mult = mult.bank_holiday
    elif day_type != "weekday":
        day_mult = getattr(mult, day_type)
    elif day.date.weekday() < len(WEEKDAYS):
        day_mult = getattr(mult, day.weekday_name)
    else:
        day_mult = sum(getattr(mult, name) for name in WEEKDAYS) / len(WEEKDAYS)
    return demand.mean_calls_per_day * day_mult * demand.month_multipliers[day.date.month - 1]


def _day_calls(demand: Demand, day: Day, entry: DemandDate | None) -> float:
    """Expected calls on ``day`` from history or rule, then its dated entry, if any."""
    counts = demand.history.day_calls(day.date) if demand.history is not None else None
    if entry is not None and entry.calls is not None:
        return entry.calls * demand.scale
    if counts is not None:
        calls = sum(counts) * demand.scale
    else:
        calls = _rule_calls(demand, day, _demand_day_type(day, entry))
    return calls * entry.multiplier if entry is not None and entry.multiplier is not None else calls


def expected_calls_per_day(demand: Demand, days: tuple[Day, ...]) -> np.ndarray:
    """Expected calls on each day before the random day factor.

    The rule (mean day x day x month multipliers), unless the history covers
    the day (its count x ``scale``) or ``demand.dates`` names it.
    """
    out = np.empty(len(days))
    if demand.history is not None or demand.dates:
        dated = _dated(demand)
        for k, day in enumerate(days):
            out[k] = _day_calls(demand, day, dated.get(day.date))
        return out
    mult = demand.day_multipliers
    for k, day in enumerate(days):
        day_mult = (
            mult.bank_holiday if day.day_type == "bank_holiday" else getattr(mult, day.weekday_name)
        )
        out[k] = demand.mean_calls_per_day * day_mult * demand.month_multipliers[day.date.month - 1]
    return out


def day_shares(demand: Demand, day: Day, dated: dict[dt.date, DemandDate]) -> np.ndarray:
    """How ``day``'s calls spread over its 48 half-hours (shares summing to 1).

    A per-interval history's own counts where it covers the day with calls
    in it (and ``calls`` in ``dates`` does not replace them), else the hourly
    profile of the day's (demand) day type.
    """
    entry = dated.get(day.date)
    history = demand.history
    counts = history.day_calls(day.date) if history is not None else None
    own = counts is not None and len(counts) > 1 and sum(counts) > 0
    if own and (entry is None or entry.calls is None):
        assert counts is not None
        per_bin = np.repeat(np.asarray(counts, dtype=float), BINS_PER_DAY // len(counts))
        return per_bin / per_bin.sum()
    return half_hour_shares(getattr(demand.hourly_profile, _demand_day_type(day, entry)))


def cumulative_intensity(
    demand: Demand, days: tuple[Day, ...], factors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Knots ``(t_min, Lambda)`` of the piecewise-linear cumulative intensity.

    ``Lambda[k]`` is the expected number of calls before ``t_min[k]``.
    """
    horizon = len(days) * MINUTES_PER_DAY
    if demand.kind == "stationary":
        assert demand.calls_per_hour is not None
        return np.array([0.0, horizon]), np.array(
            [0.0, per_minute(demand.calls_per_hour) * horizon]
        )
    calls = expected_calls_per_day(demand, days) * factors
    dated = _dated(demand)
    per_bin = np.concatenate(
        [calls[k] * day_shares(demand, day, dated) for k, day in enumerate(days)]
    )
    t = np.arange(per_bin.size + 1, dtype=float) * BIN_MIN
    return t, np.concatenate([[0.0], np.cumsum(per_bin)])


def arrival_times_min(
    t_knots: np.ndarray, cum_knots: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Sorted arrival times in minutes of the Poisson process with these knots."""
    total = float(cum_knots[-1])
    batch = int(total + 6 * math.sqrt(total) + 20)
    points = np.cumsum(rng.standard_exponential(batch))
    while points[-1] < total:
        more = points[-1] + np.cumsum(rng.standard_exponential(batch))
        points = np.concatenate([points, more])
    points = points[points < total]
    times = np.interp(points, cum_knots, t_knots)
    # Interpolation can round a point onto the horizon; keep arrivals inside it.
    return np.minimum(times, np.nextafter(t_knots[-1], 0))


def clip_at_horizon(
    t_knots: np.ndarray, cum_knots: np.ndarray, horizon_min: float
) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative-intensity knots cut at ``horizon_min``: no call arrives after the run.

    The run's calendar days may outlast a run given in hours or minutes; knots
    that already end at the horizon are returned as they are.
    """
    if horizon_min >= t_knots[-1]:
        return t_knots, cum_knots
    inside = t_knots < horizon_min
    at_end = np.interp(horizon_min, t_knots, cum_knots)
    return np.append(t_knots[inside], horizon_min), np.append(cum_knots[inside], at_end)
