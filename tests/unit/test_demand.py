import datetime as dt

import numpy as np
import pytest

from sim111.engine.calendar import run_days
from sim111.engine.demand import (
    arrival_times_min,
    cumulative_intensity,
    day_factors,
    expected_calls_per_day,
    half_hour_shares,
)
from sim111.scenario import Demand


def test_calls_per_day_is_population_rate_day_and_month_multipliers():
    demand = Demand(population=365_000, calls_per_1000_per_year=200.0, scale=1.5)
    # Tue 3 March 2015 and Sat 7 March 2015; March multiplier 1.03
    days = run_days(dt.date(2015, 3, 3), 5)
    got = expected_calls_per_day(demand, days)
    base = 365_000 * 200 / 1000 / 365 * 1.5  # 300 calls on a mean day
    assert got[0] == pytest.approx(base * 0.77 * 1.03)
    assert got[4] == pytest.approx(base * 1.62 * 1.03)


def test_bank_holiday_multiplier_outranks_weekday():
    demand = Demand()
    good_friday = run_days(dt.date(2013, 3, 29), 1)
    assert expected_calls_per_day(demand, good_friday)[0] == pytest.approx(
        demand.mean_calls_per_day * 1.8 * 1.03
    )


def test_hourly_profile_is_split_evenly_into_half_hours():
    shares = half_hour_shares(tuple([1.0] * 23 + [3.0]))
    assert shares.size == 48
    assert shares.sum() == pytest.approx(1.0)
    assert shares[46] == shares[47] == pytest.approx(3 / 26 / 2)


def test_cumulative_intensity_adds_up_to_expected_calls():
    demand = Demand()
    days = run_days(dt.date(2015, 3, 2), 7)
    t, cum = cumulative_intensity(demand, days, np.ones(7))
    assert t[-1] == 7 * 1440
    assert cum[-1] == pytest.approx(expected_calls_per_day(demand, days).sum())
    # the weekday 18:00-18:30 half-hour carries half the 18h share of Monday's calls
    monday = expected_calls_per_day(demand, days)[0]
    share = 13.1 / sum(demand.hourly_profile.weekday)  # the profile is normalised
    k = 36  # 18:00 is half-hour 36
    assert cum[k + 1] - cum[k] == pytest.approx(monday * share / 2)


def test_zero_cv_means_no_day_factor():
    rng = np.random.default_rng(1)
    assert np.all(day_factors(Demand(), 10, rng) == 1.0)


def test_day_factors_have_mean_one_and_requested_cv():
    rng = np.random.default_rng(2)
    f = day_factors(Demand(overdispersion_cv=0.2), 200_000, rng)
    assert f.mean() == pytest.approx(1.0, abs=0.003)
    assert f.std() == pytest.approx(0.2, abs=0.003)


def test_stationary_arrivals_are_poisson_counts():
    rate_per_min = 2.0
    t = np.array([0.0, 1000.0])
    counts = [
        arrival_times_min(t, t * rate_per_min, np.random.default_rng(seed)).size
        for seed in range(400)
    ]
    # Poisson(2000): mean 2000, sd 44.7; the mean of 400 counts has sd 2.24
    assert np.mean(counts) == pytest.approx(2000, abs=4 * 2.24)
    assert np.var(counts) == pytest.approx(2000, rel=0.25)


def test_arrivals_follow_the_piecewise_rate():
    t = np.array([0.0, 100.0, 200.0])
    cum = np.array([0.0, 1000.0, 4000.0])  # rate 10/min then 30/min
    times = arrival_times_min(t, cum, np.random.default_rng(3))
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= 0 and times.max() < 200
    first, second = (times < 100).sum(), (times >= 100).sum()
    assert first == pytest.approx(1000, abs=4 * 32)
    assert second == pytest.approx(3000, abs=4 * 55)


def test_inversion_keeps_common_random_numbers_when_demand_scales():
    t = np.array([0.0, 600.0])
    single = arrival_times_min(t, np.array([0.0, 600.0]), np.random.default_rng(4))
    double = arrival_times_min(t, np.array([0.0, 1200.0]), np.random.default_rng(4))
    # The same unit-rate points, mapped through twice the intensity, arrive at half the time.
    np.testing.assert_allclose(double[: single.size // 2], single[: single.size // 2] / 2)
