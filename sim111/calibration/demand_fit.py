"""Fitting the demand rule to a history of call counts.

The model is the one the engine simulates (``sim111.scenario.Demand``): the
expected calls on day ``d`` are ``level x day(d) x month(d)``, where ``day`` is
the day-of-week multiplier or, on an England bank holiday, the bank-holiday
one; the count is Poisson given a day-level gamma factor of mean 1 and
coefficient of variation ``cv``. So the day counts are fitted by a Poisson GLM
with a log link (``log mu = day effect + month effect``), by iteratively
reweighted least squares in numpy. A GLM rather than ratios of means because a
history is rarely balanced (a year and a half has two Januaries and one
July; bank holidays sit in particular months): the GLM separates day and month
effects whatever the mix, and its estimates are maximum likelihood under
Poisson and remain consistent under the gamma factor (quasi-likelihood), with
standard errors scaled by the Pearson dispersion.

Multipliers are normalised like the defaults: the seven day-of-week
multipliers average 1 and the estimated months average what the default
multipliers of those months average (1 when all twelve are present), so
months not in the history keep their defaults and stay comparable. The
bank-holiday multiplier is relative to the same mean day. The CV is the
method-of-moments estimate of the variance beyond Poisson,
``Var y = mu + cv^2 mu^2``, clipped at 0. Time-of-day profiles (when the
history is per interval) are each day type's share of calls by interval:
the maximum-likelihood multinomial shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from sim111.engine.calendar import WEEKDAY_NAMES, day_type
from sim111.errors import ScenarioError
from sim111.scenario import MONTH_MULTIPLIERS_2014_15, DayMultipliers, DemandHistory
from sim111.units import DAYS_PER_YEAR, HOURS_PER_DAY
from sim111.vocabulary import DAY_TYPES

DAY_KINDS = (*WEEKDAY_NAMES, "bank_holiday")  # the GLM's day effects
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MIN_DAYS = 14  # two of each weekday: fewer cannot separate day of week from noise
IRLS_TOLERANCE = 1e-10  # largest change of a log-effect between iterations
IRLS_MAX_ITERATIONS = 100
PER_THOUSAND = 1000


@dataclass(frozen=True)
class Estimate:
    """A fitted multiplier, its standard error, and the days it rests on."""

    value: float
    se: float
    n_days: int


@dataclass(frozen=True)
class DemandFit:
    """What :func:`fit_demand` found (multipliers ``None`` where not estimable)."""

    file: str
    first_date: dt.date
    last_date: dt.date
    interval_min: int
    population: int
    mean_calls_per_day: float
    day_multipliers: dict[str, Estimate | None]
    month_multipliers: tuple[Estimate | None, ...]
    overdispersion_cv: float
    pearson_dispersion: float
    deviance: float
    df: int
    profiles: dict[str, tuple[float, ...] | None]
    dates: tuple[dt.date, ...] = field(repr=False)
    observed: np.ndarray = field(repr=False, compare=False)
    fitted: np.ndarray = field(repr=False, compare=False)

    @property
    def n_days(self) -> int:
        """Days in the history."""
        return len(self.dates)

    @property
    def calls_per_1000_per_year(self) -> float:
        """The level as the scenario states it, for ``population``."""
        return self.mean_calls_per_day * DAYS_PER_YEAR / self.population * PER_THOUSAND

    @property
    def mean_abs_pct_error(self) -> float:
        """Mean absolute error of the fitted day counts, as a % of the observed."""
        ok = self.observed > 0
        return float(np.mean(np.abs(self.fitted[ok] / self.observed[ok] - 1)) * 100)

    @property
    def not_estimable(self) -> list[str]:
        """Inputs the history says nothing about (left at their defaults)."""
        missing = [name for name, e in self.day_multipliers.items() if e is None]
        missing += [MONTH_NAMES[m] for m, e in enumerate(self.month_multipliers) if e is None]
        missing += [f"{name} profile" for name, p in self.profiles.items() if p is None]
        return missing


def irls_poisson(
    x: np.ndarray, y: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson GLM with log link by iteratively reweighted least squares.

    Returns the coefficients, the inverse Fisher information (unscaled
    covariance) and the fitted means. ``x`` is ``(n, p)`` of full rank.
    """
    beta = start.astype(float)
    for _ in range(IRLS_MAX_ITERATIONS):
        mu = np.exp(x @ beta)
        z = x @ beta + (y - mu) / mu
        xtw = x.T * mu
        new = np.linalg.solve(xtw @ x, xtw @ z)
        done = np.max(np.abs(new - beta)) < IRLS_TOLERANCE
        beta = new
        if done:
            break
    mu = np.exp(x @ beta)
    return beta, np.linalg.inv((x.T * mu) @ x), mu


def _normalised(
    log_effects: np.ndarray, cov: np.ndarray, n_norm: int, target_mean: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Multipliers ``exp(e) / mean(exp(e[:n_norm])) x target_mean`` and their s.e.

    Entries after ``n_norm`` are relative to the same mean (the bank holiday).
    Standard errors by the delta method, the normalisation included. Also
    returns the divisor ``mean(exp(e[:n_norm])) / target_mean``.
    """
    g = np.exp(log_effects)
    divisor = g[:n_norm].mean() / target_mean
    m = g / divisor
    jac = np.diag(m)
    jac[:, :n_norm] -= np.outer(m, g[:n_norm] / g[:n_norm].sum())
    se = np.sqrt(np.maximum(np.diag(jac @ cov @ jac.T), 0))
    return m, se, float(divisor)


def _design(dates: list[dt.date]) -> tuple[np.ndarray, list[int], list[int]]:
    """Indicator columns: one per day kind present, one per month present but the first."""
    kinds = np.array(
        [7 if day_type(d) == "bank_holiday" else d.weekday() for d in dates], dtype=int
    )
    months = np.array([d.month - 1 for d in dates], dtype=int)
    kinds_present = sorted(set(kinds.tolist()))
    months_present = sorted(set(months.tolist()))
    columns = [kinds == k for k in kinds_present] + [months == m for m in months_present[1:]]
    return np.column_stack(columns).astype(float), kinds_present, months_present


def day_totals(history: DemandHistory) -> np.ndarray:
    """Calls on each day of the history."""
    return np.asarray(history.calls, dtype=float).reshape(history.n_days, history.per_day).sum(1)


def _profiles(history: DemandHistory, dates: list[dt.date]) -> dict[str, tuple[float, ...] | None]:
    """Each day type's % of calls by half-hour (30-min data) or hour; ``None`` without data."""
    if history.per_day == 1:
        return dict.fromkeys(DAY_TYPES)
    counts = np.asarray(history.calls, dtype=float).reshape(history.n_days, history.per_day)
    per_half_hour = np.repeat(counts, 2 * HOURS_PER_DAY // history.per_day, axis=1)
    if history.per_day < 2 * HOURS_PER_DAY:  # hourly or coarser: an hourly profile
        per_half_hour = per_half_hour.reshape(history.n_days, HOURS_PER_DAY, -1).sum(2)
    types = np.array([day_type(d) for d in dates])
    out: dict[str, tuple[float, ...] | None] = {}
    for name in DAY_TYPES:
        total = per_half_hour[types == name].sum(0)
        out[name] = tuple((100 * total / total.sum()).tolist()) if total.sum() > 0 else None
    return out


def fit_demand(history: DemandHistory, population: int = 1_000_000) -> DemandFit:
    """Fit the day, bank-holiday and month multipliers, level, CV and profiles.

    Raises :class:`ScenarioError` if the history is shorter than ``MIN_DAYS``
    or has no calls.
    """
    assert history.start_date is not None
    y = day_totals(history)
    if y.size < MIN_DAYS or y.sum() <= 0:
        raise ScenarioError(
            f"{history.file}: fitting needs at least {MIN_DAYS} days with calls, got {y.size} days"
        )
    dates = [history.start_date + dt.timedelta(days=k) for k in range(y.size)]
    x, kinds, months = _design(dates)
    empty = np.flatnonzero(y @ x <= 0)
    if empty.size:
        names = [DAY_KINDS[k] for k in kinds] + [MONTH_NAMES[m] for m in months[1:]]
        raise ScenarioError(
            f"{history.file}: every day counted as {names[empty[0]]!r} has 0 calls; a "
            "multiplier of 0 cannot be fitted on the log scale (leave those days out)"
        )
    start = np.zeros(x.shape[1])
    start[: len(kinds)] = np.log(max(y.mean(), 1.0))
    beta, info_inv, mu = irls_poisson(x, y, start)
    df = y.size - x.shape[1]
    pearson = float(np.sum((y - mu) ** 2 / mu) / max(df, 1))
    cov = info_inv * max(pearson, 1.0)  # quasi-Poisson: s.e. widened by the overdispersion
    days, day_div = _day_estimates(beta, cov, kinds, dates)
    month_est, month_div = _month_estimates(beta, cov, len(kinds), months, dates)
    positive = y > 0
    deviance = 2 * float(np.sum(y[positive] * np.log(y[positive] / mu[positive])) - np.sum(y - mu))
    excess = np.sum((y - mu) ** 2) * y.size / max(df, 1) - np.sum(mu)
    return DemandFit(
        file=history.file,
        first_date=dates[0],
        last_date=dates[-1],
        interval_min=history.interval_min,
        population=population,
        mean_calls_per_day=day_div * month_div,
        day_multipliers=days,
        month_multipliers=month_est,
        overdispersion_cv=float(np.sqrt(max(excess, 0.0) / np.sum(mu**2))),
        pearson_dispersion=pearson,
        deviance=deviance,
        df=df,
        profiles=_profiles(history, dates),
        dates=tuple(dates),
        observed=y,
        fitted=mu,
    )


def _day_estimates(
    beta: np.ndarray, cov: np.ndarray, kinds: list[int], dates: list[dt.date]
) -> tuple[dict[str, Estimate | None], float]:
    """Day-of-week multipliers (mean 1 over the week) and the bank holiday's."""
    order = [k for k in kinds if k < len(WEEKDAY_NAMES)] + [k for k in kinds if k >= 7]
    idx = [kinds.index(k) for k in order]
    n_week = sum(k < len(WEEKDAY_NAMES) for k in order)
    defaults = DayMultipliers()
    target = float(np.mean([getattr(defaults, DAY_KINDS[k]) for k in order[:n_week]]))
    m, se, divisor = _normalised(beta[idx], cov[np.ix_(idx, idx)], n_week, target)
    counts = _kind_counts(dates)
    out: dict[str, Estimate | None] = dict.fromkeys(DAY_KINDS)
    for j, k in enumerate(order):
        out[DAY_KINDS[k]] = Estimate(float(m[j]), float(se[j]), counts[k])
    return out, divisor


def _kind_counts(dates: list[dt.date]) -> list[int]:
    kinds = [7 if day_type(d) == "bank_holiday" else d.weekday() for d in dates]
    return [kinds.count(k) for k in range(len(DAY_KINDS))]


def _month_estimates(
    beta: np.ndarray, cov: np.ndarray, first: int, months: list[int], dates: list[dt.date]
) -> tuple[tuple[Estimate | None, ...], float]:
    """Month multipliers, averaging what the defaults of the same months average."""
    n, p = len(months), beta.size
    pick = np.zeros((n, p))  # log-effects of the months present; the first is the reference
    for j in range(1, n):
        pick[j, first + j - 1] = 1.0
    target = float(np.mean([MONTH_MULTIPLIERS_2014_15[m] for m in months]))
    m, se, divisor = _normalised(pick @ beta, pick @ cov @ pick.T, n, target)
    out: list[Estimate | None] = [None] * len(MONTH_NAMES)
    for j, month in enumerate(months):
        n_days = sum(d.month - 1 == month for d in dates)
        out[month] = Estimate(float(m[j]), float(se[j]), n_days)
    return tuple(out), divisor
