"""Loading, validation messages and overrides of scenario files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

from sim111.errors import ScenarioError
from sim111.scenario import load_scenario
from sim111.scenario.textfile import read_text
from tests.conftest import SCENARIOS, make_scenario, scenario_files

GOOD = """
name = "t"
[advisors]
count = 3
[advisors.handle_time]
mean_min = 8
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


def test_every_shipped_scenario_loads():
    paths = scenario_files()
    assert paths
    for path in paths:
        scenario = load_scenario(path)
        assert scenario.name


def test_name_defaults_to_file_stem(tmp_path):
    path = write(tmp_path, GOOD.replace('name = "t"', ""))
    assert load_scenario(path).name == "s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + "[run]\ndayz = 3\n", "'run.dayz' is not a known key here; allowed keys: days,"),
        (GOOD + "[run]\ndays = 0\n", "'run.days' must be >= 1, got 0"),
        (GOOD + "[run]\ndays = 2.5\n", "'run.days' must be an integer, got 2.5"),
        (GOOD + '[run]\nstart_date = "March"\n', "'run.start_date' must be a date"),
        (GOOD + "[run]\ninterval_min = 7\n", "'run.interval_min' must divide 1440"),
        (GOOD + "[run]\ndays = 1\nwarmup_min = 1440\n", "'run.warmup_min' must be shorter"),
        (
            GOOD.replace("mean_min = 8", "mean_min = -3"),
            "'advisors.handle_time.mean_min' must be > 0, got -3",
        ),
        (
            GOOD.replace("mean_min = 8", 'mean_min = 8\nkind = "weibull"'),
            "'advisors.handle_time.kind' must be one of 'exponential', 'lognormal', 'gamma'",
        ),
        (
            GOOD.replace("mean_min = 8", 'mean_min = 8\nkind = "lognormal"'),
            "'advisors.handle_time.sd_min' is required when kind = 'lognormal'",
        ),
        (
            GOOD.replace("mean_min = 8", "mean_min = 8\nsd_min = 2"),
            "'advisors.handle_time.sd_min' applies only to kind = 'lognormal'",
        ),
        (
            GOOD.replace("count = 3", "count = true"),
            "'advisors.count' must be an integer, got true",
        ),
        ("[advisors.handle_time]\nmean_min = 8\n", "'advisors.count' or 'shifts' is required"),
        ('name = "x"\n', "'advisors' is required"),
        (
            GOOD + '[[advisors.shifts]]\nstart = "08:00"\nend = "16:00"\ncount = 2\n',
            "'advisors.count' and 'shifts' cannot both be given",
        ),
        (
            GOOD.replace("count = 3", "")
            + '[[advisors.shifts]]\nstart = "8am"\nend = "16:00"\ncount = 2\n',
            "'advisors.shifts.0.start' must be a time 'HH:MM'",
        ),
        (
            GOOD.replace("count = 3", "")
            + '[[advisors.shifts]]\nstart = "08:00"\nend = "16:00"\ncount = 2\n'
            + 'day_types = ["holiday"]\n',
            "'advisors.shifts.0.day_types.0' must be one of 'weekday', 'saturday'",
        ),
        (
            GOOD + "[demand]\ncalls_per_hour = 10\n",
            "'demand.calls_per_hour' applies only when kind = 'stationary'",
        ),
        (
            GOOD + '[demand]\nkind = "stationary"\n',
            "'demand.calls_per_hour' is required when kind = 'stationary'",
        ),
        (
            GOOD + "[demand]\nmonth_multipliers = [1, 1]\n",
            "'demand.month_multipliers' must have 12 entries, got 2",
        ),
        (
            GOOD + "[demand.hourly_profile]\nweekday = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,"
            " 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]\n",
            "'demand.hourly_profile.weekday' must have at least one entry > 0",
        ),
        (
            GOOD + "[callers]\nquick_hangup_share = 1.5\n",
            "'callers.quick_hangup_share' must be <= 1, got 1.5",
        ),
        (GOOD + "[demand]\noverdispersion_cv = nan\n", "must be a finite number"),
        ("run = 3\n" + GOOD, "'run' must be a table, got 3"),
        ("advisors = [\n", "not valid TOML"),
    ],
)
def test_bad_files_name_file_key_and_allowed_values(tmp_path, text, expected):
    assert expected in error_of(tmp_path, text)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "absent.toml")


def test_a_missing_file_named_like_a_folder_of_scenarios_names_what_it_holds(tmp_path):
    # sim111 run scenarios/england-2014.toml: the England files are in that folder
    (tmp_path / "england").mkdir()
    for name in ("national.toml", "apart.toml", "notes.md"):
        (tmp_path / "england" / name).write_text("")
    holds = f"{tmp_path / 'england'}{os.sep} holds apart.toml, national.toml"
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "england.toml")
    assert str(err.value).endswith(f"no such scenario file; {holds}")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "england")
    assert str(err.value).endswith(f"is a folder, not a scenario file; {holds}")
    with pytest.raises(ScenarioError) as err:  # a CSV wanted: .toml files are no help
        read_text(tmp_path / "england", "history file")
    assert str(err.value).endswith("is a folder, not a history file")


@pytest.mark.parametrize("name", ["..toml", "..", ".toml", "a..toml"])
def test_odd_missing_names_get_a_plain_error(tmp_path, name):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.toml").write_text("")
    with pytest.raises(ScenarioError, match=r"(no such scenario file|is a folder[^;]*)$"):
        load_scenario(tmp_path / "sub" / name)


def test_a_folder_behind_a_symbolic_link_is_not_listed(tmp_path):
    # it may lead out of the scenario's own folder: say nothing of what is there
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "private.toml").write_text("")
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "shared").symlink_to(tmp_path / "outside")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "tree" / "shared.toml")
    assert str(err.value).endswith("no such scenario file")


def test_with_overrides_returns_a_new_validated_frozen_scenario():
    base = make_scenario()
    changed = base.with_overrides({"advisors.count": 12, "run.start_date": dt.date(2013, 3, 28)})
    assert changed.advisors.count == 12
    assert changed.run.start_date == dt.date(2013, 3, 28)
    assert base.advisors.count == 10  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.advisors.count = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"advisors.count": -1}, "override: 'advisors.count' must be >= 0, got -1"),
        ({"advisors.cuont": 3}, "override: 'advisors.cuont' is not a known key here"),
        ({"advisors.count": "many"}, "override: 'advisors.count' must be an integer, got 'many'"),
        ({"callers.patience.mean_min": 0}, "'callers.patience.mean_min' must be > 0, got 0"),
    ],
)
def test_bad_overrides_name_the_key(overrides, expected):
    with pytest.raises(ScenarioError) as info:
        make_scenario().with_overrides(overrides)
    assert expected in str(info.value)


def test_override_can_index_a_shift_list():
    scenario = load_scenario(SCENARIOS / "typical-area.toml")
    changed = scenario.with_overrides({"advisors.shifts.0.count": 9})
    assert changed.advisors.shifts[0].count == 9
    with pytest.raises(ScenarioError, match="must index the list"):
        scenario.with_overrides({"advisors.shifts.99.count": 9})


def test_round_trip_through_data_is_identity():
    scenario = load_scenario(SCENARIOS / "typical-area.toml")
    assert scenario.with_overrides({}) == scenario


def test_issue_spelled_overrides_work_on_the_validation_scenario():
    scenario = load_scenario(SCENARIOS / "validation" / "erlang-a.toml").with_overrides(
        {
            "demand.calls_per_hour": 120,
            "advisors.count": 18,
            "advisors.handle_time.mean_min": 8,
            "callers.patience.mean_min": 5,
        }
    )
    assert scenario.demand.calls_per_hour == 120.0
    assert scenario.advisors.count == 18


def test_extends_merges_tables_and_replaces_arrays(tmp_path):
    base = SCENARIOS / "typical-area.toml"
    child = tmp_path / "child.toml"
    child.write_text(
        f'extends = "{base}"\n[run]\ndays = 2\n[demand]\nscale = 1.3\n'
        '[[advisors.shifts]]\nstart = "00:00"\nend = "00:00"\ncount = 9\n'
    )
    s = load_scenario(child)
    parent = load_scenario(base)
    assert s.name == "child"
    assert s.run.days == 2 and s.run.start_date == parent.run.start_date  # merged
    assert s.demand.scale == 1.3 and s.demand.population == parent.demand.population
    assert len(s.advisors.shifts) == 1 and s.advisors.shifts[0].count == 9  # replaced
    assert s.advisors.pay == parent.advisors.pay  # sibling keys of the array kept


def test_extends_errors_name_the_file_that_set_the_key(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(GOOD + "[run]\ndays = 0\n")
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\n[demand]\nscale = 2.0\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{base}: 'run.days' must be >= 1")
    child.write_text('extends = "base.toml"\n[run]\ndays = -3\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{child}: 'run.days' must be >= 1, got -3")


def test_extends_loop_and_missing_base_are_clear_errors(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('extends = "b.toml"\n')
    b.write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="makes a loop"):
        load_scenario(a)
    a.write_text('extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(a)


def test_extends_can_change_one_element_of_an_array(tmp_path):
    child = tmp_path / "child.toml"
    child.write_text(
        f'extends = "{SCENARIOS / "typical-area.toml"}"\n'
        "[clinicians.0]\nroster_scale = 2.0\n[clinicians.0.handle_time]\nmean_min = 25\n"
    )
    s = load_scenario(child)
    base = load_scenario(SCENARIOS / "typical-area.toml")
    assert s.clinicians[0].roster_scale == 2.0
    assert s.clinicians[0].handle_time.mean_min == 25
    assert s.clinicians[0].handle_time.kind == "lognormal"  # the rest of the table kept
    assert s.clinicians[0].shifts == base.clinicians[0].shifts
    child.write_text(
        f'extends = "{SCENARIOS / "typical-area.toml"}"\n[clinicians.3]\nroster_scale = 2.0\n'
    )
    with pytest.raises(ScenarioError, match=r"'clinicians\.3' must index the base's list"):
        load_scenario(child)
