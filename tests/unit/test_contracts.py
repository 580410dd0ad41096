"""Contract structures: contracts as one virtual centre, staffed; the command."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import pandas as pd
import pytest

from sim111.planning.contracts import (
    contract_scenario,
    contracts_of,
    plan_structure,
    plans_frame,
    structure_totals,
)
from sim111.planning.staffing import StaffingTargets
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

AREAS = [
    {"name": "a", "region": "r", "population": 300_000, "advisor_roster_factor": 0.4},
    {"name": "b", "region": "r", "population": 400_000, "clinician_roster_factor": 0.5},
    {"name": "c", "region": "s", "population": 100_000},
]


def three_areas():
    base = load_scenario(SCENARIOS / "typical-area.toml")
    return base.with_overrides({"run.days": 2, "areas": AREAS})


def test_a_contract_is_its_areas_as_one_centre():
    scenario = three_areas()
    region = contract_scenario(scenario, [0, 1], "r")
    a, b, _ = scenario.area_scenarios
    assert region.name == "r" and not region.areas
    assert region.demand.population == 700_000
    assert region.advisors.roster_scale == pytest.approx(
        a.advisors.roster_scale + b.advisors.roster_scale
    )
    assert region.clinicians[0].roster_scale == pytest.approx(
        a.clinicians[0].roster_scale + b.clinicians[0].roster_scale
    )
    cv = scenario.demand.overdispersion_cv * math.sqrt(0.3**2 + 0.4**2) / 0.7
    assert region.demand.overdispersion_cv == pytest.approx(cv)
    assert region.demand.hourly_profile == a.demand.hourly_profile


def test_areas_that_differ_beyond_size_cannot_be_one_contract():
    scenario = three_areas().with_overrides({"areas.2.demand": {"scale": 1.5}})
    with pytest.raises(ValueError, match="'a' and 'c' differ in demand, not only in"):
        contract_scenario(scenario, [0, 2], "x")
    priced = three_areas().with_overrides({"areas.2.costs": {"price_per_call_gbp": 99.0}})
    with pytest.raises(ValueError, match="differ in costs"):
        contract_scenario(priced, [0, 2], "x")
    run_by = three_areas().with_overrides({"areas.2.provider_type": "ambulance_trust"})
    with pytest.raises(ValueError, match="differ in clinicians, costs, downstream, provider_type"):
        contract_scenario(run_by, [0, 2], "x")


def test_structures_group_the_areas():
    scenario = three_areas()
    assert contracts_of(scenario, "area") == {"a": [0], "b": [1], "c": [2]}
    assert contracts_of(scenario, "region") == {"r": [0, 1], "s": [2]}
    assert contracts_of(scenario, "all") == {"england": [0, 1, 2]}


def test_every_contract_is_staffed_and_the_structure_costs_its_contracts_together():
    scenario = three_areas()
    targets = StaffingTargets(replications=3, max_iterations=3)
    plans = plan_structure(scenario, "area", targets) + plan_structure(scenario, "all", targets)
    frame = plans_frame(plans)
    assert list(frame["contract"]) == ["a", "b", "c", "england"]
    assert frame["met"].all()
    totals = structure_totals(frame).set_index("structure")
    areas = frame[frame["structure"] == "area"]
    assert totals.loc["area", "cost_per_call_gbp"] == pytest.approx(
        areas["total_cost_gbp"].sum() / areas["calls_answered"].sum()
    )
    assert totals.loc["area", "population"] == 800_000
    # one centre for all three needs fewer advisors than three apart (square-root staffing)
    assert totals.loc["all", "mean_advisors_on_duty"] < totals.loc["area", "mean_advisors_on_duty"]


def sim111(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim111", *args], capture_output=True, text=True, check=False
    )


def test_the_contracts_command_writes_tables_figure_and_report(tmp_path):
    path = tmp_path / "three.toml"
    path.write_text(
        f'extends = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n[run]\ndays = 1\n'
        + "".join(
            f'[[areas]]\nname = "{a["name"]}"\nregion = "{a["region"]}"\n'
            f"population = {a['population']}\n"
            for a in AREAS
        )
    )
    out = tmp_path / "out"
    proc = sim111(
        "contracts",
        str(path),
        "-n",
        "2",
        "--by",
        "area",
        "--by",
        "all",
        "--uniform",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "one national contract" in proc.stdout and "each area its own contract" in proc.stdout
    assert "as the scenario shares, rosters x" in proc.stdout
    assert {p.name for p in out.iterdir()} == {
        "contracts.csv",
        "structures.csv",
        "economies_of_scale.png",
        "report.html",
    }
    assert len(pd.read_csv(out / "contracts.csv")) == 4
    assert "Economies of scale" in (out / "report.html").read_text()


def test_staff_and_price_refuse_several_areas(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        f'extends = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n'
        '[[areas]]\nname = "a"\n[[areas]]\nname = "b"\n'
    )
    for command in ("staff", "price"):
        proc = sim111(command, str(path))
        assert proc.returncode == 2, proc.stderr
        assert "use 'sim111 contracts'" in proc.stderr and "Traceback" not in proc.stderr


def test_the_contracts_command_needs_areas():
    proc = sim111("contracts", str(SCENARIOS / "typical-area.toml"))
    assert proc.returncode == 2
    assert "has no [[areas]]" in proc.stderr and "Traceback" not in proc.stderr


def test_a_uniform_factor_finds_where_every_area_just_meets_the_targets():
    from sim111.planning.uniform import every_area_meets, smallest_uniform_factor

    aid = {"after_expected_wait_s": 60.0, "fee_per_call_gbp": 8.0}
    scenario = three_areas().with_overrides({"run.days": 1, "sharing.mutual_aid": aid})
    targets = StaffingTargets(replications=3)
    plan = smallest_uniform_factor(scenario, targets, low=0.3, high=3.0, tolerance=0.05)
    assert every_area_meets(plan.result, 0.95, 0.05)
    assert plan.scenario.advisors.roster_scale == pytest.approx(
        scenario.advisors.roster_scale * plan.factor
    )
    below = scenario.with_overrides(
        {"advisors.roster_scale": scenario.advisors.roster_scale * plan.factor / 1.05**2}
    )
    from sim111.experiments.replications import run_experiment

    assert not every_area_meets(run_experiment(below, 3, targets.seed), 0.95, 0.05)
    own = scenario.with_overrides({"areas.0.advisors": {"roster_scale": 0.5}})
    with pytest.raises(ValueError, match="sets its own advisor roster"):
        smallest_uniform_factor(own, targets)


def test_a_contract_adds_up_its_areas_dated_roster_changes_too():
    change = [{"from_date": dt.date(2015, 3, 3), "roster_scale": 0.5}]
    scenario = three_areas().with_overrides({"advisors.staffing_changes": change})
    region = contract_scenario(scenario, [0, 1], "r")
    a, b, _ = scenario.area_scenarios
    assert region.advisors.staffing_changes[0].roster_scale == pytest.approx(
        a.advisors.staffing_changes[0].roster_scale + b.advisors.staffing_changes[0].roster_scale
    )
