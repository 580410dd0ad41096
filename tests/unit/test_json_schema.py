"""The scenario JSON Schema (sim111 schema) agrees with the validator.

Every library scenario validates against it; a set of invalid files is refused by
both the schema and load_scenario; the committed docs/sim111-scenario.schema.json is
current; the library files carry the '#:schema' line editors read, which the loader
ignores as a comment.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
from click.testing import CliRunner

from sim111.cli import cli
from sim111.errors import ScenarioError
from sim111.scenario import load_scenario
from sim111.scenario.json_schema import SCHEMA_PATH, scenario_json_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(
    p
    for p in (ROOT / "scenarios").rglob("*.toml")
    if not {"sweeps", "data"} & set(p.relative_to(ROOT / "scenarios").parts)
)
PRESETS = sorted((ROOT / "sim111" / "scenario" / "presets").glob("*.toml"))


def _json(value: Any) -> Any:
    """TOML data as an editor's schema checker sees it: dates as ISO strings."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return [e.message for e in validator.iter_errors(_json(data))]


def test_committed_schema_is_current() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == schema_text(), f"regenerate: sim111 schema --out {SCHEMA_PATH}"


def test_library_has_the_scenarios_it_should() -> None:
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in LIBRARY}
    assert {"typical-area.toml", "england-2014/apart.toml", "validation/erlang-a.toml"} <= names
    assert not any(n.startswith(("sweeps/", "data/")) for n in names)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_library_scenario_is_valid_and_points_editors_at_the_schema(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("#:schema ")
    target = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target == (ROOT / SCHEMA_PATH).resolve()
    data = tomllib.loads(text)
    assert _errors(validator, data) == []


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.name)
def test_provider_presets_are_valid_partial_scenarios(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert _errors(validator, {"extends": "base.toml", **data}) == []


def test_loader_ignores_the_schema_line() -> None:
    path = ROOT / "scenarios" / "typical-area.toml"
    assert load_scenario(path).name == "typical-area"


def _typical() -> dict[str, Any]:
    return tomllib.loads((ROOT / "scenarios" / "typical-area.toml").read_text(encoding="utf-8"))


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    return data


def _drop(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[part]
    del node[last]
    return data


INVALID = {
    "wrong type (string for an integer)": lambda d: _set(d, "run.days", "seven"),
    "wrong type (boolean for a number)": lambda d: _set(d, "demand.scale", True),
    "wrong type (number for a table)": lambda d: _set(d, "callers.patience", 9.5),
    "out of range (negative mean)": lambda d: _set(d, "callers.patience.mean_min", -1.0),
    "out of range (share above 1)": lambda d: _set(d, "triage.triaged_share", 1.5),
    "unknown key at the top": lambda d: {**d, "colour": "red"},
    "unknown key in a table": lambda d: _set(d, "run.dayz", 3),
    "bad enum (distribution kind)": lambda d: _set(d, "callers.patience.kind", "weibull"),
    "bad enum (clinical discipline)": lambda d: _set(d, "clinical.discipline", "random"),
    "wrong length (11 months)": lambda d: _set(d, "demand.month_multipliers", [1.0] * 11),
    "required key missing": lambda d: _drop(d, "advisors.handle_time"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_schema_and_validator_both_refuse(
    name: str, validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    data = INVALID[name](_typical())
    assert _errors(validator, data), f"the schema accepted: {name}"
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_a_partial_file_needs_no_key_but_is_still_checked(
    validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    """A file with extends is checked key by key, with nothing required; an index
    table changes an element of the base's array; both sides agree on each case."""
    base = (ROOT / "scenarios" / "typical-area.toml").as_posix()
    negative = {"roster_scale": -1}
    cases = {
        "nothing but extends": ({"extends": base}, True),
        "an index table": ({"extends": base, "clinicians": {"0": {"roster_scale": 0.9}}}, True),
        "a bad value by index": ({"extends": base, "clinicians": {"0": negative}}, False),
        "an unknown key": ({"extends": base, "run": {"dayz": 3}}, False),
    }
    for name, (data, valid) in cases.items():
        assert (_errors(validator, data) == []) is valid, name
        path = tmp_path / "partial.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        if valid:
            load_scenario(path)
        else:
            with pytest.raises(ScenarioError):
                load_scenario(path)


def test_schema_carries_units_ranges_enums_and_defaults() -> None:
    defs = scenario_json_schema()["$defs"]
    patience = defs["Distribution"]["properties"]
    assert patience["mean_min"]["exclusiveMinimum"] == 0
    assert patience["mean_min"]["description"].endswith("Unit: min.")
    assert "weibull" not in patience["kind"]["enum"] and "lognormal" in patience["kind"]["enum"]
    assert patience["kind"]["default"] == "exponential"
    assert defs["Scenario"]["additionalProperties"] is False
    assert "required" not in defs["Scenario.partial"]


def test_cli_prints_and_writes_the_schema(tmp_path: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.output)["$schema"].endswith("2020-12/schema")
    out = tmp_path / "s.json"
    written = CliRunner().invoke(cli, ["schema", "--out", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    bad = CliRunner().invoke(cli, ["schema", "--out", str(tmp_path / "no" / "s.json")])
    assert bad.exit_code == 2
    assert "cannot write" in bad.output
