"""Several contract areas as scenario data: overlays, roster factors, checks, outputs."""

from __future__ import annotations

import json
import pickle

import pytest

from sim111.engine.network import coupled_groups
from sim111.errors import ScenarioError
from sim111.experiments.replications import run_experiment
from sim111.outputs.areas import area_summary, area_table
from sim111.outputs.files import kpi_table, result_json, write_outputs
from sim111.scenario import load_scenario
from sim111.scenario.schema import FrozenTable
from tests.conftest import SCENARIOS

AREAS = [
    {"name": "north", "population": 400_000, "advisor_roster_factor": 0.5},
    {
        "name": "south",
        "label": "The South",
        "population": 600_000,
        "contract": "southern",
        "demand": {"day_multipliers": {"saturday": 2.0}},
        "clinicians": {"0": {"roster_scale": 0.5}},
    },
]


def typical(**overrides: object):
    base = load_scenario(SCENARIOS / "typical-area.toml")
    return base.with_overrides({"run.days": 1, "areas": AREAS, **overrides})


def test_each_area_is_the_base_with_its_table_over_it():
    scenario = typical()
    north, south = scenario.area_scenarios
    assert (north.name, north.demand.population) == ("north", 400_000)
    assert south.demand.population == 600_000
    assert south.demand.day_multipliers.saturday == 2.0
    assert south.demand.day_multipliers.sunday == scenario.demand.day_multipliers.sunday
    assert north.demand.day_multipliers == scenario.demand.day_multipliers
    assert south.clinicians[0].roster_scale == 0.5  # its own, over the base's
    assert south.clinicians[0].shifts == scenario.clinicians[0].shifts
    assert south.run == scenario.run  # areas share the run


def test_roster_factors_multiply_the_scale_and_never_touch_the_base_or_other_areas():
    scenario = typical(**{"areas.1.advisor_roster_factor": 2.0})
    base = scenario.advisors.roster_scale
    north, south = scenario.area_scenarios
    assert north.advisors.roster_scale == pytest.approx(base * 0.5)
    assert south.advisors.roster_scale == pytest.approx(base * 2.0)
    assert scenario.advisors.roster_scale == base
    again = scenario.with_overrides({}).area_scenarios  # built afresh from the same data
    assert again == scenario.area_scenarios
    # one override scales every area (the factors are relative to the base)
    halved = scenario.with_overrides({"advisors.roster_scale": base / 2})
    assert halved.area_scenarios[0].advisors.roster_scale == pytest.approx(base * 0.25)


def test_scenarios_with_areas_are_frozen_hashable_and_picklable():
    scenario = typical()
    assert isinstance(scenario.areas[1].demand, FrozenTable)
    copy = pickle.loads(pickle.dumps(scenario))  # to worker processes
    assert copy == scenario and hash(copy) == hash(scenario)
    assert copy.area_scenarios == scenario.area_scenarios
    data = scenario.to_data()
    assert data["areas"][1]["demand"] == {"day_multipliers": {"saturday": 2.0}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"areas.1.name": "north"}, "'areas' names must be unique"),
        ({"areas.0.name": "no-dash"}, "'areas.0.name' must be letters, digits and _"),
        ({"areas.0.population": 0}, "'areas.0.population' must be >= 1"),
        ({"areas.1.demand": {"populatoin": 5}}, "'areas.1.demand.populatoin' is not a known key"),
        ({"areas.1.clinicians": {"3": {"roster_scale": 1}}}, "'areas.1.clinicians.3' must index"),
        ({"areas.0.run": {"days": 2}}, "'areas.0.run' is not a known key"),
        ({"sharing.advisors": "county"}, "'sharing.advisors' must be one of"),
        ({"sharing.contingency": "nhs_direct"}, "'sharing.contingency' must name a provider"),
        ({"areas.0.contract": "a b"}, "'areas.0.contract' must be letters, digits and _"),
    ],
)
def test_bad_areas_are_refused_naming_the_key(overrides, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        typical(**overrides)


def test_sharing_needs_areas():
    base = load_scenario(SCENARIOS / "typical-area.toml")
    with pytest.raises(ScenarioError, match="'sharing' needs \\[\\[areas\\]\\]"):
        base.with_overrides({"sharing.advisors": "all"})


def test_areas_sharing_clinicians_need_the_same_groups():
    other = [{"name": "gps", "count": 1, "handle_time": {"kind": "fixed", "mean_min": 10}}]
    with pytest.raises(ScenarioError, match=r"'areas\.1\.clinicians' areas sharing clinicians"):
        typical(**{"areas.1.clinicians": other, "sharing.clinicians": "all"})
    typical(**{"areas.1.clinicians": other})  # apart, they may differ


def test_areas_sharing_clinicians_need_the_same_discipline_and_serves():
    deadline = {"areas.1.clinical": {"discipline": "deadline"}, "sharing.clinicians": "all"}
    with pytest.raises(ScenarioError, match="discipline"):
        typical(**deadline)
    serves = {"areas.1.clinicians": {"0": {"serves": ["urgent", "soon", "routine"]}}}
    with pytest.raises(ScenarioError, match="classes they serve"):
        typical(**serves, **{"sharing.clinicians": "all"})


def test_a_contingency_provider_is_the_same_for_every_area():
    line = {
        "name": "nhs_direct_0845",
        "count": 3,
        "price_per_call_gbp": 20.0,
        "handle_time": {"kind": "fixed", "mean_min": 12.0},
    }
    shared = {"providers": [line], "sharing.contingency": "nhs_direct_0845"}
    typical(**shared)
    with pytest.raises(ScenarioError, match=r"'areas\.0\.providers' must keep the contingency"):
        typical(**shared, **{"areas.0.providers": {"0": {"count": 9}}})
    with pytest.raises(ScenarioError, match=r"'areas\.0\.overflow' the base has none to change"):
        typical(**{"areas.0.overflow": {"0": {"queue_length_over": 3}}})


def test_a_file_error_in_an_area_names_the_file_and_key(tmp_path):
    path = tmp_path / "areas.toml"
    path.write_text(
        f'extends = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n'
        '[[areas]]\nname = "a"\n[areas.advisors]\nroster_scale = -1\n'
    )
    with pytest.raises(ScenarioError, match=rf"{path.name}: 'areas.0.advisors.roster_scale'"):
        load_scenario(path)


def test_which_areas_run_together():
    assert coupled_groups(typical()) == [[0], [1]]  # contracts apart: alone
    same = typical(**{"areas.0.contract": "southern"})  # one contract: one virtual centre
    assert coupled_groups(same) == [[0, 1]]
    assert coupled_groups(typical(**{"sharing.advisors": "all"})) == [[0, 1]]
    aid = {"after_expected_wait_s": 60.0}
    assert coupled_groups(typical(**{"sharing.mutual_aid": aid})) == [[0, 1]]
    regions = typical(**{"areas.0.region": "r", "areas.1.region": "r"})
    assert coupled_groups(regions.with_overrides({"sharing.clinicians": "region"})) == [[0, 1]]


@pytest.fixture(scope="module")
def result():
    return run_experiment(typical(), replications=2, seed=3)


def test_the_table_shows_the_whole_then_one_row_per_area(result):
    table = kpi_table(result)
    assert "By area (2 areas, means)" in table
    assert "The South" in table and "north" in table
    assert "area.north." not in table  # per-area keys are in their own table
    lines = area_table(result).splitlines()
    assert len(lines) == 6  # title, blank, header, rule, one row per area
    assert lines[-2].startswith("north") and lines[-1].startswith("The South")


def test_json_and_csv_give_every_area_with_its_own_marks(result, tmp_path):
    data = result_json(result)
    assert not any(k.startswith("area.") for k in data["kpis"])
    south = data["areas"]["south"]
    assert south["label"] == "The South" and south["contract"] == "southern"
    assert south["kpis"]["answered_within_60s"]["target"] == 0.95
    assert data["kpis"]["population"]["mean"] == 1_000_000
    json.dumps(data)  # NaN-free
    tidy = area_summary(result)
    assert set(tidy["area"]) == {"north", "south"}
    written = {p.name for p in write_outputs(result, tmp_path / "out")}
    assert "areas.csv" in written
    frame = result.calls_frame()
    assert result.records == () or set(frame["area"]) == {"north", "south"}


def test_an_area_names_its_provider_preset_under_its_own_keys():
    scenario = typical(
        **{
            "areas.0.provider_type": "gp_ooh_cooperative",
            "areas.0.costs": {"overhead_share": 0.33},
        }
    )
    gp, plain = scenario.area_scenarios
    assert gp.provider_type == "gp_ooh_cooperative"
    assert [g.name for g in gp.clinicians] != [g.name for g in plain.clinicians]
    assert gp.costs.overhead_share == 0.33  # the area's own key beats the preset
    assert plain.clinicians[0].shifts == scenario.clinicians[0].shifts  # the base's group
    with pytest.raises(ScenarioError, match=r"'areas\.0\.provider_type' must be one of"):
        typical(**{"areas.0.provider_type": "harmoni"})


def test_a_multi_area_scenario_is_back_tested_at_the_observed_calls_per_head():
    import dataclasses

    from sim111.calibration.backtest import backtest
    from sim111.calibration.observed import read_observed

    observed = read_observed(SCENARIOS / "data" / "nhs111-england-2014-15.csv")
    october = dataclasses.replace(
        observed, periods=tuple(p for p in observed.periods if p.start.month == 10)
    )
    scenario = typical(**{"areas.1.demand": {}})  # both areas keep the base's demand
    result = backtest(scenario, october, replications=1, seed=5)
    volume = result.table.set_index("kpi").loc["calls_offered_per_day"]
    period = october.periods[0]
    everyone = 400_000 + 600_000
    assert volume["observed"] == pytest.approx(period.calls_per_day * everyone / period.population)
    # first attempts at the observed rate per head, plus the model's redials and repeats
    assert volume["observed"] <= volume["simulated"] <= 1.05 * volume["observed"]


def test_step_logs_add_up():
    import numpy as np

    from sim111.engine.records import StepLog
    from sim111.measures.pooling import sum_steps

    a = StepLog.from_changes([(0.0, 2), (10.0, -1), (30.0, 3)])
    b = StepLog.from_changes([(5.0, 1), (10.0, 4), (40.0, -1)])
    total = sum_steps([a, b])
    at = np.array([0.0, 5.0, 9.9, 10.0, 29.0, 30.0, 40.0, 50.0])
    assert np.allclose(total.integral_to(at), a.integral_to(at) + b.integral_to(at))
    assert total.mean_over(0.0, 50.0) == pytest.approx(a.mean_over(0, 50) + b.mean_over(0, 50))
