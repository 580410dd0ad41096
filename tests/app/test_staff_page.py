"""The Staff & price page in Streamlit's in-process app test: inputs in, numbers out,
and the numbers are those of sim111.planning.staffing.staff for the same inputs."""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim111.app.staff_view import headcount_figure, staffed_files
from sim111.kpi_keys import kpi_info
from sim111.outputs.formatting import _fmt, gbp
from sim111.planning.roster_summary import headcount_by_half_hour, headcount_rows
from sim111.planning.staffing import StaffingResult, StaffingTargets, staff
from sim111.scenario import Scenario, load_scenario
from sim111.scenario.targets import kpi_targets
from tests.conftest import SCENARIOS

LABEL = "typical (1 day)"
SEED, REPS, ITERATIONS = 1, 2, 2


def _page() -> None:
    from sim111.app.views.staff import render

    render()


@pytest.fixture(scope="module")
def one_day() -> Scenario:
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})


def _app(scenario: Scenario | None) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    if scenario is not None:
        at.session_state["sim111_current"] = (LABEL, scenario)
    return at.run()


def _searched(scenario: Scenario, answered_pct: float | None = None) -> AppTest:
    """The page after a search with the test's replications, seed and iterations."""
    at = _app(scenario)
    at.number_input(key=f"staff_reps_{LABEL}").set_value(REPS)
    at.number_input(key=f"staff_seed_{LABEL}").set_value(SEED)
    at.number_input(key="staff_iterations").set_value(ITERATIONS)
    if answered_pct is not None:
        at.number_input(key=f"staff_answered_within_60s_{LABEL}").set_value(answered_pct)
    at.button(key="staff_go").click().run()
    assert not at.exception
    assert "staff_stop" not in [b.key for b in at.button]  # Stop goes with the progress bar
    return at


@functools.cache
def _direct(scenario: Scenario, answered_within_60s: float | None = None) -> StaffingResult:
    """What the API finds with the test's settings (the scenario's other targets, as
    ``sim111 staff`` leaves them), computed once per test module."""
    targets = StaffingTargets(
        answered_within_60s=answered_within_60s,
        replications=REPS,
        max_iterations=ITERATIONS,
        seed=SEED,
    )
    return staff(scenario, targets, clinicians=True)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _mean(found: StaffingResult, key: str) -> float:
    return float(found.result.summary.loc[key, "mean"])


def test_the_price_shown_is_the_staffed_scenarios(one_day: Scenario) -> None:
    at = _searched(one_day)
    found = _direct(one_day)
    shown = _metrics(at)
    even = _mean(found, "break_even_price_per_call_gbp")
    assert shown["Cost per answered call"] == gbp(_mean(found, "cost_per_call_gbp"))
    assert shown["Break-even price per answered call"] == gbp(even)
    price = one_day.costs.price_per_call_gbp
    assert price is not None
    assert shown["Contract price per call"] == gbp(price)
    assert shown["Margin per answered call at that price"] == gbp(price - even)
    lines = f"{len(found.scenario.advisors.shifts)} health advisors"
    assert any(lines in m.value for m in at.markdown)


def test_the_kpi_table_and_verdict_are_the_staffed_scenarios(one_day: Scenario) -> None:
    at = _searched(one_day)
    found = _direct(one_day)
    table = at.dataframe[0].value.set_index("KPI")
    for key in ("answered_within_60s", "abandoned_after_30s", "calls_answered"):
        kpi = kpi_info(key)
        assert table.loc[kpi.label, "mean"] == _fmt(kpi, _mean(found, key))
    said = [e.value for e in [*at.success, *at.warning]]
    word = "met" if found.met else "NOT met"
    assert any(s.startswith(f"Targets {word} after {found.iterations} iteration") for s in said)
    costs = at.dataframe[-1].value
    assert costs["total_gbp"].iloc[-1] == pytest.approx(_mean(found, "total_cost_gbp"), rel=1e-9)


def test_a_chosen_target_is_the_one_steered_to(one_day: Scenario) -> None:
    at = _searched(one_day, answered_pct=80.0)
    found = _direct(one_day, answered_within_60s=0.8)
    assert found.scenario.targets.answered_within_60s == pytest.approx(0.8)
    assert any(">= 80%" in c.value for c in at.caption)
    cost = gbp(_mean(found, "cost_per_call_gbp"))
    assert _metrics(at)["Cost per answered call"] == cost


def test_use_the_staffed_scenario_puts_it_in_hand(one_day: Scenario) -> None:
    at = _searched(one_day)
    at.button(key="staff_use").click().run()
    label, scenario = at.session_state["sim111_current"]
    found = _direct(one_day)
    assert label == f"{one_day.name}-staffed"
    assert scenario == found.scenario
    assert at.session_state["sim111_saved"][label] == found.scenario


def test_changed_inputs_hide_the_old_result(one_day: Scenario) -> None:
    at = _searched(one_day)
    assert len(at.metric) == 4
    at.number_input(key=f"staff_seed_{LABEL}").set_value(SEED + 1).run()
    assert not at.metric
    assert "inputs changed" in at.info[0].value


def test_without_a_scenario_in_hand_easter_2013_is_offered() -> None:
    at = _app(None)
    assert at.selectbox(key="staff_library").value == "easter-2013.toml"
    easter = load_scenario(SCENARIOS / "easter-2013.toml")
    given = kpi_targets(easter)
    answered = at.number_input(key="staff_answered_within_60s_easter-2013.toml").value
    assert answered == pytest.approx(100 * given["answered_within_60s"].value)
    assert at.number_input(key="staff_reps_easter-2013.toml").value == easter.run.replications


def test_a_scenario_with_areas_is_refused_in_one_line(one_day: Scenario) -> None:
    two = one_day.with_overrides({"areas": [{"name": "a"}, {"name": "b"}]})
    at = _app(two)
    assert [e.value for e in at.error] == [
        f"error: {LABEL}: has [[areas]]; staff and price work on one area"
    ]
    assert not at.exception


def test_the_files_are_those_sim111_staff_writes(one_day: Scenario, tmp_path) -> None:
    found = _direct(one_day)
    files = staffed_files(found, LABEL, clinicians=True)
    (tmp_path / "scenario.toml").write_bytes(files["scenario.toml"])
    assert load_scenario(tmp_path / "scenario.toml") == found.scenario
    roster = files["roster.toml"].decode()
    assert roster.count("count = ") == len(found.scenario.advisors.shifts) + len(
        found.scenario.clinicians[0].shifts
    )
    csv = pd.read_csv(io.BytesIO(files["headcount.csv"]))
    expected = headcount_rows(headcount_by_half_hour(found.scenario))
    assert np.allclose(csv.select_dtypes("number"), expected.select_dtypes("number"))


def test_the_heat_map_draws_the_head_counts(one_day: Scenario) -> None:
    found = _direct(one_day)
    frame = headcount_by_half_hour(found.scenario)
    fig = headcount_figure(frame)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2  # advisors, one clinician group
    drawn = panels[0].images[0].get_array()
    assert np.array_equal(np.asarray(drawn), frame["health advisors"].to_numpy(float).T)
