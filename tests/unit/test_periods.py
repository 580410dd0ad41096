"""KPIs by day, week and month: sums, edges, labels, CIs, workers, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from sim111.engine.centre import simulate
from sim111.experiments.periods import period_summary
from sim111.experiments.replications import run_experiment
from sim111.experiments.stats import t_interval
from sim111.measures.kpis import replication_kpis
from sim111.measures.periods import period_edges_min, period_kpis
from sim111.outputs.files import result_json, write_outputs
from sim111.outputs.periods import period_kinds, periods_section_html, periods_table
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS
from tests.unit.test_cli import sim111

TYPICAL = SCENARIOS / "typical-area.toml"


def typical(**overrides: object):
    return load_scenario(TYPICAL).with_overrides({f"run.{k}": v for k, v in overrides.items()})


def test_day_counts_add_up_to_the_run_and_a_one_day_run_is_its_day():
    scenario = typical(days=3, warmup_min=600)
    rec = simulate(scenario, 0, 5)
    run = replication_kpis(rec)
    frame = period_kpis(rec)
    for kind in ("day", "week", "month"):
        part = frame[frame["period"] == kind]
        assert part["calls_offered"].sum() == run["calls_offered"]
        assert part["calls_answered"].sum() == run["calls_answered"]
    days = frame[frame["period"] == "day"]
    assert list(days["in_warmup"]) == [False, False, False]  # 600 min: part of day 1
    # day 1's time-averages start when the warm-up ends
    one = simulate(typical(days=1, warmup_min=600), 0, 5)
    day = period_kpis(one, ("day",)).iloc[0]
    whole = replication_kpis(one)
    for key in ("answered_within_60s", "abandoned", "abandoned_after_30s", "calls_offered"):
        assert day[key] == whole[key], key
    for key in ("callback_within_10min", "advisor_utilisation", "mean_advisors_on_duty"):
        assert day[key] == pytest.approx(whole[key], rel=1e-12), key


def test_a_day_wholly_in_the_warm_up_is_flagged_and_counts_nothing():
    rec = simulate(typical(days=2, warmup_min=1440), 0, 3)
    days = period_kpis(rec, ("day",))
    assert list(days["in_warmup"]) == [True, False]
    assert days.loc[0, "calls_offered"] == 0 and math.isnan(days.loc[0, "advisor_utilisation"])
    assert days.loc[1, "calls_offered"] == replication_kpis(rec)["calls_offered"]


def test_easter_days_are_labelled_with_weekday_and_bank_holiday():
    rec = simulate(load_scenario(SCENARIOS / "easter-2013.toml").with_overrides({}), 0, 1)
    days = period_kpis(rec, ("day",))
    assert list(days["label"]) == [
        "Thu 28 Mar 2013",
        "Fri 29 Mar 2013",
        "Sat 30 Mar 2013",
        "Sun 31 Mar 2013",
        "Mon 1 Apr 2013",
        "Tue 2 Apr 2013",
    ]
    assert list(days["weekday"])[:2] == ["thursday", "friday"]
    assert list(days["day_type"]) == [
        "weekday",
        "bank_holiday",
        "saturday",
        "sunday",
        "bank_holiday",
        "weekday",
    ]
    assert days["period_start"].iloc[1] == pd.Timestamp("2013-03-29")


def test_weeks_are_monday_aligned_and_months_calendar_months():
    thursday = dt.date(2013, 3, 28)
    weeks = period_edges_min(thursday, 20 * 1440.0, "week") / 1440
    assert list(weeks) == [0, 4, 11, 18, 20]  # Mon 1, 8, 15 Apr; ends with the run
    monday = period_edges_min(dt.date(2013, 4, 1), 7 * 1440.0, "week") / 1440
    assert list(monday) == [0, 7]
    months = period_edges_min(dt.date(2013, 12, 30), 40 * 1440.0, "month") / 1440
    assert list(months) == [0, 2, 33, 40]  # 1 Jan, 1 Feb 2014
    half_day = period_edges_min(thursday, 720.0, "day")
    assert list(half_day) == [0, 720]
    with pytest.raises(ValueError, match="period kind"):
        period_edges_min(thursday, 1440.0, "year")


def test_week_labels_and_a_partial_first_week():
    rec = simulate(typical(days=9, start_date=dt.date(2013, 3, 28)), 0, 2)
    weeks = period_kpis(rec, ("week",))
    assert list(weeks["label"]) == ["Thu 28 Mar - Sun 31 Mar 2013", "Mon 1 Apr - Fri 5 Apr 2013"]
    assert list(weeks["length_days"]) == [4.0, 5.0]
    assert weeks["weekday"].isna().all() and weeks["day_type"].isna().all()


def test_summary_is_the_t_interval_across_replications():
    result = run_experiment(typical(days=2), 3, 7)
    days = result.period_summary("day")
    assert len(days) == 2 and list(days["replications"]) == [3, 3]
    per_rep = result.periods[result.periods["period"] == "day"]
    for i in range(2):
        values = per_rep.loc[per_rep["period_index"] == i, "answered_within_60s"].to_numpy()
        mean, low, high = t_interval(values)
        assert days.loc[i, "answered_within_60s"] == pytest.approx(mean)
        assert days.loc[i, "answered_within_60s_ci_low"] == pytest.approx(max(low, 0))
        assert days.loc[i, "answered_within_60s_ci_high"] == pytest.approx(min(high, 1))
    total = days["calls_offered"].sum()
    assert total == pytest.approx(result.summary.loc["calls_offered", "mean"])
    assert period_summary(result.periods, "month")["length_days"].tolist() == [2.0]
    assert period_summary(pd.DataFrame(), "day").empty


def test_identical_on_one_and_two_workers():
    scenario = typical(days=2)
    serial = run_experiment(scenario, 2, 3)
    pooled = run_experiment(scenario, 2, 3, workers=2)
    assert len(serial.periods) == 2 * (2 + 1 + 1)  # days, one week, one month
    pd.testing.assert_frame_equal(serial.periods, pooled.periods)


def test_a_store_keeps_periods_or_says_it_has_none(tmp_path):
    from sim111.experiments.store import ResultStore

    scenario = typical(days=1)
    first = run_experiment(scenario, 2, 3, store=tmp_path)
    again = run_experiment(scenario, 2, 3, store=tmp_path)  # read back from the store
    pd.testing.assert_frame_equal(first.periods, again.periods, check_exact=True)
    store = ResultStore(tmp_path)
    keys = store.keys()
    assert len(keys) == 2 and all(store.get(k)[2] is not None for k in keys)
    store.put("k", "s", 1, 0, {}, {"x": 1.0}, pd.DataFrame({"a": [1]}))
    assert store.get("k")[2] is None


def test_outputs_json_csv_html_and_table(tmp_path):
    result = run_experiment(load_scenario(SCENARIOS / "easter-2013.toml"), 2, 1)
    assert period_kinds(result) == ("day",)
    data = result_json(result)
    days = data["by_period"]["day"]
    assert [d["day_type"] for d in days][:2] == ["weekday", "bank_holiday"]
    friday = days[1]["kpis"]["answered_within_60s"]
    assert friday["target"] == 0.95 and friday["status"] in ("met", "MISSED")
    json.dumps(data)  # every value is plain JSON
    html = periods_section_html(result)
    assert html.startswith('<section id="by-day">') and "bank holiday" in html
    summary = result.period_summary("day")
    missed = int((summary["answered_within_60s"] < 0.95).sum())
    assert html.count('class="missed"') >= missed > 0
    table = periods_table(result, "day")
    assert "Fri 29 Mar 2013  bank holiday" in table and "MISSED" in table
    written = {p.name for p in write_outputs(result, tmp_path / "out")}
    assert "by_day.csv" in written and "by_week.csv" not in written
    csv = pd.read_csv(tmp_path / "out" / "by_day.csv")
    assert list(csv["label"])[1] == "Fri 29 Mar 2013"
    assert np.allclose(csv["calls_offered"], summary["calls_offered"])


def test_long_runs_also_write_weeks_and_months():
    result = run_experiment(typical(days=14), 1, 1)
    assert period_kinds(result) == ("day", "week")
    assert set(result_json(result)["by_period"]) == {"day", "week"}


def test_cli_by_day_prints_the_table_and_a_bad_value_exits_2():
    args = ("run", str(TYPICAL), "-n", "2", "--set", "run.days=2")
    proc = sim111(*args, "--by", "day")
    assert proc.returncode == 0, proc.stderr
    assert "Day by day" in proc.stdout and "Mon 2 Mar 2015  weekday" in proc.stdout
    assert "Day by day" not in sim111(*args).stdout  # only when asked
    weeks = json.loads(sim111(*args, "--by", "week", "--format", "json").stdout)
    assert set(weeks["by_period"]) == {"day", "week"}
    bad = sim111(*args, "--by", "year")
    assert bad.returncode == 2 and "'year' is not one of" in bad.stderr
