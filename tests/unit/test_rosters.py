"""Rosters people can read: shift rules, head-counts by half-hour, the header, ``price``."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib

import numpy as np
import pytest

from sim111.errors import ScenarioError
from sim111.planning.covering import cover_requirements, shift_templates
from sim111.planning.roster_summary import headcount_by_half_hour, headcount_rows
from sim111.planning.staffing import SLOTS_PER_DAY, StaffingTargets, staff
from sim111.scenario import load_scenario
from sim111.scenario.shift_rules import ShiftRules
from tests.conftest import ERLANG_A, SCENARIOS, make_scenario
from tests.unit.test_cli import sim111

TYPICAL = SCENARIOS / "typical-area.toml"
FAST = StaffingTargets(replications=3, seed=1)


@pytest.fixture(scope="module")
def two_days():
    return load_scenario(TYPICAL).with_overrides({"run.days": 2})


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("min_length_h", 14, "must be <= max_length_h (12), got 14"),
        ("max_length_h", 7.25, "must be whole or half hours, got 7.25"),
        ("start_every_min", 45, "must be a multiple of 30 that divides 1440, got 45"),
        ("starts", ["07:15"], "must be on the half hour before 24:00, got '07:15'"),
        ("min_per_line", 0, "must be >= 1, got 0"),
        ("night_shifts", "no", "must be true or false"),
    ],
)
def test_bad_shift_rules_name_the_key_and_what_is_allowed(key, value, allowed):
    scenario = load_scenario(TYPICAL)
    with pytest.raises(ScenarioError) as err:
        scenario.with_overrides({f"clinicians.0.shift_rules.{key}": value})
    assert f"'clinicians.0.shift_rules.{key}" in str(err.value) and allowed in str(err.value)


def test_bad_shift_rules_exit_2_naming_the_key():
    proc = sim111("staff", str(TYPICAL), "--set", "advisors.shift_rules.start_every_min=50")
    assert proc.returncode == 2
    assert "'advisors.shift_rules.start_every_min' must be a multiple of 30" in proc.stderr


def test_the_rules_give_the_templates():
    rules = ShiftRules(min_length_h=5, max_length_h=11, length_step_h=3, start_every_min=360)
    assert rules.lengths_h == (5, 8, 11) and rules.start_mins == (0, 360, 720, 1080)
    assert ShiftRules().lengths_h == (4, 6, 8, 10, 12)  # the defaults (E)
    days = shift_templates({"weekday"}, ShiftRules(starts=("22:00", "06:00"), night_shifts=False))
    assert {(t.start_min, t.length_min) for t in days} == {(360, h * 60) for h in (4, 6, 8, 10, 12)}


def test_a_half_hour_no_allowed_shift_covers_is_an_error():
    need = np.zeros((1, SLOTS_PER_DAY), dtype=int)
    need[0, 0] = 3  # 00:00 on day 1: only a night shift, or one starting at 00:00, covers it
    templates = shift_templates({"weekday"}, ShiftRules(starts=("08:00",), night_shifts=False))
    with pytest.raises(ValueError, match="no allowed shift covers 00:00 on run day 1"):
        cover_requirements(need, ["weekday", "weekday"], templates, lambda t, k: 1.0)


def test_the_minimum_head_count_holds_and_still_covers():
    need = np.zeros((1, SLOTS_PER_DAY), dtype=int)
    need[0, 16:24] = [1, 1, 3, 3, 1, 1, 1, 1]  # 08:00-12:00
    templates = shift_templates({"weekday"}, ShiftRules(min_length_h=2, max_length_h=4))
    cost = lambda t, k: t.length_min  # noqa: E731
    loose = cover_requirements(need, ["weekday", "saturday"], templates, cost, 1)
    tight = cover_requirements(need, ["weekday", "saturday"], templates, cost, 3)
    assert loose[loose > 0].min() == 1 and tight[tight > 0].min() >= 3
    for counts in (loose, tight):
        cover = np.zeros(SLOTS_PER_DAY, dtype=int)
        for tpl, n in zip(templates, counts, strict=True):
            cover[tpl.start_min // 30 : (tpl.start_min + tpl.length_min) // 30] += n
        assert (cover >= need[0]).all()
    paid = [
        sum(t.length_min * n for t, n in zip(templates, c, strict=True)) for c in (loose, tight)
    ]
    # 1 person 08:00-12:00 and 2 more 08:00-10:00; or 3 people on both 2-hour lines
    assert paid == [240 + 2 * 120, 3 * 240]


def test_staffed_lines_respect_each_groups_rules(two_days):
    scenario = two_days.with_overrides(
        {
            "advisors.shift_rules": {"min_length_h": 6, "max_length_h": 10, "min_per_line": 3},
            "clinicians.0.shift_rules": {"start_every_min": 120, "night_shifts": False},
        }
    )
    found = staff(scenario, FAST)
    assert found.met
    advisors, clinicians = found.scenario.advisors.shifts, found.scenario.clinicians[0].shifts
    assert advisors and clinicians
    for shift in advisors:
        assert shift.duration_min in (360, 480, 600) and shift.count >= 3
        assert shift.start_min % 30 == 0
    for shift in clinicians:
        assert shift.start_min % 120 == 0 and shift.count >= 2
        assert shift.start_min + shift.duration_min <= 24 * 60  # none past midnight


def test_typical_area_is_staffed_with_far_fewer_lines(two_days):
    # measured: 16 advisor + 10 clinician lines under the default rules; 30 + 18 with
    # one-person lines of 4-10 h allowed (as before the rules; 7 days: 56 against 85)
    one_person = {"min_per_line": 1, "max_length_h": 10}
    before = two_days.with_overrides(
        {"advisors.shift_rules": one_person, "clinicians.0.shift_rules": one_person}
    )
    lines = [
        len(s.advisors.shifts) + len(s.clinicians[0].shifts)
        for s in (staff(two_days, FAST).scenario, staff(before, FAST).scenario)
    ]
    assert lines[0] <= 30 and lines[0] <= 0.6 * lines[1]


def test_headcount_by_half_hour_counts_night_shifts_on_the_day_they_reach():
    rostered = {
        **ERLANG_A,
        "advisors": {
            "handle_time": {"kind": "exponential", "mean_min": 8.0},
            "shifts": [
                {"start": "08:00", "end": "16:00", "count": 3},
                {"start": "22:00", "end": "06:00", "count": 2, "day_types": ["weekday"]},
            ],
        },
    }
    scenario = make_scenario(rostered, run={"days": 7, "start_date": dt.date(2015, 3, 2)})  # Mon
    frame = headcount_by_half_hour(scenario)["health advisors"]
    assert list(frame.columns) == ["weekday", "saturday", "sunday"]
    assert len(frame) == SLOTS_PER_DAY and frame.index[1] == "00:30"
    assert frame.loc["08:00"].tolist() == [3, 3, 3] and frame.loc["16:00"].tolist() == [0, 0, 0]
    assert frame.loc["23:00"].tolist() == [2, 0, 0]
    # 02:00: Friday's night reaches Saturday; Monday's small hours follow a Sunday
    assert frame.loc["02:00"].tolist() == [pytest.approx(2 * 4 / 5), 2, 0]
    rows = headcount_rows(headcount_by_half_hour(scenario))
    assert list(rows.columns) == ["time", "group", "weekday", "saturday", "sunday"]
    assert len(rows) == SLOTS_PER_DAY


def test_staff_writes_a_header_in_words_a_headcount_and_a_new_name(tmp_path):
    out = tmp_path / "staffed"
    proc = sim111("staff", str(TYPICAL), "--set", "run.days=2", "-n", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    roster = (out / "roster.toml").read_text()
    header = "".join(line for line in roster.splitlines(True) if line.startswith("#"))
    assert "typical-area-staffed: the roster sim111 staff found for typical-area" in header
    assert f"Command: sim111 staff {TYPICAL} --replications 3 --set run.days=2 --out" in header
    answered = re.search(
        r"(\d+\.\d)% answered within 60 s \(of answered\) \(target >= 95%\)", header
    )
    abandoned = re.search(
        r"(\d+\.\d)% abandoned after 30 s \(of offered\) \(target <= 5%\)", header
    )
    assert answered and float(answered[1]) >= 95 and abandoned and float(abandoned[1]) <= 5
    assert re.search(r"£\d+\.\d\d per answered call", header)
    data = tomllib.loads(roster)
    n_lines = len(data["advisors"]["shifts"])
    assert f"Shift lines: {n_lines} health advisors" in header
    assert len(roster.splitlines()) < 60  # one line a shift line
    staffed = load_scenario(out / "scenario.toml")
    assert staffed.name == "typical-area-staffed" and len(staffed.advisors.shifts) == n_lines
    table = (out / "headcount.csv").read_text().splitlines()
    assert table[0] == "time,group,weekday"  # two weekdays
    assert len(table) == 1 + 2 * SLOTS_PER_DAY  # advisors, clinical advisors
    assert "People on duty by half-hour" in proc.stdout


def test_price_says_what_it_priced_and_writes_json_and_text(tmp_path):
    args = ("price", str(TYPICAL), "--set", "run.days=2", "-n", "3", "--seed", "5")
    proc = sim111(*args)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[:3]
    assert first[0].startswith("Priced typical-area (") and "3 replications, seed 5" in first[0]
    assert first[1].startswith("Targets: Answered within 60 s (of answered) >= 95% (mean ")
    assert first[2].startswith("Staffing: health advisors: 17 shift lines, roster scale 0.8727")
    js = sim111(*args, "--format", "json", "--out", str(tmp_path / "p"))
    assert js.returncode == 0, js.stderr
    data = json.loads(js.stdout)
    assert data.keys() >= {"scenario", "replications", "seed", "targets", "staffing", "kpis"}
    assert (data["scenario"], data["replications"], data["seed"]) == ("typical-area", 3, 5)
    assert data["targets"]["answered_within_60s"]["target"] == 0.95
    assert data["staffing"][0] == {
        "group": "health advisors",
        "count": None,
        "shift_lines": 17,
        "roster_scale": 0.8727,
        "staffing_changes": 0,
    }
    assert data["kpis"]["break_even_price_per_call_gbp"]["mean"] > 0
    assert "NaN" not in js.stdout
    assert json.loads((tmp_path / "p" / "price.json").read_text()) == data
    assert (tmp_path / "p" / "price.txt").read_text() == proc.stdout


def test_price_out_on_a_file_exits_2(tmp_path):
    file = tmp_path / "taken"
    file.write_text("")
    proc = sim111("price", str(TYPICAL), "--set", "run.days=1", "-n", "2", "--out", str(file))
    assert proc.returncode == 2 and "--out" in proc.stderr and "is a file" in proc.stderr
