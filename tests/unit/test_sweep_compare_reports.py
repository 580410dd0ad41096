"""``compare.html`` and ``sweep.html``: the sections, and numbers equal to the results'."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.experiments.compare import compare
from sim111.experiments.sweep import run_sweep
from sim111.kpi_keys import kpi_info
from sim111.outputs.comparison_report import write_comparison
from sim111.outputs.files import DEFAULT_SWEEP_KPIS, target_marks
from sim111.outputs.formatting import _fmt
from sim111.outputs.sweep_report import sweep_html, write_sweep
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"
IMAGE = 'src="data:image/png;base64,'


@pytest.fixture(scope="module")
def typical():
    return load_scenario(TYPICAL).with_overrides({"run.days": 2})


def cell(page: str, **attrs: object) -> str:
    """The inside of the one ``<td>`` or ``<tr>`` with these data- attributes."""
    found = [
        m
        for m in re.finditer(r"<(td|tr)( [^>]*)>", page)
        if all(f'data-{k}="{html.escape(str(v))}"' in m.group(2) for k, v in attrs.items())
    ]
    assert len(found) == 1, (attrs, [m.group(0) for m in found])
    return page[found[0].end() : page.index(f"</{found[0].group(1)}>", found[0].end())]


def test_compare_html_has_levels_marks_differences_and_what_was_compared(typical, tmp_path):
    more = typical.with_overrides({"advisors.roster_scale": 1.2, "name": "more-advisors"})
    comparison = compare([typical, more], replications=3, seed=4)
    write_comparison(tmp_path / "cmp", comparison, DEFAULT_SWEEP_KPIS, ["a.toml", "b.toml"])
    page = (tmp_path / "cmp" / "compare.html").read_text()
    for section in ('id="compared"', 'id="levels"', 'id="differences"'):
        assert section in page
    assert page.count(IMAGE) == 1  # the differences figure
    assert "common" in page and "seed 4" in page and "b.toml" in page
    for i, result in enumerate(comparison.results):
        marks = target_marks(result)
        for key in ("answered_within_60s", "cost_per_call_gbp", "mean_answer_s"):
            kpi, row = kpi_info(key), result.summary.loc[key]
            text = cell(page, kpi=key, scenario=i)
            assert text.startswith(_fmt(kpi, row["mean"]))
            assert f"{_fmt(kpi, row['ci_low'])} – {_fmt(kpi, row['ci_high'])}" in text
            assert (key in marks) == (">met<" in text or ">MISSED<" in text)
            if key in marks:
                assert f">{marks[key][1]}<" in text
    diffs = comparison.differences.set_index("kpi")
    for key in DEFAULT_SWEEP_KPIS:
        kpi, r = kpi_info(key), diffs.loc[key]
        row = cell(page, kpi=key, scenario="1: more-advisors")
        for value in (r["baseline"], r["mean"]):
            assert _fmt(kpi, value) in row
        for value in (r["difference"], r["ci_low"], r["ci_high"]):  # shares: in points
            assert (f"{100 * value:.1f}" if kpi.unit == "fraction" else _fmt(kpi, value)) in row
    answered = cell(page, kpi="answered_within_60s", scenario="1: more-advisors")
    assert "better" in answered  # a fifth more advisors answer more within 60 s
    assert "Mean time to answer (s)" in page


def test_sweep_html_one_parameter_draws_a_line_per_kpi(typical, tmp_path):
    result = run_sweep(typical, {"advisors.roster_scale": [0.8, 1.0, 1.2]}, 2, 3)
    paths = write_sweep(tmp_path / "sw", "staffing", result, typical, DEFAULT_SWEEP_KPIS)
    page = (tmp_path / "sw" / "sweep.html").read_text()
    assert {p.name for p in paths} == {
        "kpis_by_replication.csv",
        "summary.csv",
        "intervals.csv",
        "failures.csv",
        "sweep.html",
        "provenance.json",
    }
    assert page.count(IMAGE) == len(DEFAULT_SWEEP_KPIS)
    assert "a line chart against Advisor roster scale (advisors.roster_scale)" in page
    assert 'id="points"' in page and "3 points × 2 replications, seed 3" in page
    summary = result.summary.set_index(["point", "kpi"])
    for point in range(3):
        for key in DEFAULT_SWEEP_KPIS:
            kpi, r = kpi_info(key), summary.loc[(point, key)]
            text = cell(page, point=point, kpi=key)
            assert text.startswith(_fmt(kpi, r["mean"]))
            assert f"{_fmt(kpi, r['ci_low'])} – {_fmt(kpi, r['ci_high'])}" in text
    assert "target &gt;= 95%" in page
    failures = pd.read_csv(tmp_path / "sw" / "failures.csv")  # a clean sweep: header only
    assert len(failures) == 0
    assert list(failures.columns) == [
        "point",
        "advisors.roster_scale",
        "replication",
        "seed",
        "error",
    ]


def test_sweep_html_two_parameters_heatmap_more_a_table(typical):
    grid = {"advisors.roster_scale": [0.9, 1.1], "demand.scale": [1.0, 1.3]}
    two = run_sweep(typical, grid, 2, 3)
    page = sweep_html("two", two, typical, ["answered_within_60s"])
    assert (
        page.count(IMAGE) == 1
        and "a heat-map over Advisor roster scale (advisors.roster_scale) and Demand scale "
        "(demand.scale)"
        in page
    )
    three = run_sweep(typical, {**grid, "clinicians.0.roster_scale": [0.8, 1.0]}, 1, 3)
    page = sweep_html("three", three, typical, ["answered_within_60s", "not_a_kpi"])
    assert page.count(IMAGE) == 0 and "the table below has every point" in page
    assert page.count('data-kpi="answered_within_60s"') == 8  # one cell per point


def test_sweep_cli_writes_its_report_and_csvs(tmp_path):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        f'name = "tiny"\nscenario = "{TYPICAL}"\nreplications = 2\n[grid]\n'
        '"run.days" = [1]\n"demand.scale" = [1.0, 1.2]\n'
    )
    args = ["sweep", str(sweep_file), "--store", str(tmp_path / "st"), "--out"]
    proc = CliRunner().invoke(cli, [*args, str(tmp_path / "sw")])
    assert proc.exit_code == 0, proc.output
    assert (
        "a line chart against Demand scale (demand.scale)"
        in (tmp_path / "sw" / "sweep.html").read_text()
    )
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    assert set(summary["demand.scale"]) == {1.0, 1.2}
