"""The Excel workbook: its sheets, numbers equal to the result's, formats a planner can use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.experiments.replications import run_experiment
from sim111.outputs.excel import excel_available, workbook_sheets, write_xlsx
from sim111.outputs.files import write_outputs
from sim111.scenario import load_scenario

pytestmark = pytest.mark.skipif(not excel_available(), reason="openpyxl is not installed")
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def easter():
    scenario = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides({"run.days": 3})
    return run_experiment(scenario, 3, 1)


def test_sheets_hold_the_results_numbers(easter, tmp_path):
    sheets = workbook_sheets(easter)
    assert list(sheets) == [
        "Headline", "KPIs", "By day", "By half-hour", "Roster", "Costs", "Assumptions"
    ]  # fmt: skip
    path = tmp_path / "r.xlsx"
    write_xlsx(path, sheets)
    back = pd.read_excel(path, sheet_name=None)
    kpis = back["KPIs"].set_index("key")
    for key in ("answered_within_60s", "abandoned_after_30s", "cost_per_call_gbp"):
        assert kpis.loc[key, "mean"] == pytest.approx(easter.summary.loc[key, "mean"])
    days = back["By day"]
    assert list(days["label"]) == ["Thu 28 Mar 2013", "Fri 29 Mar 2013", "Sat 30 Mar 2013"]
    assert days["day_type"].tolist()[1] == "bank_holiday"
    column = "Answered within 60 s (of answered)"
    expected = easter.period_summary("day")["answered_within_60s"].to_numpy()
    assert days[column].to_numpy() == pytest.approx(expected)
    assert back["By half-hour"]["calls_offered"].sum() == pytest.approx(
        easter.intervals.groupby("replication")["calls_offered"].sum().mean()
    )
    assert "Missed by day" in " ".join(back["Headline"]["headline"].astype(str))


def test_sheets_are_frozen_filtered_and_formatted(easter, tmp_path):
    import openpyxl

    path = tmp_path / "r.xlsx"
    write_xlsx(path, workbook_sheets(easter))
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        if ws.title not in ("Headline", "Assumptions"):  # sentences: wrapped, not filtered
            assert ws.auto_filter.ref, ws.title
    assert book["Headline"]["A2"].alignment.wrap_text
    kpis = book["KPIs"]
    labels = {kpis.cell(row=r, column=1).value: r for r in range(2, kpis.max_row + 1)}
    assert kpis.cell(labels["Answered within 60 s (of answered)"], 3).number_format == "0.0%"
    assert kpis.cell(labels["Cost per answered call"], 3).number_format == '"£"#,##0.00'


def test_run_out_writes_the_workbook_and_no_xlsx_leaves_it_out(tmp_path):
    scenario = str(SCENARIOS / "typical-area.toml")
    with_book, without = tmp_path / "a", tmp_path / "b"
    args = ["run", scenario, "--replications", "2", "--set", "run.days=1", "--no-records"]
    for out, flag in ((with_book, "--xlsx"), (without, "--no-xlsx")):
        result = CliRunner().invoke(cli, [*args, "--out", str(out), flag])
        assert result.exit_code == 0, result.output
    assert (with_book / "report.xlsx").exists()
    assert not (without / "report.xlsx").exists()


def test_write_outputs_writes_the_workbook_by_default_when_openpyxl_is_there(easter, tmp_path):
    written = write_outputs(easter, tmp_path / "out")
    assert tmp_path / "out" / "report.xlsx" in written
