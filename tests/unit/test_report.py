"""The HTML report, the figures and the comparison."""

from __future__ import annotations

import re
from html import escape as html_escape

import pytest

from sim111.experiments.compare import compare, paired_differences
from sim111.experiments.replications import run_experiment
from sim111.outputs.files import write_outputs
from sim111.outputs.plots import figures
from sim111.outputs.report import CAPTIONS
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    return run_experiment(scenario, replications=3, seed=1, keep_records=True)


def test_report_has_every_figure_the_kpi_table_and_assumptions(result, tmp_path):
    write_outputs(result, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    names = list(figures(result))  # typical-area: no overflow provider, no downstream service
    assert names == [
        "demand",
        "abandonment",
        "service_level",
        "answer_times",
        "callback_queue",
        "headcount",
        "costs",
    ]
    assert html.count('src="data:image/png;base64,') == len(names)
    for name in names:
        assert (tmp_path / "out" / f"{name}.png").stat().st_size > 10_000
        assert html_escape(CAPTIONS[name]) in html
    table = re.search(r'<table id="kpis">.*?</table>', html, re.S).group(0)
    for label in (
        "Answered within 60 s",
        "Abandoned after 30 s",
        "Call-backs made within 10 min",
        "Call-backs reaching a clinician within 10 min",
        "Cost per answered call",
    ):
        assert label in table
    assert html_escape(">= 95%") in table and ("met" in table or "MISSED" in table)
    assert 'id="assumptions"' in html and "1,000,000 people" in html


def test_figures_are_labelled(result):
    for fig in figures(result).values():
        for ax in fig.axes:
            assert ax.get_title() or ax.get_ylabel()
        assert any(ax.get_ylabel() for ax in fig.axes)


def test_comparing_a_scenario_with_itself_gives_zero_difference():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    comparison = compare([scenario, scenario], replications=3, seed=2)
    diffs = comparison.differences.dropna(subset=["difference"])
    assert len(diffs) > 20
    assert (diffs["difference"] == 0).all()
    assert (diffs["ci_low"] == 0).all() and (diffs["ci_high"] == 0).all()


def test_paired_differences_use_common_random_numbers():
    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    fewer = base.with_overrides({"advisors.roster_scale": base.advisors.roster_scale * 0.8})
    comparison = compare([base, fewer], replications=4, seed=3)
    diffs = comparison.differences.set_index("kpi")
    assert diffs.loc["unique_callers", "difference"] == 0  # the very same callers
    assert diffs.loc["mean_answer_s", "ci_low"] > 0  # fewer staff: longer waits, clearly


def test_paired_differences_by_hand():
    import pandas as pd

    a = pd.DataFrame({"replication": [0, 1, 2], "x": [1.0, 2.0, 3.0]})
    b = pd.DataFrame({"replication": [0, 1, 2], "x": [2.0, 3.0, 5.0]})
    row = paired_differences(a, b).iloc[0]
    assert row["difference"] == pytest.approx(4 / 3)
    assert row["baseline"] == 2.0 and row["mean"] == pytest.approx(10 / 3)
