"""The headline: targets, the days that missed them, the worst half-hour, the price."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim111.experiments.replications import run_experiment
from sim111.outputs.files import kpi_table
from sim111.outputs.headline import day_marks, headline, headline_html, worst_half_hour
from sim111.outputs.report import report_html
from sim111.scenario import load_scenario, scenario_from_data

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def easter():
    scenario = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides({"run.days": 5})
    return run_experiment(scenario, 3, 1)


def test_the_bank_holidays_are_named_as_the_days_that_missed(easter):
    days = day_marks(easter)
    summary = easter.period_summary("day")
    assert list(days["label"]) == list(summary["label"])  # no warm-up in this scenario
    good_friday = days[days["label"] == "Fri 29 Mar 2013"].iloc[0]
    assert good_friday["day_type"] == "bank_holiday"
    assert good_friday["answered_within_60s_mark"] == "MISSED"
    # a day is marked by the same target as the run: <= 5% abandoned after 30 s
    for _, row in days.iterrows():
        missed = row["abandoned_after_30s"] > 0.05
        assert (row["abandoned_after_30s_mark"] == "MISSED") == missed
    h = headline(easter)
    assert "Fri 29 Mar 2013" in h.days_missed
    text = " ".join(h.sentences)
    # the two worst days for answering within 60 s are the bank holidays, named
    assert "worst Fri 29 Mar (bank holiday)" in text
    assert "and Mon 1 Apr (bank holiday)" in text


def test_worst_half_hour_is_the_lowest_share_answered_in_60s(easter):
    worst = worst_half_hour(easter)
    assert worst is not None
    iv = easter.intervals
    mean = iv.groupby("interval_start")[["calls_offered", "answered_within_60s"]].mean()
    busy = mean[mean["calls_offered"] >= 5].dropna()
    assert worst.answered_within_60s == pytest.approx(busy["answered_within_60s"].min())
    assert worst.start == busy["answered_within_60s"].idxmin()


def test_price_against_break_even_and_the_strip(easter):
    h = headline(easter)
    cost = easter.summary.loc["cost_per_call_gbp", "mean"]
    price = easter.scenario.costs.price_per_call_gbp
    money = next(light for light in h.lights if light.label == "Break-even price")
    assert money.status == ("met" if price >= cost else "missed")
    statuses = {light.label: light.status for light in h.lights}
    assert statuses["Answered within 60 s"] == "missed"
    page = headline_html(h)
    assert page.count('class="light ') == len(h.lights) + len(h.days) == len(h.lights) + 5
    assert page.count('class="word"') == page.count('class="light ')  # readable in greyscale


def test_headline_opens_the_report_and_the_table(easter):
    page = report_html(easter, pngs={})
    assert page.index('id="headline"') < page.index('id="by-day"') < page.index('id="kpis"')
    table = kpi_table(easter)
    assert table.index("Missed by day") < table.index("Calls offered")


def test_a_run_that_meets_its_targets_says_so():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 2, "advisors.roster_scale": 3.0, "clinicians.0.roster_scale": 4.0}
    )
    result = run_experiment(scenario, 2, 1)
    h = headline(result)
    money = ("Break-even price", "Cost per answered call")
    assert all(light.status == "met" for light in h.lights if light.label not in money)
    assert h.days_missed == ()
    assert any("met every target" in s for s in h.sentences)
    assert any(s.startswith("Even the worst half-hour") for s in h.sentences)


def test_warnings_follow_the_headline_in_the_report(easter):
    page = report_html(easter, pngs={})  # 3 replications: too few for tight intervals
    assert page.index('id="headline"') < page.index('id="warnings"') < page.index('id="by-day"')
    assert "few-replications" in page


def _quick(path: str, **overrides: object):
    scenario = load_scenario(SCENARIOS / path).with_overrides({"run.days": 2, **overrides})
    return run_experiment(scenario, 3, 1)


def test_break_even_counts_penalties_and_per_head_prices():
    penalty = {"kpi": "callback_within_10min", "threshold": 0.9, "amount_gbp": 20000.0}
    result = _quick("typical-area.toml", **{"costs.price_per_call_gbp": 16.0,
                                             "costs.penalties": [penalty]})  # fmt: skip
    summary = result.summary
    money = next(light for light in headline(result).lights if light.label == "Break-even price")
    assert money.value == f"£{summary.loc['break_even_price_per_call_gbp', 'mean']:,.2f}"
    assert summary.loc["margin_gbp", "mean"] < 0 and money.status == "missed"
    data = load_scenario(SCENARIOS / "typical-area.toml").to_data()
    del data["costs"]["price_per_call_gbp"]
    data["costs"]["price_per_head_per_year_gbp"] = 9.0
    block = scenario_from_data(data, "test").with_overrides({"run.days": 2})
    per_head = run_experiment(block, 3, 1)
    sentence = next(s for s in headline(per_head).sentences if s.startswith("Break-even"))
    assert "per head a year" in sentence and "£9.00" in sentence


def test_targets_of_features_not_used_stay_out_and_wide_intervals_are_uncertain():
    result = _quick("validation/erlang-a.toml")  # no clinicians: no call-back target shown
    h = headline(result)
    assert [light.label for light in h.lights] == ["Answered within 60 s", "Abandoned after 30 s"]
    for light in h.lights:
        row = result.summary.loc[
            {"Answered within 60 s": "answered_within_60s"}.get(light.label, "abandoned_after_30s")
        ]
        target = 0.95 if light.label.startswith("Answered") else 0.05
        holds = row["ci_low"] <= target <= row["ci_high"]
        assert (light.status == "uncertain") == holds
        assert light.word.endswith("?") == holds


def test_partial_days_say_so():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.hours": 42, "run.warmup_min": 720}
    )
    days = day_marks(run_experiment(scenario, 2, 1))
    assert list(days["label"]) == ["Mon 2 Mar 2015 (from 12:00)", "Tue 3 Mar 2015 (to 18:00)"]
