"""Each area's own roster factor for areas that help each other (coordinate descent)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sim111.experiments.replications import run_experiment
from sim111.planning.per_area import apart, per_area_factors
from sim111.planning.staffing import StaffingTargets
from sim111.planning.uniform import every_area_meets, smallest_uniform_factor
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

TOLERANCE = 0.05
TARGETS = StaffingTargets(replications=3)
# the small area's roster is generous for its size, the big one's lean (square-root
# staffing asks relatively more of a small area): under one factor the big one binds
AREAS = [
    {"name": "big", "population": 400_000, "advisor_roster_factor": 0.4},
    {"name": "small", "population": 150_000, "advisor_roster_factor": 0.15},
]
AID = {"after_expected_wait_s": 60.0, "fee_per_call_gbp": 8.0}


def two_areas():
    base = load_scenario(SCENARIOS / "typical-area.toml")
    return base.with_overrides({"run.days": 2, "areas": AREAS, "sharing.mutual_aid": AID})


@pytest.fixture(scope="module")
def with_aid():
    return per_area_factors(two_areas(), TARGETS, tolerance=TOLERANCE)


@pytest.fixture(scope="module")
def areas_apart():
    return per_area_factors(apart(two_areas()), TARGETS, tolerance=TOLERANCE)


def test_the_per_area_answer_meets_the_targets_everywhere_on_a_rerun(with_aid):
    scenario = two_areas()
    for k, area in enumerate(scenario.areas):
        factor = with_aid.factors[area.name] / with_aid.uniform.factor
        assert with_aid.scenario.areas[k].advisor_roster_factor == pytest.approx(
            area.advisor_roster_factor * factor
        )
    again = run_experiment(with_aid.scenario, TARGETS.replications, TARGETS.seed)
    assert every_area_meets(again, 0.95, 0.05)
    for area in scenario.areas:
        assert again.summary.loc[f"area.{area.name}.answered_within_60s", "mean"] >= 0.95
        assert again.summary.loc[f"area.{area.name}.abandoned_after_30s", "mean"] <= 0.05
    assert again.summary.loc["total_cost_gbp", "mean"] == pytest.approx(
        with_aid.kpi("total_cost_gbp")
    )


def test_the_per_area_answer_costs_no_more_than_the_uniform_one(with_aid):
    assert all(f <= with_aid.uniform.factor for f in with_aid.factors.values())
    assert with_aid.kpi("total_cost_gbp") <= with_aid.uniform.kpi("total_cost_gbp")
    assert with_aid.kpi("paid_advisor_hours") < with_aid.uniform.kpi("paid_advisor_hours")
    assert 1 <= with_aid.passes <= 3


def test_an_area_helped_by_a_neighbour_with_spare_capacity_shrinks(with_aid, areas_apart):
    # the big area leans on the small one's spare advisors: below the uniform factor,
    # and below what it needs alone, with calls answered by its neighbour
    big = with_aid.factors["big"]
    assert big < with_aid.uniform.factor / (1 + TOLERANCE)
    assert big < areas_apart.factors["big"] / (1 + TOLERANCE)
    assert with_aid.kpi("area.big.mutual_aid_calls_sent") > 0
    assert with_aid.kpi("area.small.mutual_aid_calls_taken") == pytest.approx(
        with_aid.kpi("area.big.mutual_aid_calls_sent")
    )


def test_areas_apart_get_each_their_own_smallest_factor(areas_apart):
    # each area searched alone (a scenario of that area only: the same random streams)
    # needs the factor the descent found for it, within the tolerance
    scenario = two_areas()
    for area in AREAS:
        alone = scenario.with_overrides({"areas": [area]})
        own = smallest_uniform_factor(alone, TARGETS, tolerance=TOLERANCE).factor
        assert areas_apart.factors[area["name"]] / own == pytest.approx(1, abs=TOLERANCE)
    # apart, the small area needs far more than the big one (square-root staffing)
    assert areas_apart.factors["small"] > 1.2 * areas_apart.factors["big"]


def test_apart_drops_the_sharing_and_bad_settings_are_refused():
    shared = two_areas().with_overrides({"sharing.advisors": "all"})
    alone = apart(shared)
    assert alone.sharing.mutual_aid is None and alone.sharing.advisors == "area"
    assert alone.sharing.clinicians == "area"
    with pytest.raises(ValueError, match="0 < low < 1"):
        per_area_factors(shared, TARGETS, low=1.5)


def test_the_contracts_command_compares_per_area_uniform_and_apart(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        f'extends = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n[run]\ndays = 1\n'
        "[sharing.mutual_aid]\nafter_expected_wait_s = 60.0\n"
        + "".join(
            f'[[areas]]\nname = "{a["name"]}"\npopulation = {a["population"]}\n'
            f"advisor_roster_factor = {a['advisor_roster_factor']}\n"
            for a in AREAS
        )
    )
    out = tmp_path / "out"
    args = ["contracts", str(path), "-n", "2", "--by", "area", "--per-area", "--tolerance", "0.1"]
    args += ["--out", str(out)]
    proc = subprocess.run(
        [sys.executable, "-m", "sim111", *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "each area's own factor" in proc.stdout and "areas apart" in proc.stdout
    structures = pd.read_csv(out / "structures.csv").set_index("structure")
    assert {"uniform", "per_area", "per_area_apart"} <= set(structures.index)
    cost = structures["total_cost_gbp"]
    assert cost["per_area"] <= cost["uniform"]
    rows = pd.read_csv(out / "per_area.csv")
    assert list(rows["structure"]) == ["uniform"] * 2 + ["per_area"] * 2 + ["per_area_apart"] * 2
    per_area = rows[rows["structure"] == "per_area"]
    assert (per_area["factor"] <= structures.loc["uniform", "factor"] + 1e-12).all()
    assert per_area["total_cost_gbp"].sum() == pytest.approx(cost["per_area"])
