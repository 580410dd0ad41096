"""The Batch page in Streamlit's in-process app test: a grid or a CSV in, the sweep's
numbers out (those of run_sweep for the same points and seed); bad CSVs give one line."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim111.app.batch_input import MAX_POINTS, csv_points, toml_value
from sim111.app.views.batch import CSV
from sim111.errors import ScenarioError
from sim111.experiments.sweep import SweepResult, run_sweep
from sim111.kpi_keys import kpi_info
from sim111.outputs.formatting import _fmt
from sim111.scenario import Scenario, load_scenario
from tests.conftest import SCENARIOS

LABEL = "typical (1 day)"
SEED, REPS = 1, 2
GOOD_CSV = b"advisors.roster_scale,demand.scale\n0.9,1.0\n\n1.1,\n"


def _page() -> None:
    from sim111.app.views.batch import render

    render()


@pytest.fixture(scope="module")
def one_day() -> Scenario:
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})


def _app(scenario: Scenario) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["sim111_current"] = (LABEL, scenario)
    at.run()
    at.number_input(key="batch_reps").set_value(REPS)
    at.number_input(key=f"batch_seed_{LABEL}").set_value(SEED)
    return at.run()


@functools.cache
def _direct(scenario: Scenario, points: tuple[tuple[tuple[str, Any], ...], ...]) -> SweepResult:
    return run_sweep(scenario, [dict(p) for p in points], REPS, SEED)


def _cell(result: SweepResult, point: int, key: str) -> str:
    summary = result.summary.set_index(["point", "kpi"])
    return _fmt(kpi_info(key), float(summary.loc[(point, key), "mean"]))


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="batch_how").set_value(CSV).run()
    at.file_uploader(key="batch_csv").set_value((name, data, "text/csv")).run()
    return at


def test_a_grid_table_is_run_sweeps_summary(one_day: Scenario) -> None:
    at = _app(one_day)
    at.text_input(key="batch_values_0").set_value("0.8, 1.1")
    at.text_input(key="batch_values_1").set_value("1.0, 1.3").run()
    at.button(key="batch_go").click().run()
    assert not at.exception and not at.error
    assert "batch_stop" not in [b.key for b in at.button]  # Stop goes with the progress bar
    grid = {"advisors.roster_scale": [0.8, 1.1], "demand.scale": [1.0, 1.3]}
    points = [
        (("advisors.roster_scale", a), ("demand.scale", d))
        for a in grid["advisors.roster_scale"]
        for d in grid["demand.scale"]
    ]
    result = _direct(one_day, tuple(points))
    table = at.dataframe[0].value
    assert len(table) == 4
    for key in ("answered_within_60s", "cost_per_call_gbp"):
        label = kpi_info(key).label
        assert list(table[label]) == [_cell(result, p, key) for p in range(4)]
    assert table.loc[3, "demand.scale"] == "1.3"
    assert len(at.get("image")) == 1  # the heat-map


def test_one_key_draws_lines_and_the_kpi_can_be_chosen(one_day: Scenario) -> None:
    at = _app(one_day)
    at.selectbox(key="batch_key_1").set_value("(none)").run()
    at.button(key="batch_go").click().run()
    result = _direct(one_day, tuple((("advisors.roster_scale", v),) for v in (0.9, 1.0, 1.1)))
    at.selectbox(key="batch_kpi").set_value("mean_answer_s").run()
    table = at.dataframe[0].value
    label = kpi_info("mean_answer_s").label
    assert list(table[label]) == [_cell(result, p, "mean_answer_s") for p in range(3)]
    assert len(at.get("image")) == 1  # the line chart


def test_a_csv_runs_one_point_a_row(one_day: Scenario) -> None:
    at = _upload(_app(one_day), "batch.csv", GOOD_CSV)
    at.button(key="batch_go").click().run()
    assert not at.exception and not at.error
    points = (
        (("advisors.roster_scale", 0.9), ("demand.scale", 1.0)),
        (("advisors.roster_scale", 1.1),),
    )
    result = _direct(one_day, points)
    table = at.dataframe[0].value
    label = kpi_info("answered_within_60s").label
    assert list(table[label]) == [_cell(result, p, "answered_within_60s") for p in range(2)]
    assert list(table["demand.scale"]) == ["1.0", ""]  # a blank cell keeps the scenario's


BAD_CSVS = {
    "unknown key": (
        b"advisors.nope\n1\n",
        "error: batch.csv: line 2: 'advisors.nope' is not a known key here; allowed keys:",
    ),
    "bad value": (
        b"demand.scale\n1.0\nlots\n",
        "error: batch.csv: line 3: 'demand.scale' must be a number, got 'lots'",
    ),
    "empty": (b"", "error: batch.csv: empty; expected a header row of dotted keys"),
    "header only": (b"demand.scale\n", "error: batch.csv: empty; expected a header row"),
    "not UTF-8": ("demand.scale\n1,0 £\n".encode("utf-16"), "error: batch.csv: not UTF-8 text"),
    "too many": (
        b"demand.scale\n" + b"1.0\n" * (MAX_POINTS + 1),
        f"error: batch.csv: {MAX_POINTS + 1} points; at most {MAX_POINTS} run here",
    ),
}


@pytest.mark.parametrize("name", list(BAD_CSVS))
def test_a_bad_csv_is_one_line_and_nothing_runs(one_day: Scenario, name: str) -> None:
    data, start = BAD_CSVS[name]
    at = _upload(_app(one_day), "batch.csv", data)
    assert not at.exception
    assert len(at.error) == 1
    shown = at.error[0].value
    assert shown.startswith(start) and "\n" not in shown
    with pytest.raises(ScenarioError) as raised:
        csv_points("batch.csv", data, one_day)
    assert shown == f"error: {raised.value}"  # the CLI's message, as the CLI words it
    assert at.button(key="batch_go").disabled


def test_a_grid_too_big_or_doubled_is_refused(one_day: Scenario) -> None:
    at = _app(one_day)
    at.text_input(key="batch_values_0").set_value("0.7, 0.8, 0.9, 1.0, 1.1, 1.2").run()
    at.text_input(key="batch_values_1").set_value("1.0, 1.1, 1.2, 1.3, 1.4").run()
    assert [e.value for e in at.error] == [
        f"error: grid: 30 points; at most {MAX_POINTS} run here (use 'sim111 sweep' for more)"
    ]
    at.selectbox(key="batch_key_1").set_value("advisors.roster_scale").run()
    assert "chosen twice" in at.error[0].value
    at.selectbox(key="batch_key_1").set_value("demand.scale")
    at.text_input(key="batch_values_1").set_value("-1").run()
    assert at.error[0].value == "error: grid: 'demand.scale' must be >= 0, got -1.0"
    assert not at.exception


def test_cells_are_read_as_set_reads_them() -> None:
    assert toml_value("1.2") == 1.2
    assert toml_value(" 18 ") == 18
    assert str(toml_value("2013-03-28")) == "2013-03-28"
    assert toml_value("night") == "night"
