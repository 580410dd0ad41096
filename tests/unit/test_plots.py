"""The report's charts: which apply, targets drawn, dates and bank holidays, costs adding up."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.lines import Line2D

from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import ANSWER_TARGET_S
from sim111.measures.analytic import erlang_a
from sim111.outputs.charts_axes import BANK_HOLIDAY_GID
from sim111.outputs.charts_costs import cost_stack
from sim111.outputs.charts_service import advisors_needed
from sim111.outputs.charts_staff import headcount_grid
from sim111.outputs.plots import FIGURES, applies, figures
from sim111.outputs.report import CAPTIONS
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS, make_scenario

GOOD_FRIDAY = dt.date(2013, 3, 29)


@pytest.fixture(scope="module")
def easter():
    """Good Friday to Easter Monday 2013: two bank holidays and a weekend."""
    scenario = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides(
        {"run.start_date": GOOD_FRIDAY, "run.days": 4}
    )
    return run_experiment(scenario, replications=2, seed=3)


@pytest.fixture(scope="module")
def contingency():
    """Overflow to NHS Direct and three downstream services."""
    scenario = load_scenario(SCENARIOS / "nhs-direct-contingency.toml").with_overrides(
        {"run.days": 2}
    )
    return run_experiment(scenario, replications=2, seed=4, keep_records=True)


@pytest.fixture(scope="module")
def easter_figures(easter):
    figs = figures(easter)
    yield figs
    for fig in figs.values():
        fig.clear()  # object-oriented figures: no pyplot registry to close


def test_figures_follow_the_scenarios_features(easter, easter_figures, contingency):
    assert list(easter_figures) == [
        "demand",
        "abandonment",
        "service_level",
        "answer_times",
        "callback_queue",
        "headcount",
        "costs",
    ]
    assert [n for n in FIGURES if applies(n, contingency)] == list(FIGURES)  # all of them
    bare = run_experiment(make_scenario(), replications=2, seed=1)  # no clinicians, no pay
    assert [n for n in FIGURES if applies(n, bare)] == [
        "demand",
        "abandonment",
        "service_level",
        "answer_times",
        "headcount",
    ]
    assert set(CAPTIONS) == set(FIGURES)


def _hlines(ax) -> list[float]:
    return [
        line.get_ydata()[0]
        for line in ax.get_lines()
        if isinstance(line, Line2D)
        and len(set(line.get_ydata())) == 1
        and line.get_linestyle() == "--"
    ]


def test_target_lines_at_5_and_95_percent(easter_figures):
    (abandon_ax,) = easter_figures["abandonment"].axes
    (service_ax,) = easter_figures["service_level"].axes
    assert _hlines(abandon_ax) == [pytest.approx(0.05)]
    assert _hlines(service_ax) == [pytest.approx(0.95)]
    assert _hlines(easter_figures["answer_times"].axes[0]) == [ANSWER_TARGET_S]


def test_every_time_axis_names_weekdays_and_shades_both_bank_holidays(easter_figures):
    time_axes = [
        ax
        for name, fig in easter_figures.items()
        if name not in ("headcount", "costs")
        for ax in fig.axes
        if ax.get_xlabel() == "" and ax.get_lines()
    ]
    assert len(time_axes) == 7  # demand 2, abandonment, service level, answer times, call-backs 2
    for ax in time_axes:
        formatter = ax.xaxis.get_major_formatter()  # shared axes hide the upper one's labels
        labels = [formatter(v) for v in ax.get_xticks()]
        assert labels[:4] == ["Fri 29 Mar", "Sat 30 Mar", "Sun 31 Mar", "Mon 1 Apr"]
        shaded = [p for p in ax.patches if p.get_gid() == BANK_HOLIDAY_GID]
        starts = sorted(mdates.num2date(p.get_x()).date() for p in shaded)
        assert starts == [GOOD_FRIDAY, dt.date(2013, 4, 1)]  # Good Friday, Easter Monday
        assert [p.get_label() for p in shaded].count("bank holiday") <= 1  # one legend entry


def test_count_axes_have_thousands_separators(easter_figures):
    costs_ax = easter_figures["costs"].axes[0]
    labels = [t.get_text() for t in costs_ax.get_yticklabels()]
    assert any("," in label and label.startswith("£") for label in labels)
    demand_ax = easter_figures["demand"].axes[0]
    assert demand_ax.yaxis.get_major_formatter()(12345.0, 0) == "12,345"


def test_cost_stack_adds_up_to_the_total_cost_kpi(easter, easter_figures):
    parts = cost_stack(easter)
    total = easter.summary.loc["total_cost_gbp", "mean"]
    assert sum(parts.values()) == pytest.approx(total, rel=1e-9)
    assert parts["unsocial-hours uplift"] > 0  # a bank-holiday weekend pays uplifts
    bars = [p for p in easter_figures["costs"].axes[0].patches if p.get_x() < 0]  # the cost bar
    assert sum(p.get_height() for p in bars) == pytest.approx(total, rel=1e-9)


def test_erlang_requirement_is_the_fewest_advisors_meeting_both_targets():
    n = advisors_needed(60.0, 8.0, 5.0, 0.95, 0.05)
    for people, meets in ((n, True), (n - 1, False)):
        m = erlang_a(60.0, 8.0, 5.0, people)
        ok = m.p_abandon <= 0.05 and m.answered_within(ANSWER_TARGET_S) >= 0.95
        assert bool(ok) is meets
    assert advisors_needed(0.0, 8.0, 5.0, 0.95, 0.05) == 0


def test_demand_figure_draws_the_requirement_for_each_half_hour(easter_figures, easter):
    bottom = easter_figures["demand"].axes[1]
    (stairs,) = [p for p in bottom.patches if p.get_label().startswith("needed")]
    needed = stairs.get_data().values
    assert len(needed) == 4 * 48 and needed.max() > needed.min() > 0


def test_interval_overflow_and_downstream_columns_add_up_to_the_kpis(contingency):
    intervals = contingency.intervals[~contingency.intervals["in_warmup"]]
    totals = intervals.groupby("replication").sum(numeric_only=True)
    kpis = contingency.kpis.set_index("replication")
    assert totals["provider_nhs_direct_calls"].sum() > 0
    assert np.array_equal(totals["provider_nhs_direct_calls"], kpis["provider_nhs_direct_calls"])
    for name in ("gp_ooh_base", "gp_ooh_home_visits", "gp_ooh_telephone"):
        assert np.array_equal(
            totals[f"downstream_{name}_referrals"], kpis[f"downstream_{name}_cases"]
        )
    # the time-averaged queue at the base is the cases' waits spread over the run
    rec = contingency.records[0]
    calls = rec.calls
    mine = calls.downstream == 0
    seen = np.where(
        np.isnan(calls.downstream_start_min), rec.horizon_min, calls.downstream_start_min
    )
    waited_min = (seen[mine] - calls.end_min[mine]).sum()
    first = contingency.intervals[contingency.intervals["replication"] == 0]
    assert first["downstream_gp_ooh_base_waiting"].sum() * rec.interval_min == pytest.approx(
        waited_min
    )


def test_headcount_grid_is_by_day_type_and_time_of_day(easter):
    grid = headcount_grid(easter, "advisors_on_duty")
    assert list(grid.index) == ["saturday", "sunday", "bank_holiday"]
    assert grid.shape == (3, 48) and grid.columns[0] == "00:00"
    intervals = easter.intervals
    friday = intervals[intervals["interval_start"].dt.date == GOOD_FRIDAY]
    monday = intervals[intervals["interval_start"].dt.date == dt.date(2013, 4, 1)]
    both = np.concatenate([friday["advisors_on_duty"], monday["advisors_on_duty"]])
    assert grid.loc["bank_holiday"].mean() == pytest.approx(both.mean())
