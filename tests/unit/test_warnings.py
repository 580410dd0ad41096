"""Warnings for planners: what they say, where they are told, and ``--strict``."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.engine.calendar import run_days
from sim111.experiments.replications import run_experiment
from sim111.experiments.warnings import (
    MIN_REPLICATIONS,
    result_warnings,
    scenario_warnings,
    summary_warnings,
)
from sim111.measures.coverage import gaps_text, hours_text, on_duty
from sim111.outputs.files import result_json
from sim111.outputs.warnings import warnings_section_html
from sim111.scenario import load_scenario
from sim111.scenario.demand import HOURLY_WEEKDAY_PCT
from sim111.scenario.warnings import PlannerWarning
from tests.conftest import SCENARIOS, scenario_files

TYPICAL = SCENARIOS / "typical-area.toml"
DAY_ONLY = '[{start = "08:00", end = "16:00", count = 60}]'  # one shift line, every day


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def warnings_told(stderr):
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def typical(**overrides):
    return load_scenario(TYPICAL).with_overrides({"run.days": 1, **overrides})


def codes(warnings):
    return [w.code for w in warnings]


def test_a_day_only_roster_warns_with_the_hours_and_the_share_of_calls_then():
    (gap,) = scenario_warnings(typical(**{"advisors.shifts": [_line("08:00", "16:00")]}))
    night = sum(HOURLY_WEEKDAY_PCT[:8]) + sum(HOURLY_WEEKDAY_PCT[16:])
    share = 100 * night / sum(HOURLY_WEEKDAY_PCT)  # a Monday: the weekday profile
    assert gap.code == "no-advisor-on-duty" and gap.where == "advisors"
    assert gap.message.startswith("no advisor on duty 16:00-08:00 every day, when ")
    assert f"when {share:.3g}% of the run's expected calls arrive" in gap.message


def _line(start, end, count=60, day_types=None):
    line = {"start": start, "end": end, "count": count}
    return line if day_types is None else {**line, "day_types": day_types}


def test_hours_are_told_by_day_type_and_dates_when_only_some_days_have_them():
    scenario = typical(
        **{
            "run.days": 7,
            "advisors.shifts": [
                _line("00:00", "00:00", day_types=["weekday"]),
                _line("08:00", "20:00", day_types=["saturday", "sunday"]),
            ],
            "advisors.staffing_changes": [  # no one on Friday
                {"from_date": dt.date(2015, 3, 6), "roster_scale": 0},
                {"from_date": dt.date(2015, 3, 7), "roster_scale": 1},
            ],
        }
    )
    (gap,) = scenario_warnings(scenario)
    assert gap.message.startswith(
        "no advisor on duty all day on 2015-03-06; 20:00-08:00 on Saturdays and Sundays, when "
    )
    assert gap.message.count("all day") == 1  # Monday-Thursday are covered


def test_hours_text_joins_ranges_over_midnight():
    assert hours_text(list(range(32, 48)) + list(range(16))) == "16:00-08:00"
    assert hours_text(range(48)) == "all day"
    assert hours_text([0, 1, 20, 47]) == "23:30-01:00, 10:00-10:30"
    days = run_days(load_scenario(TYPICAL).run.start_date, 7)  # Monday to Sunday
    gaps = np.zeros((7, 48), dtype=bool)
    gaps[:, :2] = True
    assert gaps_text(gaps, days) == "00:00-01:00 every day"
    gaps[5:, 2] = True
    assert gaps_text(gaps, days) == "00:00-01:00 on weekdays; 00:00-01:30 on Saturdays and Sundays"


def test_no_one_rostered_is_one_warning_not_every_hour_too():
    (nobody,) = scenario_warnings(typical(**{"advisors.roster_scale": 0}))
    assert nobody.code == "nobody-rostered" and nobody.where == "advisors"
    assert nobody.message == (
        "advisors: roster_scale = 0, so no one is rostered: no call will be answered"
    )
    constant = load_scenario(SCENARIOS / "validation" / "erlang-a.toml")
    (nobody,) = scenario_warnings(constant.with_overrides({"advisors.count": 0}))
    assert "count = 0" in nobody.message


def test_normalised_shares_are_told_with_their_sum():
    (shares,) = scenario_warnings(typical(**{"triage.disposition.ambulance": 0.6}))
    assert shares.code == "shares-normalised" and shares.where == "triage.disposition"
    assert shares.message.startswith("triage.disposition: the shares add up to 1.5, not 1")
    assert scenario_warnings(typical(**{"clinical.priorities.0.share": 0.445})) == ()  # 0.995


def test_short_runs_and_unattainable_targets_warn():
    (short,) = scenario_warnings(load_scenario(TYPICAL).with_overrides({"run.hours": 6}))
    assert short.code == "short-run" and "6 hours, less than a day" in short.message
    capped = typical(**{"targets.callback_reached_within_10min": 0.95})
    (target,) = scenario_warnings(capped)
    assert target.code == "unattainable-target"
    assert target.message.startswith("[targets] callback_reached_within_10min = 95% cannot be met")


@pytest.mark.parametrize(
    ("sharing", "expected"),
    [
        ({"advisors": "area"}, [("nobody-rostered", "areas.0.advisors")]),
        ({"advisors": "all"}, []),  # north and south's advisors answer each other's calls
    ],
)
def test_areas_are_judged_by_the_pool_their_staff_answer(sharing, expected):
    areas = [
        {"name": "north", "population": 400_000, "advisor_roster_factor": 0},
        {"name": "south", "population": 600_000},
    ]
    scenario = typical(areas=areas, sharing={**sharing, "clinicians": "contract"})
    assert [(w.code, w.where) for w in scenario_warnings(scenario)] == expected


AID = {"after_expected_wait_s": 60, "fee_per_call_gbp": 8}
TWO = [{"name": "north", "population": 400_000}, {"name": "south", "population": 600_000}]
LINE = {
    "name": "line",
    "count": 2,
    "price_per_call_gbp": 20.0,
    "handle_time": {"kind": "lognormal", "mean_min": 14, "sd_min": 6},
}


@pytest.mark.parametrize(
    ("overrides", "where", "says"),
    [
        ({"areas": TWO[:1], "sharing.advisors": "all"}, "sharing", "has one area"),
        (
            {"areas": TWO, "sharing.advisors": "area", "sharing.prefer_own_area_s": 30},
            "sharing.prefer_own_area_s",
            "no advisor pool holds two areas (advisors = 'area')",
        ),
        (
            {"areas": TWO, "sharing.advisors": "all", "sharing.mutual_aid": AID},
            "sharing.mutual_aid",
            "every area is in one advisor pool (advisors = 'all')",
        ),
        (
            {"areas": TWO, "providers": [LINE], "sharing.contingency": "line"},
            "sharing.contingency",
            "no [[overflow]] rule sends calls to it",
        ),
    ],
)
def test_sharing_settings_that_change_nothing_warn(overrides, where, says):
    (warning,) = scenario_warnings(typical(**overrides))
    assert (warning.code, warning.where) == ("sharing-unused", where)
    assert says in warning.message


@pytest.mark.parametrize(
    "overrides",
    [
        {"areas": TWO, "sharing.advisors": "all", "sharing.prefer_own_area_s": 30},
        {"areas": TWO, "sharing.advisors": "area", "sharing.mutual_aid": AID},
        {
            "areas": TWO,
            "providers": [LINE],
            "overflow": [{"provider": "line", "queue_length_over": 5}],
            "sharing.contingency": "line",
        },
    ],
)
def test_sharing_settings_that_do_something_do_not_warn(overrides):
    assert scenario_warnings(typical(**overrides)) == ()


# Library scenarios that warn, and why (none today: England 2014's smallest areas, whose
# clinician rosters once rounded day shifts to no one, have a cover floor).
LIBRARY_WARNINGS: dict[str, list[tuple[str, str]]] = {}


@pytest.mark.parametrize(
    "path", scenario_files(), ids=lambda p: p.relative_to(SCENARIOS).as_posix()
)
def test_library_scenarios_raise_only_the_warnings_they_deserve(path):
    found = [(w.code, w.where) for w in scenario_warnings(load_scenario(path))]
    assert found == LIBRARY_WARNINGS.get(path.relative_to(SCENARIOS).as_posix(), [])


def _summary(rows):
    frame = pd.DataFrame(rows, columns=["kpi", "mean", "ci_low", "ci_high"]).set_index("kpi")
    frame["n"] = MIN_REPLICATIONS
    return frame


def test_result_warnings_say_when_the_intervals_or_the_base_are_too_small():
    scenario = typical()
    fine = [
        ("calls_offered", 1000, 990, 1010),
        ("calls_answered", 960, 950, 970),
        ("abandoned", 0.04, 0.03, 0.05),
        ("answered_within_60s", 0.95, 0.94, 0.96),
    ]
    assert summary_warnings(scenario, _summary(fine), MIN_REPLICATIONS) == []
    bad = [
        ("calls_offered", 1000, 990, 1010),
        ("calls_answered", 310, 300, 320),
        ("abandoned", 0.69, 0.68, 0.70),  # over 2 x the 5% target
        ("answered_within_60s", 0.96, 0.80, 1.0),  # +-10 points
    ]
    few, wide, unanswered = summary_warnings(scenario, _summary(bad), 3)
    assert few.code == "few-replications" and "only 3 replications" in few.message
    assert wide.code == "wide-interval" and "+-10.0 points with 3 replications" in wide.message
    clear = [*bad[:3], ("answered_within_60s", 0.70, 0.60, 0.80)]  # as wide, well below 95%
    assert [w.code for w in summary_warnings(scenario, _summary(clear), 3)] == [
        "few-replications",
        "calls-not-answered",
    ]
    assert unanswered.code == "calls-not-answered"
    assert unanswered.message.startswith("69.0% of offered calls were abandoned")
    assert "'Answered within 60 s' (96.0%) is a share of the 31.0% of calls answered" in (
        unanswered.message
    )
    none = [("calls_offered", 0, 0, 0)]
    assert codes(summary_warnings(scenario, _summary(none), MIN_REPLICATIONS)) == ["no-calls"]


def test_too_few_replications_warn_after_a_run():
    scenario = typical(**{"run.days": 2})
    few = result_warnings(run_experiment(scenario, 2, 1))
    assert "few-replications" in codes(few)
    assert "few-replications" not in codes(result_warnings(run_experiment(scenario, 5, 1)))


def test_run_warns_on_stderr_and_goes_on():
    args = ("run", TYPICAL, "-n", "2", "--set", "run.days=1", "--set")
    result = invoke(*args, f"advisors.shifts={DAY_ONLY}", "--format", "json")
    assert result.exit_code == 0, result.stderr
    told = warnings_told(result.stderr)
    source = f"warning: {TYPICAL} with --set: "
    assert told[0].startswith(f"{source}no advisor on duty 16:00-08:00 every day")
    assert len(told) == len(set(told))  # each once
    listed = json.loads(result.stdout)["warnings"]
    assert [source + w["message"] for w in listed] == told
    assert {"no-advisor-on-duty", "few-replications", "calls-not-answered"} <= {
        w["code"] for w in listed
    }


def test_strict_stops_before_the_run_on_a_scenario_warning(tmp_path):
    out = tmp_path / "out"
    args = ("run", TYPICAL, "-n", "2", "--set", "advisors.roster_scale=0", "--set", "run.days=1")
    result = invoke(*args, "--out", out, "--strict")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "error: --strict: 1 warning above; nothing was run"
    assert result.stdout == "" and not out.exists()
    result = invoke(*args)  # without --strict: the run goes on, and answers no call
    assert result.exit_code == 0
    answered = next(line for line in result.stdout.splitlines() if line.startswith("Calls answe"))
    assert answered.split()[2] == "0"


def test_strict_fails_on_a_result_warning_after_printing_but_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", TYPICAL, "-n", "2", "--set", "run.days=1", "--out", out, "--strict")
    assert result.exit_code == 2
    assert "Answered within 60 s" in result.stdout  # the KPIs are still shown
    assert result.stderr.splitlines()[-1].endswith("warnings above; nothing was written")
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no staging folder left


def test_strict_on_price_compare_and_sweep(tmp_path):
    price = invoke("price", TYPICAL, "-n", "2", "--set", "run.days=1", "--strict")
    assert price.exit_code == 2 and "Break-even price" in price.stdout
    short = tmp_path / "short.toml"
    short.write_text(f'extends = "{TYPICAL.as_posix()}"\n[run]\nhours = 12\n')
    compare = invoke("compare", TYPICAL, short, "-n", "2", "--strict")
    assert compare.exit_code == 2 and compare.stdout == ""
    assert warnings_told(compare.stderr) == [
        f"warning: {short}: run lasts 12 hours, less than a day: its KPIs cover part of the "
        "daily pattern of calls and rosters only, not a day or a week",
        "warning: compare: the scenarios' run lengths (typical-area 7 days, short 12 hours) "
        "differ: replication r of each does not meet the same callers, so the differences "
        "include luck (their intervals allow for it); totals (calls, hours, costs) are "
        "compared per day",
    ]
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(
        f'name = "w"\nscenario = "{TYPICAL.as_posix()}"\n'
        '[grid]\n"advisors.roster_scale" = [1.0, 0.0]\n"run.days" = [1]\n'
    )
    result = invoke("sweep", sweep, "-n", "2", "--store", tmp_path / "st", "--strict")
    assert result.exit_code == 2 and not (tmp_path / "st").exists()
    (told,) = warnings_told(result.stderr)
    assert "point 1 {'advisors.roster_scale': 0.0, 'run.days': 1}: advisors: roster_scale" in told


def test_the_report_section_lists_the_warnings_escaped():
    assert warnings_section_html(()) == ""
    html = warnings_section_html([PlannerWarning("short-run", "a <b> & c", "run")])
    assert (
        '<section id="warnings">' in html and "<code>short-run</code> a &lt;b&gt; &amp; c" in html
    )


def test_result_json_lists_the_scenario_and_result_warnings():
    result = run_experiment(typical(**{"run.days": 1}), MIN_REPLICATIONS, 1)
    assert result_json(result)["warnings"] == [w.as_json() for w in result_warnings(result)]


def test_a_half_hour_is_covered_by_anyone_on_duty_in_any_part_of_it():
    shifts = [_line("08:15", "16:00", 1), _line("22:00", "02:00", 1)]
    scenario = typical(**{"run.days": 2, "advisors.shifts": shifts})
    covered = on_duty(scenario.advisors, scenario, 2)
    hours = [hours_text(np.flatnonzero(day)) for day in covered]
    assert hours == ["22:00-02:00, 08:00-16:00"] * 2  # 00:00-02:00 on day 0: Sunday's night
