"""Cost arithmetic on hand-built rosters, to the penny."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from sim111.measures.costs import cost_kpis, staff_cost, uplift_by_minute
from sim111.scenario import Costs, Pay, Shift, StaffGroup, scenario_from_data
from sim111.scenario.distributions import Distribution

BAND3 = Pay(
    hourly_rate_gbp=10.0,
    weekday_night_uplift=0.35,
    saturday_uplift=0.35,
    sunday_uplift=0.69,
    bank_holiday_uplift=0.69,
)
PLAIN = Costs()
FRI = dt.date(2015, 3, 6)  # Friday 6 March 2015; Sat 7, Sun 8 follow


def one_shift(start, end, count=1, day_types=("weekday", "saturday", "sunday", "bank_holiday")):
    return StaffGroup(
        handle_time=Distribution(mean_min=8.0),
        shifts=(Shift(start=start, end=end, count=count, day_types=day_types),),
        pay=BAND3,
    )


def cost(group, days=1, start=FRI, costs=PLAIN, window=None):
    window = window or (0.0, days * 1440.0)
    return staff_cost("g", group, costs, start, days, window)


def test_weekday_day_shift_is_basic_rate():
    c = cost(one_shift("08:00", "16:00", count=3))
    assert c.paid_hours == 24
    assert c.basic_gbp == pytest.approx(240.00)
    assert c.uplift_gbp == pytest.approx(0.0)
    assert c.total_gbp == pytest.approx(240.00)


def test_night_uplift_starts_at_20_00():
    # 18:00-22:00 Friday: two hours plain, two at +35%
    c = cost(one_shift("18:00", "22:00"))
    assert c.basic_gbp == pytest.approx(40.00)
    assert c.uplift_gbp == pytest.approx(2 * 10 * 0.35)  # £7.00


def test_night_shifts_change_rate_at_midnight():
    # A 3-day run, Fri-Sun, with a 22:00-02:00 shift every night:
    thu = 2 * 10 * 0.35  # Thursday's shift, inside the run from Fri 00:00: weekday night
    fri = 4 * 10 * 0.35  # Fri 22:00 - Sat 00:00 weekday night, Sat 00:00-02:00 Saturday
    sat = 2 * 10 * 0.35 + 2 * 10 * 0.69  # Saturday until midnight, then Sunday
    sun = 2 * 10 * 0.69  # Sunday 22:00-24:00; its Monday hours fall after the run
    c = cost(one_shift("22:00", "02:00"), days=3)
    assert c.paid_hours == 2 + 4 + 4 + 2
    assert c.uplift_gbp == pytest.approx(thu + fri + sat + sun)  # £55.60


def test_monday_early_hours_are_a_weekday_night():
    up = uplift_by_minute(BAND3, dt.date(2015, 3, 9), 1)  # Monday
    assert up[5 * 60 + 59] == 0.35 and up[6 * 60] == 0.0 and up[20 * 60] == 0.35


def test_bank_holiday_outranks_the_weekday():
    good_friday = dt.date(2013, 3, 29)
    c = cost(one_shift("08:00", "16:00"), start=good_friday)
    assert c.uplift_gbp == pytest.approx(8 * 10 * 0.69)  # £55.20


def test_on_costs_and_shrinkage_gross_up():
    costs = Costs(on_cost_share=0.24, shrinkage=0.30)
    c = cost(one_shift("08:00", "16:00"), costs=costs)
    assert c.on_cost_gbp == pytest.approx(80 * 0.24)  # £19.20
    assert c.total_gbp == pytest.approx(80 * 1.24 / 0.70)  # £141.71
    assert round(c.total_gbp, 2) == 141.71


def test_a_role_may_set_its_own_on_costs_and_shrinkage():
    # a sessional GP: paid per hour worked, an all-in fee
    costs = Costs(on_cost_share=0.24, shrinkage=0.30)
    group = one_shift("08:00", "16:00")
    sessional = dataclasses.replace(
        group, pay=dataclasses.replace(BAND3, on_cost_share=0.0, shrinkage=0.0)
    )
    assert cost(sessional, costs=costs).total_gbp == pytest.approx(80.0)
    half = dataclasses.replace(group, pay=dataclasses.replace(BAND3, on_cost_share=0.5))
    assert cost(half, costs=costs).total_gbp == pytest.approx(80 * 1.5 / 0.70)  # own on-costs
    assert cost(group, costs=costs).total_gbp == pytest.approx(80 * 1.24 / 0.70)  # [costs]


def test_annual_salary_becomes_an_hourly_rate():
    group = StaffGroup(
        handle_time=Distribution(mean_min=8.0), count=1, pay=Pay(annual_salary_gbp=19_550.0)
    )
    c = staff_cost("g", group, Costs(paid_hours_per_year=1955), FRI, 1, (0.0, 1440.0))
    assert c.basic_gbp == pytest.approx(24 * 10.0)


def test_window_clips_paid_time():
    c = cost(one_shift("08:00", "16:00"), window=(600.0, 1440.0))  # from 10:00
    assert c.paid_hours == 6


def test_unpaid_group_is_not_costed():
    group = StaffGroup(handle_time=Distribution(mean_min=8.0), count=2)
    assert staff_cost("g", group, PLAIN, FRI, 1, (0.0, 1440.0)) is None


def scenario_with_costs(**costs):
    return scenario_from_data(
        {
            "run": {"days": 1, "start_date": dt.date(2015, 3, 3)},
            "advisors": {
                "count": 2,
                "handle_time": {"mean_min": 8.0},
                "pay": {"hourly_rate_gbp": 10.0},
            },
            "costs": costs,
        },
        "test",
    )


def test_price_margin_break_even_and_penalties():
    scenario = scenario_with_costs(
        overhead_share=0.5,
        price_per_call_gbp=8.0,
        penalties=[{"kpi": "answered_within_60s", "threshold": 0.95, "amount_gbp": 100.0}],
    )
    kpis = {"calls_answered": 100.0, "answered_within_60s": 0.90}
    k = cost_kpis(scenario, kpis, np.array([1, 2, 0, 0, 0, 0]))
    staff = 2 * 24 * 10.0  # £480
    assert k["staff_cost_gbp"] == pytest.approx(480.0)
    assert k["total_cost_gbp"] == pytest.approx(staff * 1.5)  # £720
    assert k["cost_per_call_gbp"] == pytest.approx(7.20)
    assert k["revenue_gbp"] == pytest.approx(800.0)
    assert k["penalties_gbp"] == 100.0
    assert k["margin_gbp"] == pytest.approx(800 - 720 - 100)
    assert k["break_even_price_per_call_gbp"] == pytest.approx(8.20)
    assert k["downstream_cost_gbp"] == pytest.approx(216 + 2 * 114)


def test_block_contract_revenue_is_pro_rata():
    scenario = scenario_with_costs(price_per_head_per_year_gbp=3.65)
    k = cost_kpis(scenario, {"calls_answered": 10.0}, np.zeros(6))
    assert k["revenue_gbp"] == pytest.approx(3.65 * 1_000_000 / 365)  # £10,000 a day


def test_no_price_means_no_revenue():
    k = cost_kpis(scenario_with_costs(), {"calls_answered": 10.0}, np.zeros(6))
    assert math.isnan(k["revenue_gbp"])
    assert k["break_even_price_per_call_gbp"] == pytest.approx(48.0)


def test_penalty_must_name_a_kpi():
    from sim111.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"'costs\.penalties\.0\.kpi' must be a KPI key"):
        scenario_with_costs(penalties=[{"kpi": "speed", "threshold": 1.0, "amount_gbp": 5.0}])


def test_longer_handling_raises_the_break_even_price():
    from sim111.experiments.replications import run_experiment
    from sim111.scenario import load_scenario
    from tests.conftest import SCENARIOS

    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    longer = base.with_overrides(
        {
            "advisors.handle_time.mean_min": base.advisors.handle_time.mean_min * 1.2,
            "clinicians.0.handle_time.mean_min": base.clinicians[0].handle_time.mean_min * 1.2,
        }
    )
    # Same roster, same cost: calls that take longer mean fewer answered per pound.
    a = run_experiment(base, 4, 9).kpis
    b = run_experiment(longer, 4, 9).kpis
    assert (b["total_cost_gbp"] == a["total_cost_gbp"]).all()
    assert b["break_even_price_per_call_gbp"].mean() > a["break_even_price_per_call_gbp"].mean()
