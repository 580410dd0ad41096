"""The run page: the numbers shown are the API's for the same scenario, replications, seed."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sim111.app import state
from sim111.app.views.run import RUNNING
from sim111.app.widgets import CARD_KEYS, day_frame, result_files
from sim111.experiments.marks import target_marks
from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import kpi_info
from sim111.outputs.days import short_label
from sim111.outputs.formatting import _fmt
from sim111.outputs.plots import figures
from sim111.scenario import load_scenario
from tests.app.conftest import ROOT

LABEL = "easter-2013 (edited)"


@pytest.fixture(scope="module")
def easter():
    scenario = load_scenario(ROOT / "scenarios" / "easter-2013.toml")
    return scenario.with_overrides({"run.days": 2, "name": LABEL})


def _run(app, scenario, replications, seed):
    at = app.run()
    at.session_state["sim111_current"] = (LABEL, scenario)
    at.session_state["page"] = "run"
    at.run()
    at.number_input(key="run_reps").set_value(replications)
    at.number_input(key="run_seed").set_value(seed)
    at.button(key="run_go").click().run()
    assert not at.exception
    return at


def test_the_cards_days_and_charts_shown_are_the_apis(app, easter):
    at = _run(app, easter, 3, 11)
    result = run_experiment(easter, 3, 11)
    shown = {m.label: m.value for m in at.metric}
    expected = {
        short_label(kpi_info(k).label): _fmt(kpi_info(k), result.summary.loc[k, "mean"])
        for k in CARD_KEYS
    }
    assert shown == expected
    # each card is marked as the KPI tables mark it
    marks = target_marks(result)
    answered = next(m for m in at.metric if m.label == "Answered within 60 s")
    word = {"met": "met", "MISSED": "MISSED"}[marks["answered_within_60s"][1]]
    assert answered.delta.startswith((word, "unsure"))
    low, high = result.summary.loc["answered_within_60s", ["ci_low", "ci_high"]]
    kpi = kpi_info("answered_within_60s")
    assert f"95% CI {_fmt(kpi, low)} – {_fmt(kpi, high)}" in [c.value for c in at.caption]
    # day by day: two days whose calls add up to the run's
    days = at.dataframe[0].value
    assert list(days["day"].str[:10]) == ["Thu 28 Mar", "Fri 29 Mar"]
    offered = kpi_info("calls_offered").label
    assert days[offered].sum() == pytest.approx(result.summary.loc["calls_offered", "mean"])
    pd.testing.assert_frame_equal(days, day_frame(result), check_dtype=False)
    assert len(at.image) == len(figures(result))
    assert [b.label for b in at.get("download_button")][:2] == ["Report (HTML)", "Workbook (Excel)"]


def test_the_headline_is_drawn_with_its_lights(app, easter):
    at = _run(app, easter, 2, 3)
    page = " ".join(h.proto.body for h in at.get("html"))
    assert 'class="light' in page and "Over 2 days from Thu 28 Mar 2013" in page


def test_the_downloads_are_the_clis_files_of_the_same_result(easter):
    result = run_experiment(easter, 2, 5)
    files = {name: make() for name, make in result_files(result).items()}
    assert LABEL in str(files["report.html"])
    summary = pd.read_csv(io.StringIO(str(files["summary.csv"])), index_col=0)
    assert summary.loc["answered_within_60s", "mean"] == pytest.approx(
        result.summary.loc["answered_within_60s", "mean"]
    )
    by_day = pd.read_csv(io.BytesIO(bytes(files["by_day.csv"])))
    days = result.period_summary("day")
    assert list(by_day["calls_offered"]) == pytest.approx(list(days["calls_offered"]))
    assert bytes(files["report.xlsx"])[:2] == b"PK"
    assert load_scenario_text(str(files["scenario.toml"])) == easter


def load_scenario_text(text):
    return state.load_upload("x.toml", text.encode())


def test_a_run_left_unfinished_says_it_was_cancelled(app, easter):
    at = app.run()
    at.session_state["sim111_current"] = (LABEL, easter)
    at.session_state["page"] = "run"
    at.session_state[RUNNING] = True  # what a click on Cancel leaves behind
    at.run()
    assert [w.value for w in at.warning] == ["Run cancelled."]
    assert at.session_state[RUNNING] is False
    assert not at.metric  # nothing ran


def test_a_run_stopped_from_its_progress_callback_is_not_cached(easter):
    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop

    with pytest.raises(Stop):
        state.run_cached(easter, 2, 123, _progress=stop)
    told = []
    state.run_cached(easter, 2, 123, _progress=lambda d, t: told.append((d, t)))
    assert told[-1] == (2, 2)  # it ran again, to the end
