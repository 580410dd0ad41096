"""Round trip: a history drawn from known demand, fitted, gives that demand back.

Tolerances are 4 standard errors worked out from the sample size (not the
fit's own s.e., which is checked separately against them), so a correct fit
fails about once in 15,000 checks per quantity, and a biased one fails.
"""

import datetime as dt
import math

import numpy as np
import pytest

from sim111.calibration.demand_fit import DAY_KINDS, fit_demand
from sim111.calibration.synthetic import synthetic_history
from sim111.engine.calendar import day_type
from sim111.engine.demand import half_hour_shares
from sim111.scenario import DayMultipliers, Demand, HourlyProfile

TRUE_DAYS = DayMultipliers(
    monday=0.9,
    tuesday=0.8,
    wednesday=0.75,
    thursday=0.8,
    friday=0.85,
    saturday=1.6,
    sunday=1.3,
    bank_holiday=2.1,
)  # the week averages 1, as fitted multipliers are normalised
TRUE_CV = 0.08
TRUE = Demand(day_multipliers=TRUE_DAYS, overdispersion_cv=TRUE_CV)
Z = 4  # standard errors allowed
START = dt.date(2013, 1, 1)
YEARS = 2


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(20130329)
    history = synthetic_history(TRUE, START, 365 * YEARS, rng, interval_min=30)
    return fit_demand(history)


def _day_se(multiplier: float, n_days: int) -> float:
    # A day effect is a mean over n days, each of relative variance cv^2 (gamma
    # factor) + 1/mu (Poisson); x sqrt(2) for the normalising week mean and the
    # month effects estimated alongside.
    mu = TRUE.mean_calls_per_day * multiplier
    return multiplier * math.sqrt((TRUE_CV**2 + 1 / mu) / n_days) * math.sqrt(2)


def test_day_and_bank_holiday_multipliers_come_back(fitted):
    for name in DAY_KINDS:
        est = fitted.day_multipliers[name]
        assert est is not None
        true = getattr(TRUE_DAYS, name)
        se = _day_se(true, est.n_days)
        assert est.value == pytest.approx(true, abs=Z * se), name
        assert se / 2 < est.se < 2 * se, name  # the reported s.e. is the right size
    assert fitted.day_multipliers["bank_holiday"].n_days == 8 * YEARS


def test_month_multipliers_and_level_come_back(fitted):
    for month, est in enumerate(fitted.month_multipliers):
        true = TRUE.month_multipliers[month]
        assert est is not None
        assert est.value == pytest.approx(true, abs=Z * _day_se(true, est.n_days)), month
    # normalised like the defaults, the level is the mean day (months average 0.99917)
    n = fitted.n_days
    rel_se = math.sqrt((TRUE_CV**2 + 1 / TRUE.mean_calls_per_day) / n) * math.sqrt(2)
    assert fitted.mean_calls_per_day == pytest.approx(TRUE.mean_calls_per_day, rel=Z * rel_se)
    assert fitted.calls_per_1000_per_year == pytest.approx(230.0, rel=Z * rel_se)


def test_overdispersion_cv_comes_back(fitted):
    # Var of the moment estimate of cv^2: sum of 2 Var(y)^2 over (sum mu^2)^2 (normal
    # approximation), Var(y) = mu + cv^2 mu^2; then the delta method to cv.
    mu = fitted.fitted
    var_y = mu + TRUE_CV**2 * mu**2
    se_cv2 = math.sqrt(2 * np.sum(var_y**2)) / np.sum(mu**2)
    assert fitted.overdispersion_cv == pytest.approx(TRUE_CV, abs=Z * se_cv2 / (2 * TRUE_CV))


def test_half_hour_profiles_come_back(fitted):
    profiles = HourlyProfile()
    for name in ("weekday", "saturday", "sunday", "bank_holiday"):
        got = np.asarray(fitted.profiles[name]) / 100
        true = half_hour_shares(getattr(profiles, name))
        assert got.size == 48 and got.sum() == pytest.approx(1.0)
        # multinomial given the day totals (the day factor cancels): s.e. sqrt(p(1-p)/N)
        days = [
            d
            for d, kind in zip(fitted.dates, map(day_type, fitted.dates), strict=True)
            if kind == name
        ]
        calls = sum(fitted.observed[fitted.dates.index(d)] for d in days)
        se = np.sqrt(true * (1 - true) / calls)
        assert np.all(np.abs(got - true) < Z * se), name


def test_goodness_of_fit_sees_the_overdispersion(fitted):
    # Pearson chi2/df estimates Var/mu = 1 + cv^2 mu: about 1 + 0.0064 x 630 x (day mix)
    assert 3 < fitted.pearson_dispersion < 8
    assert fitted.df == fitted.n_days - 8 - 11
    assert fitted.not_estimable == []
