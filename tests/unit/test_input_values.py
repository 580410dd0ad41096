"""Bad values give one line naming the key and what is allowed (issue 20), never a traceback.

Each reproducer of the issue's value defects: numbers past float range, non-ASCII
digits in clock strings and list indices, values the engine's per-call types
cannot hold or no replication can run, penalties on KPIs a scenario does not
produce, names that are paths, and values echoed whole.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.cli.options import parse_override
from sim111.errors import MAX_MESSAGE_CHARS, ScenarioError, shown
from sim111.experiments.sweepfile import load_sweep
from sim111.scenario import load_scenario, scenario_from_data
from sim111.scenario.limits import check_name
from tests.conftest import SCENARIOS
from tests.property.test_accepted_scenarios_run import check_document

TYPICAL = SCENARIOS / "typical-area.toml"
BASE = tomllib.loads(TYPICAL.read_text())
HUGE_INT = "1" + "0" * 400


def refused_by_cli(*sets: str) -> str:
    """The one line ``sim111 run`` prints for ``--set`` values it refuses (exit status 2)."""
    args = ["run", str(TYPICAL), "-n", "1", "--set", "run.days=1"]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def refused(overrides: dict[str, Any]) -> str:
    """The message of the ScenarioError the typical area with ``overrides`` raises."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(TYPICAL).with_overrides(overrides)
    message = str(info.value)
    assert "\n" not in message and len(message) <= MAX_MESSAGE_CHARS
    return message


def test_an_integer_past_float_range_is_refused_naming_the_key_and_the_bound() -> None:
    line = refused_by_cli(f"demand.scale={HUGE_INT}")
    assert "'demand.scale' must be at most 1e+12 in size, got an integer of 401 digits" in line


def test_an_integer_past_float_range_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(f'extends = "{TYPICAL.as_posix()}"\n[demand]\nscale = {HUGE_INT}\n')
    with pytest.raises(ScenarioError, match=r"x\.toml: 'demand\.scale' must be at most 1e\+12"):
        load_scenario(path)


def test_a_number_too_long_to_read_is_refused_in_one_line() -> None:
    line = refused_by_cli("demand.scale=1" + "0" * 5000)
    assert "--set demand.scale:" in line and "too long a number" in line
    assert len(line) < 300


@pytest.mark.parametrize("clock", ["0²:00", "０８:００", "٠٨:٠٠"])
def test_clock_strings_take_ascii_digits_only(clock: str) -> None:
    line = refused_by_cli(f'advisors.shifts.0.start="{clock}"')
    assert (
        f"'advisors.shifts.0.start' must be a time 'HH:MM' from 00:00 to 24:00, got '{clock}'"
        in (line)
    )


def test_a_list_index_in_non_ascii_digits_is_refused() -> None:
    line = refused_by_cli("clinicians.².roster_scale=1")
    assert "--set 'clinicians.².roster_scale': a key is dotted names and list indices" in line
    message = refused({"clinicians.².roster_scale": 1.0})
    assert "'clinicians.²' must index the list (0..0 in digits 0-9)" in message


def test_an_index_table_in_non_ascii_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(f'extends = "{TYPICAL.as_posix()}"\n[clinicians."０"]\nroster_scale = 1.0\n')
    with pytest.raises(ScenarioError, match=r"'clinicians\.０' must index the base's list"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("advisors.handle_time.sd_min", 1e308, "'advisors.handle_time.sd_min' must be <= 1e+09"),
        ("advisors.handle_time.sd_min", 5000.0, "must be at most 100 x mean_min (11.5)"),
        ("callers.patience.mean_min", 1e10, "'callers.patience.mean_min' must be <= 1e+09"),
        (
            "clinical.callback_max_attempts",
            40_000,
            "'clinical.callback_max_attempts' must be <= 1000",
        ),
        ("demand.population", 10**9, "'demand.population' must be <= 1e+08, got 1000000000"),
        ("advisors.shifts.0.count", 10**8, "'advisors.shifts.0.count' must be <= 10000"),
        ("advisors.roster_scale", 1e9, "'advisors.roster_scale' must be <= 100"),
        ("demand.scale", 1e6, "'demand.scale' gives up to"),
        ("costs.price_per_call_gbp", 1e300, "must be at most 1e+12 in size"),
        ("demand.scale", float("nan"), "'demand.scale' must be a finite number, got nan"),
        ("callers.patience.mean_min", float("inf"), "must be a finite number, got inf"),
        ("run.seed", 2**64, "'run.seed' must be <= 9.22337e+18"),
    ],
)
def test_values_no_replication_can_run_are_refused_with_the_bound(
    key: str, value: Any, expected: str
) -> None:
    assert expected in refused({key: value})


def test_a_headcount_times_its_roster_scale_is_bounded() -> None:
    message = refused({"clinicians.0.shifts.2.count": 5_000, "clinicians.0.roster_scale": 2.5})
    assert "'clinicians.0.roster_scale' makes 5000 people x 2.5 = 12500 on one line" in message
    assert "at most 10000 people a line" in message


def _classes(n: int) -> list[dict[str, Any]]:
    return [{"name": f"c{k}", "share": 1.0, "target_min": 60.0} for k in range(n)]


def test_more_priority_classes_than_a_record_byte_holds_are_refused() -> None:
    message = refused({"clinical.priorities": _classes(128)})
    assert "'clinical.priorities' may list at most 100 classes (records use a byte), got 128" in (
        message
    )


def test_more_downstream_services_or_classes_than_a_byte_holds_are_refused() -> None:
    service = {"name": "gp", "takes": "primary_care", "share": 0.0, "count": 1}
    service["handle_time"] = {"kind": "exponential", "mean_min": 10.0}
    many = [{**service, "name": f"gp{k}"} for k in range(128)]
    assert "'downstream' may list at most 100 services" in refused({"downstream": many})
    one = [{**service, "classes": _classes(128)}]
    assert "'downstream.0.classes' may list at most 100 classes" in refused({"downstream": one})


def test_a_hundred_priority_classes_run_and_keep_their_own_kpis() -> None:
    scenario = load_scenario(TYPICAL).with_overrides(
        {"clinical.priorities": _classes(100), "run.days": 1, "clinicians.0.serves": []}
    )
    check_document(scenario.to_data())  # accepted, so it runs
    assert [p.name for p in scenario.clinical.priorities][-1] == "c99"


def test_a_penalty_on_a_misspelt_class_kpi_is_refused_with_close_matches() -> None:
    penalty = {"kpi": "callback_within_target_urgnet", "threshold": 0.9, "amount_gbp": 1.0}
    message = refused({"costs.penalties": [penalty]})
    assert "'costs.penalties.0.kpi' must be a KPI key the scenario produces, got " in message
    assert "did you mean 'callback_within_target_urgent'" in message


def test_a_penalty_on_a_cost_or_unknown_kpi_is_refused() -> None:
    cost = {"kpi": "total_cost_gbp", "threshold": 1.0, "amount_gbp": 1.0}
    assert "not a cost: penalties are judged before costs" in refused({"costs.penalties": [cost]})
    other = {"kpi": "provider_nhs_direct_calls", "threshold": 1.0, "amount_gbp": 1.0}
    assert "got 'provider_nhs_direct_calls'" in refused({"costs.penalties": [other]})


def test_a_penalty_on_a_class_the_scenario_has_is_accepted() -> None:
    penalty = {"kpi": "callback_within_target_soon", "threshold": 0.9, "amount_gbp": 1.0}
    scenario = load_scenario(TYPICAL).with_overrides({"costs.penalties": [penalty]})
    assert scenario.costs.penalties[0].kpi == "callback_within_target_soon"


@pytest.mark.parametrize(
    ("key", "name", "why"),
    [
        ("name", "/../../x", "which has '/'"),
        ("name", "a\\b", "which has '\\\\'"),
        ("name", "v1..2", "no '..'"),
        ("name", "a\x00b", "which has U+0000"),
        ("name", "a\nb", "which has U+000A"),
        ("name", "<b>bold</b>", "which has '<'"),
        ("name", "x" * 81, "must be at most 80 characters, got 81"),
        ("name", "   ", "must have a letter or digit"),
        ("clinical.priorities.0.name", "ur/gent", "which has '/'"),
        ("clinicians.0.name", "../nurses", "which has '/'"),
    ],
)
def test_names_that_are_not_names_are_refused(key: str, name: str, why: str) -> None:
    message = refused({key: name})
    assert f"'{key}' must" in message and why in message


def test_names_in_any_alphabet_with_common_punctuation_are_names() -> None:
    for name in ("Café Zürich (north) & south", "O'Brien's 111 + GP, v1.2", "東京", "nurse_2-b"):
        check_name("name", name)
    scenario = load_scenario(TYPICAL).with_overrides({"name": "Café Zürich (north)"})
    assert scenario.name == "Café Zürich (north)"


def test_a_sweep_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        f'name = "../../x"\nscenario = "{TYPICAL.as_posix()}"\n[grid]\n"demand.scale" = [1.0]\n'
    )
    with pytest.raises(ScenarioError, match=r"s\.toml: 'name' must be a name: .* which has '/'"):
        load_sweep(sweep)


def test_a_long_value_is_cut_in_the_message(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    long = "9" * 200_000
    path.write_text(f'extends = "{TYPICAL.as_posix()}"\n[advisors.shifts.0]\nstart = "{long}"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "'advisors.shifts.0.start' must be a time 'HH:MM'" in message
    assert "… (200002 characters)" in message and len(message) < 400


def test_a_scenario_error_is_one_line_of_bounded_length() -> None:
    message = str(ScenarioError("x.toml: 'a' " + "y" * 100_000 + "\nsecond line"))
    assert "\n" not in message and len(message) < 200  # the long word cut in its middle
    assert message.startswith("x.toml: 'a' yyy") and message.endswith("yyy second line")
    assert "…(100000 characters)…" in message
    words = " ".join(f"word{k:03d}" for k in range(200))  # many short words: cut at the end
    message = str(ScenarioError(f"x.toml: {words}"))
    assert len(message) == MAX_MESSAGE_CHARS and message.endswith("(message cut, 1607 characters)")


def test_shown_cuts_a_repr_and_says_how_long_it_was() -> None:
    assert shown("abc") == "'abc'"
    assert shown("x" * 100, limit=10) == "'xxxxxxxxx… (102 characters)"
    assert shown(10**400) == "an integer of 401 digits"
    assert shown(12) == "12"


def test_deeply_nested_override_is_refused_in_one_line() -> None:
    with pytest.raises(ScenarioError, match=r"--set run\.days: the value is nested too deeply"):
        parse_override("run.days=" + "[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    "mutation",
    [
        {"name": "a/../b"},
        {"demand": {"scale": 10**400}},
        {"clinical": {"callback_max_attempts": 2**63}},
    ],
)
def test_fuzz_reproducers_are_refused(mutation: dict[str, Any]) -> None:
    data = copy.deepcopy(BASE)
    for key, value in mutation.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    with pytest.raises(ScenarioError, match=r"^fuzz: '"):
        scenario_from_data(data, "fuzz")
