"""Provider types as presets: loading, the merge order, overrides, errors, head-counts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sim111.errors import FieldError, ScenarioError
from sim111.experiments.sweepfile import load_sweep
from sim111.scenario import ClinicianGroup, load_scenario
from sim111.scenario.presets import PROVIDER_TYPES, preset_data, preset_source, with_preset
from sim111.scenario.top import scenario_from_data
from tests.conftest import SCENARIOS
from tests.unit.test_cli import sim111

TYPICAL = SCENARIOS / "typical-area.toml"
PROVIDERS = SCENARIOS / "providers"
MINIMAL = "[advisors]\ncount = 3\n[advisors.handle_time]\nmean_min = 8\n"
NAMES_TEXT = "must be one of 'ambulance_trust', 'gp_ooh_cooperative', 'nhs_direct', 'commercial'"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def child_of_typical(tmp_path: Path, text: str, name: str = "child.toml") -> Path:
    return write(tmp_path / name, f'extends = "{TYPICAL}"\n{text}')


def dotted_tables(data: dict[str, Any], prefix: str = "") -> set[str]:
    """Every dotted key of nested tables (arrays count as one key)."""
    keys = set()
    for key, value in data.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= dotted_tables(value, f"{prefix}{key}.")
    return keys


def people_on_lines(groups: tuple[ClinicianGroup, ...], day_type: str) -> Counter[tuple]:
    """People on duty per shift line (start, end) on a day of ``day_type``, all groups."""
    counts: Counter[tuple] = Counter()
    day = dt.date(2015, 3, 2)
    for group in groups:
        for shift, n in zip(group.shifts, group.line_counts(day, day_type), strict=True):
            counts[shift.start, shift.end] += n
    return +counts


@pytest.mark.parametrize("name", PROVIDER_TYPES)
def test_each_preset_validates_over_the_typical_area_and_over_the_defaults(name, tmp_path):
    typical = load_scenario(TYPICAL)
    over_typical = scenario_from_data(with_preset(typical.to_data(), name), name)
    assert over_typical.demand == typical.demand and over_typical.callers == typical.callers
    alone = load_scenario(write(tmp_path / "alone.toml", f'provider_type = "{name}"\n{MINIMAL}'))
    assert alone.provider_type == name
    assert alone.clinicians == over_typical.clinicians  # the preset's groups
    practice = [t["warm_transfer"] for t in preset_data(name)["clinical"]["priorities"].values()]
    # the built-in classes, with the preset's warm-transfer practice
    assert [p.name for p in alone.clinical.priorities] == ["urgent", "soon", "routine"]
    assert [p.warm_transfer for p in alone.clinical.priorities] == practice


def test_preset_data_is_a_fresh_copy_of_the_shipped_file():
    data = preset_data("nhs_direct")
    data["costs"]["overhead_share"] = 99
    assert preset_data("nhs_direct")["costs"]["overhead_share"] == 0.55
    assert preset_source("nhs_direct").endswith("presets/nhs_direct.toml")


def test_every_preset_sets_the_same_keys():
    keys = {name: dotted_tables(preset_data(name)) for name in PROVIDER_TYPES}
    first = keys[PROVIDER_TYPES[0]]
    assert all(k == first for k in keys.values()), keys


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(PROVIDER_TYPES, 2)))
def test_one_preset_over_another_leaves_nothing_of_the_first(first, second):
    typical = load_scenario(TYPICAL)
    both = typical.with_overrides({"provider_type": first}).with_overrides(
        {"provider_type": second}
    )
    assert both == typical.with_overrides({"provider_type": second})


@pytest.mark.parametrize("name", PROVIDER_TYPES)
def test_clinician_head_count_on_every_line_is_the_typical_areas(name):
    typical = load_scenario(TYPICAL)
    preset = typical.with_overrides({"provider_type": name})
    assert {g.roster_scale for g in preset.clinicians} == {typical.clinicians[0].roster_scale}
    for day_type in ("weekday", "saturday", "sunday", "bank_holiday"):
        assert people_on_lines(preset.clinicians, day_type) == people_on_lines(
            typical.clinicians, day_type
        ), day_type


def test_merge_order_file_beats_preset_beats_base(tmp_path):
    typical = load_scenario(TYPICAL)
    preset = preset_data("ambulance_trust")
    path = child_of_typical(
        tmp_path,
        'provider_type = "ambulance_trust"\n[costs]\noverhead_share = 0.5\n'
        "[clinicians.1.handle_time]\nmean_min = 25\n",
    )
    s = load_scenario(path)
    assert s.costs.overhead_share == 0.5  # the file's own key
    assert s.clinicians[1].name == "paramedics"  # the file indexed the preset's array
    assert s.clinicians[1].handle_time.mean_min == 25
    assert s.clinical.warm_transfer_hold_max_min == preset["clinical"]["warm_transfer_hold_max_min"]
    assert [d.name for d in s.downstream] == ["gp_ooh_base", "gp_ooh_telephone"]  # preset
    assert s.costs.on_cost_share == typical.costs.on_cost_share  # base, untouched by the preset
    assert (
        s.clinical.priorities[0].callback_patience
        == typical.clinical.priorities[0].callback_patience
    )
    assert s.advisors.shifts == typical.advisors.shifts


def test_a_file_extending_a_preset_scenario_keeps_or_replaces_the_preset(tmp_path):
    parent = child_of_typical(tmp_path, 'provider_type = "gp_ooh_cooperative"\n', "parent.toml")
    same = load_scenario(write(tmp_path / "same.toml", 'extends = "parent.toml"\n'))
    assert same.provider_type == "gp_ooh_cooperative"
    assert same.clinicians == load_scenario(parent).clinicians
    other = load_scenario(
        write(tmp_path / "other.toml", 'extends = "parent.toml"\nprovider_type = "nhs_direct"\n')
    )
    direct = load_scenario(TYPICAL).with_overrides({"provider_type": "nhs_direct"})
    assert other.clinicians == direct.clinicians and other.downstream == direct.downstream


def test_provider_files_equal_the_override_and_round_trip():
    typical = load_scenario(TYPICAL)
    for path in sorted(PROVIDERS.glob("*.toml")):
        s = load_scenario(path)
        assert s.provider_type in PROVIDER_TYPES
        assert s.demand == typical.demand and s.advisors.shifts == typical.advisors.shifts
        by_override = typical.with_overrides({"provider_type": s.provider_type})
        assert s.clinicians == by_override.clinicians and s.costs == by_override.costs
        assert s.with_overrides({}) == s  # provider_type round-trips through to_data


def test_with_overrides_applies_the_preset_before_the_other_keys():
    typical = load_scenario(TYPICAL)
    s = typical.with_overrides({"costs.overhead_share": 0.9, "provider_type": "commercial"})
    assert s.provider_type == "commercial"
    assert s.costs.overhead_share == 0.9  # the override beats the preset, whatever the order
    assert s.advisors.pay.annual_salary_gbp == 16_633  # the preset's
    assert s.with_overrides({"provider_type": None}).provider_type is None


def test_unknown_name_is_a_field_error_naming_the_key():
    with pytest.raises(FieldError) as info:
        preset_data("harmoni")
    assert info.value.key == "provider_type"
    assert NAMES_TEXT in info.value.message and "got 'harmoni'" in info.value.message


def test_unknown_name_in_a_file_names_the_file_and_the_key(tmp_path):
    path = child_of_typical(tmp_path, 'provider_type = "harmoni"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: 'provider_type' {NAMES_TEXT}, got 'harmoni'"
    path = write(tmp_path / "number.toml", f"provider_type = 3\n{MINIMAL}")
    with pytest.raises(ScenarioError, match=r"'provider_type' must be one of .*, got 3"):
        load_scenario(path)


def test_unknown_name_as_an_override_names_the_key():
    with pytest.raises(ScenarioError) as info:
        load_scenario(TYPICAL).with_overrides({"provider_type": "harmoni"}, source="--set")
    assert str(info.value) == f"--set: 'provider_type' {NAMES_TEXT}, got 'harmoni'"


def test_the_cli_rejects_an_unknown_provider_type_with_status_2():
    proc = sim111("run", str(TYPICAL), "-n", "2", "--set", "provider_type=harmoni")
    assert proc.returncode == 2
    assert "'provider_type' must be one of 'ambulance_trust'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_sweep_over_provider_types_validates_every_point(tmp_path):
    names = ", ".join(f'"{n}"' for n in PROVIDER_TYPES)
    path = write(
        tmp_path / "sweep.toml", f'scenario = "{TYPICAL}"\n[grid]\nprovider_type = [{names}]\n'
    )
    spec = load_sweep(path)
    kinds = {spec.scenario.with_overrides(p).provider_type for p in spec.points}
    assert kinds == set(PROVIDER_TYPES)


def test_a_preset_indexing_more_classes_than_the_base_has_names_the_preset(tmp_path):
    path = child_of_typical(
        tmp_path,
        'provider_type = "nhs_direct"\n[[clinical.priorities]]\nname = "only"\nshare = 1\n'
        "target_min = 60\n",
    )
    s = load_scenario(path)  # the file's own array replaces the preset-changed one
    assert [p.name for p in s.clinical.priorities] == ["only"]
    base = child_of_typical(
        tmp_path,
        '[[clinical.priorities]]\nname = "only"\nshare = 1\ntarget_min = 60\n',
        "base.toml",
    )
    top = write(tmp_path / "top.toml", 'extends = "base.toml"\nprovider_type = "nhs_direct"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    assert "nhs_direct.toml: 'clinical.priorities.1' must index the base's list" in str(info.value)
    assert base.exists()
