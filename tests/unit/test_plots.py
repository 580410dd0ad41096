"""The report's charts: which apply, targets drawn, dates and bank holidays, costs adding up."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.patches import StepPatch
from matplotlib.text import Text

from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import ANSWER_TARGET_S
from sim111.measures.analytic import erlang_a
from sim111.outputs.charts_axes import BANK_HOLIDAY_GID
from sim111.outputs.charts_costs import cost_stack, pay_label
from sim111.outputs.charts_service import (
    advisors_needed,
    demand_and_advisors,
    erlang_requirement,
    requirement_basis,
)
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
    assert parts["Unsocial-hours uplift"] > 0  # a bank-holiday weekend pays uplifts
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


@pytest.fixture(scope="module")
def easter_once():
    """Good Friday and Easter Saturday from one replication: no interval across runs."""
    scenario = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides(
        {"run.start_date": GOOD_FRIDAY, "run.days": 2}
    )
    result = run_experiment(scenario, replications=1, seed=3)
    figs = figures(result)
    yield result, figs
    for fig in figs.values():
        fig.clear()


def _data_top(ax) -> float:
    """The highest value drawn on ``ax``: lines (not the targets), bands and stairs."""
    values = [line.get_ydata() for line in ax.get_lines() if line.get_linestyle() != "--"]
    values += [c.get_paths()[0].vertices[:, 1] for c in ax.collections if c.get_paths()]
    values += [p.get_data().values for p in ax.patches if isinstance(p, StepPatch)]
    flat = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values])
    return float(np.nanmax(flat))


def _time_axes(figs):
    return [  # not the call-back chart's bars by priority
        ax
        for name, fig in figs.items()
        if name not in ("headcount", "costs")
        for ax in fig.axes
        if ax.get_lines()
    ]


def test_one_replication_keeps_every_abandonment_value_on_the_chart(easter_once):
    result, figs = easter_once
    (ax,) = figs["abandonment"].axes
    highest = float(result.intervals["abandoned"].max())
    assert highest > 2.5 * 0.05  # Good Friday's peak is above the old fixed top
    assert ax.get_ylim()[1] >= 1.1 * min(highest, 0.96)
    assert not ax.collections  # no 95% band from one run, so none in the legend
    labels = ax.get_legend_handles_labels()[1]
    assert "95% CI" not in labels and "abandoned at any wait" in labels


@pytest.mark.parametrize("which", ["easter_figures", "easter_once"])
def test_every_time_chart_has_headroom_above_its_data(which, request):
    figs = request.getfixturevalue(which)
    figs = figs[1] if isinstance(figs, tuple) else figs
    axes = _time_axes(figs)
    assert len(axes) == 7
    for ax in axes:
        top = _data_top(ax)
        assert ax.get_ylim()[1] >= min(1.1 * top, 1.08), ax.get_title()


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("which", ["easter_figures", "contingency_figures"])
def test_legends_sit_outside_every_plotting_area(which, request):
    figs = request.getfixturevalue(which)
    checked = 0
    for fig in figs.values():
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        for ax in fig.axes:
            if ax.get_legend() is None:
                continue
            box = ax.get_legend().get_window_extent(renderer)
            assert not any(_overlaps(box, other.get_window_extent(renderer)) for other in fig.axes)
            checked += 1
    assert checked >= 7


@pytest.fixture(scope="module")
def contingency_figures(contingency):
    figs = figures(contingency)
    yield figs
    for fig in figs.values():
        fig.clear()


def _texts(figs) -> list[str]:
    return [t.get_text() for fig in figs.values() for t in fig.findobj(Text) if t.get_text()]


def test_legends_and_labels_name_services_and_staff_as_a_reader_would(contingency_figures):
    (overflow_ax,) = contingency_figures["overflow"].axes
    assert overflow_ax.get_legend_handles_labels()[1][0] == "to NHS Direct"
    assert contingency_figures["downstream"].axes[0].get_legend_handles_labels()[1][:3] == [
        "GP out-of-hours base",
        "GP out-of-hours home visits",
        "GP out-of-hours telephone",
    ]
    words = _texts(contingency_figures)
    assert "Health advisors' pay" in words
    assert not [w for w in words if "_" in w or ": pay" in w]  # no identifier anywhere


def test_pay_labels_say_clinicians_in_the_reports_words():
    assert pay_label("health advisors", advisors=True) == "Health advisors' pay"
    assert pay_label("clinical advisors", advisors=False) == "Clinicians' pay (clinical advisors)"
    assert pay_label("clinicians", advisors=False) == "Clinicians' pay"
    assert pay_label("gp_ooh", advisors=False) == "Clinicians' pay (GP out-of-hours)"


def test_titles_count_replications_in_good_english(easter_once, easter_figures):
    once = _texts(easter_once[1])
    assert sum("(1 replication)" in t for t in once) == len(easter_once[1])  # a title each
    assert not [t for t in once + _texts(easter_figures) if "1 replications" in t]
    assert sum("(mean of 2 replications)" in t for t in _texts(easter_figures)) == 7


def test_captions_are_in_words_not_table_names():
    assert not [name for name, text in CAPTIONS.items() if "[" in text or "_" in text]


def _two_areas(pool: str, **south):
    return make_scenario(
        areas=[{"name": "north"}, {"name": "south", **south}],
        sharing={"advisors": pool, "clinicians": pool},
    )


def test_requirement_is_drawn_only_for_areas_in_one_advisor_pool():
    apart = run_experiment(_two_areas("area"), replications=2, seed=1)
    bottom = demand_and_advisors(apart).axes[1]
    assert not [p for p in bottom.patches if isinstance(p, StepPatch)]
    labels = bottom.get_legend_handles_labels()[1]
    assert any("no Erlang-A requirement" in label and "2 separate" in label for label in labels)
    pooled = run_experiment(_two_areas("all"), replications=2, seed=1)
    basis, _ = requirement_basis(pooled.scenario)
    assert basis is not None
    (stairs,) = [p for p in demand_and_advisors(pooled).axes[1].patches if p.get_label()]
    offered = pooled.intervals.groupby("interval_start")["calls_offered"].mean()
    drawn = stairs.get_data().values
    assert np.array_equal(drawn, erlang_requirement(basis, offered).to_numpy())
    # 120 calls an hour in one queue need fewer advisors than two queues of 60 each
    assert drawn.mean() < 2 * advisors_needed(60.0, 8.0, 5.0, 0.95, 0.05) - 2


def test_areas_in_one_pool_with_different_handling_have_no_requirement():
    one_contract = _two_areas("contract", contract="north")
    assert requirement_basis(one_contract)[0] == one_contract.area_scenarios[0]
    slower = _two_areas("all", advisors={"handle_time": {"kind": "exponential", "mean_min": 9}})
    basis, why = requirement_basis(slower)
    assert basis is None and "differ in handling time" in why
    assert requirement_basis(_two_areas("region"))[0] is None  # two contracts, two regions


def test_cost_stack_of_several_areas_adds_up_every_areas_rosters():
    areas = [{"name": "north", "population": 400_000, "advisor_roster_factor": 0.5}]
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 1, "areas": [*areas, {"name": "south", "population": 600_000}]}
    )
    result = run_experiment(scenario, replications=2, seed=1)
    parts = cost_stack(result)
    assert sum(parts.values()) == pytest.approx(result.summary.loc["total_cost_gbp", "mean"])
    assert list(parts)[:2] == ["Health advisors' pay", "Clinicians' pay (clinical advisors)"]
