"""What ``compare`` and ``sweep`` reports may claim: warnings, rows, points, runs that differ,
the headline, the sweep's dashed lines and axis labels (review of issue #16)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.experiments.compare import compare
from sim111.experiments.sweep import run_sweep
from sim111.kpi_keys import kpi_info
from sim111.outputs.comparison_checks import (
    NOT_COMPARABLE,
    PER_DAY,
    compared_differences,
    comparison_warnings,
    difference_ci,
    difference_text,
    is_total,
)
from sim111.outputs.comparison_report import comparison_html
from sim111.outputs.files import DEFAULT_SWEEP_KPIS, comparison_table, sweep_table, target_marks
from sim111.outputs.sweep_plots import Reference, line_figure, parameter_label
from sim111.outputs.sweep_report import sweep_html
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS
from tests.unit.test_sweep_compare_reports import cell

TYPICAL = SCENARIOS / "typical-area.toml"


@pytest.fixture(scope="module")
def typical():
    return load_scenario(TYPICAL).with_overrides({"run.days": 2})


@pytest.fixture(scope="module")
def staffing(typical):
    more = typical.with_overrides({"advisors.roster_scale": 1.2, "name": "more-advisors"})
    return compare([typical, more], replications=3, seed=4)


def test_compare_html_shows_each_scenarios_warnings(staffing):
    page = comparison_html(staffing)
    section = page[
        page.index('<section id="warnings">') : page.index(
            "</section>", page.index('id="warnings"')
        )
    ]
    for name in ("typical-area", "more-advisors"):
        assert f"{name}: only 3 replications" in section  # few-replications, per scenario


def test_rows_of_features_no_compared_scenario_uses_are_dropped(typical):
    alone = typical.with_overrides({"triage.clinical_share": 0.0, "name": "no-clinical"})
    neither = compare([alone, alone], replications=2, seed=4)
    page = comparison_html(neither)
    for key in ("callback_within_10min", "overflow_bounced", "clinical_contacts"):
        assert f'data-kpi="{key}"' not in page
    table = comparison_table(neither, ("answered_within_60s", "callback_within_10min"))
    assert "Answered within 60 s" in table and "Call-backs made" not in table
    one = compare([alone, typical], replications=2, seed=4)  # typical-area calls back
    page = comparison_html(one)
    assert cell(page, kpi="callback_within_10min", scenario=0) == "-"  # shown, undefined there
    assert 'data-kpi="overflow_bounced"' not in page  # neither has an overflow provider
    assert "Call-backs made" in comparison_table(one, ("callback_within_10min",))


def test_differences_of_shares_are_percentage_points(staffing):
    r = staffing.differences.set_index("kpi").loc["answered_within_60s"]
    table = comparison_table(staffing, ("answered_within_60s",))
    assert f"{100 * r['difference']:.1f} pts" in table
    assert f"{100 * r['ci_low']:.1f} .. {100 * r['ci_high']:.1f} pts" in table
    row = cell(comparison_html(staffing), kpi="answered_within_60s", scenario="1: more-advisors")
    assert f"<td>{100 * r['difference']:.1f} points</td>" in row
    assert f"{100 * r['ci_low']:.1f} to {100 * r['ci_high']:.1f} points" in row
    assert "%</td><td>better" not in row


def test_runs_of_different_lengths_compare_totals_per_day_and_drop_the_luck_claim(typical):
    longer = typical.with_overrides(
        {"run.days": 3, "run.start_date": dt.date(2013, 3, 28), "name": "l"}
    )
    (warning,) = comparison_warnings([typical, longer])
    assert "run lengths (typical-area 2 days, l 3 days)" in warning.message
    assert "start dates" in warning.message and "per day" in warning.message
    comparison = compare([typical, longer], replications=2, seed=4)
    diffs = compared_differences(comparison).set_index("kpi")
    a, b = (r.kpis["calls_offered"].to_numpy(float) for r in comparison.results)
    assert diffs.loc["calls_offered", "basis"] == PER_DAY
    assert diffs.loc["calls_offered", "difference"] == pytest.approx(np.mean(b / 3 - a / 2))
    assert diffs.loc["total_cost_gbp", "basis"] == PER_DAY
    assert diffs.loc["answered_within_60s", "basis"] == ""  # a share: as it is
    page = comparison_html(comparison)
    assert "not from luck" not in page and "run lengths and start dates differ" in page
    assert "Calls offered (incl. redials) per day" in cell(
        page, kpi="calls_offered", scenario="1: l"
    )
    alike = compare([typical, typical], replications=1, seed=4)
    page = comparison_html(alike)
    assert "not from luck" in page and not comparison_warnings([typical] * 2)
    assert "the same 1 replication with" in page
    assert "typical-area, 1 replication, seed 4" in comparison_table(alike, DEFAULT_SWEEP_KPIS)


def test_totals_of_different_populations_are_not_judged(typical):
    bigger = typical.with_overrides({"demand.population": 2_000_000, "name": "big"})
    comparison = compare([typical, bigger], replications=2, seed=4)
    row = cell(comparison_html(comparison), kpi="total_cost_gbp", scenario="1: big")
    assert NOT_COMPARABLE in row and "worse" not in row
    (warning,) = comparison_warnings([typical, bigger])
    assert "populations (typical-area 1,000,000, big 2,000,000)" in warning.message


def test_compare_cli_warns_when_runs_differ(tmp_path):
    shorter = tmp_path / "short.toml"
    shorter.write_text(f'extends = "{TYPICAL}"\nname = "short"\n[run]\ndays = 1\n')
    longer = tmp_path / "long.toml"
    longer.write_text(f'extends = "{TYPICAL}"\nname = "long"\n[run]\ndays = 2\n')
    proc = CliRunner().invoke(cli, ["compare", str(shorter), str(longer), "-n", "2"])
    assert proc.exit_code == 0, proc.output
    assert "warning: compare: the scenarios' run lengths (short 1 day, long 2 days)" in proc.stderr
    assert "runs differ" in proc.stdout
    strict = CliRunner().invoke(cli, ["compare", str(shorter), str(longer), "--strict"])
    assert strict.exit_code == 2 and "nothing was run" in strict.stderr


def test_compare_headline_says_targets_met_and_clear_differences(staffing):
    page = comparison_html(staffing)
    head = page[page.index('<section id="headline">') : page.index("</section>")]
    r = staffing.differences.set_index("kpi").loc["answered_within_60s"]
    assert (
        f"Against typical-area, more-advisors is better on answered within 60 s by "
        f"{100 * r['difference']:.1f} points (95% CI {100 * r['ci_low']:.1f} to "
        f"{100 * r['ci_high']:.1f} points)"
    ) in head
    for result in staffing.results:
        marks = target_marks(result)
        met = sum(mark == "met" for _, mark in marks.values())
        assert f"{result.scenario.name} meets {met} of {len(marks)} targets" in head
    assert re.search(r"typical-area meets \d of 3 targets", head)
    assert page.index('id="headline"') < page.index('id="compared"')


def test_sweep_html_warnings_price_line_labels_and_grammar(typical):
    result = run_sweep(typical, {"advisors.roster_scale": [0.8, 1.2]}, 1, 3)
    page = sweep_html("one", result, typical, DEFAULT_SWEEP_KPIS)
    assert '<section id="warnings">' in page and "only 1 replication:" in page
    assert "2 points × 1 replication," in page and "1 replications" not in page
    assert "one: 2 points x 1 replication, seed 3" in sweep_table("one", result, ("abandoned",))
    assert "a line chart against Advisor roster scale (advisors.roster_scale)" in page
    caption = page[page.index('id="figure-cost_per_call_gbp"') :]
    caption = caption[caption.index("<figcaption>") : caption.index("</figcaption>")]
    assert "dashed: contract price £8.00" in caption  # typical-area's price per call
    fig = line_figure(result, "cost_per_call_gbp", "advisors.roster_scale", Reference(8.0, "p"))
    ax = fig.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and set(dashed[0].get_ydata()) == {8.0}
    assert ax.get_xlabel() == "Advisor roster scale (advisors.roster_scale)"


def test_parameter_labels():
    assert parameter_label("clinicians.0.roster_scale") == (
        "Clinician group 1 roster scale (clinicians.0.roster_scale)"
    )
    assert parameter_label("costs.price_per_call_gbp") == (
        "Costs: price per call (£) (costs.price_per_call_gbp)"
    )
    label = kpi_info("answered_within_60s").label
    assert parameter_label("targets.answered_within_60s").startswith(f"Target: {label}")


def test_a_difference_that_rounds_to_nothing_has_no_sign():
    share, calls = kpi_info("answered_within_60s"), kpi_info("calls_offered")
    assert difference_text(share, -0.0001) == "0.0 points"
    assert difference_ci(share, -0.0001, 0.0123, " to ") == "0.0 to 1.2 points"
    assert difference_ci(calls, -0.2, 2.0, " .. ") == "0 .. 2"
    assert difference_text(share, -0.0123) == "-1.2 points"
    assert not is_total(kpi_info("calls_in_system_at_end")) and is_total(calls)
