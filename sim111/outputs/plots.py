"""Figures for planners, built from result frames only (plotting never runs the model).

Each function takes an :class:`~sim111.experiments.replications.ExperimentResult` and returns a
matplotlib ``Figure`` (object-oriented: no pyplot state, no backend chosen) with a
title, units on the axes, a legend and dates on the time axis. Interval figures
show the mean over replications; where a band is drawn it is the 95% t-interval
across replications.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from scipy.special import stdtrit

from sim111.experiments.compare import Comparison
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import ANSWER_TARGET_S, PER_CLASS_PREFIX, kpi_info
from sim111.measures.costs import staff_costs
from sim111.outputs.feedback import callback_backlog as callback_backlog  # its own module

WIDE = (11, 4)


def _by_time(result: ExperimentResult, columns: list[str]) -> pd.DataFrame:
    frame = result.intervals
    return frame.groupby("interval_start")[columns].mean()


def _band(result: ExperimentResult, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    grouped = result.intervals.groupby("interval_start")[column]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = pd.Series(stdtrit(np.maximum(n - 1, 1), 0.975), index=n.index) * sd / np.sqrt(n)
    return mean, (mean - half).clip(lower=0), (mean + half).clip(upper=1)


def _dates(ax: Axes) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)


def _title(result: ExperimentResult, what: str) -> str:
    return f"{result.scenario.name}: {what} (mean of {result.replications} replications)"


def calls_by_interval(result: ExperimentResult) -> Figure:
    """Calls offered, answered and abandoned per reporting interval."""
    data = _by_time(result, ["calls_offered", "calls_answered", "calls_abandoned"])
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.plot(data.index, data["calls_offered"], label="offered")
    ax.plot(data.index, data["calls_answered"], label="answered")
    ax.plot(data.index, data["calls_abandoned"], label="abandoned", color="tab:red")
    ax.set_ylabel(f"calls per {result.scenario.run.interval_min} min")
    ax.set_title(_title(result, "calls by time of day"))
    ax.legend()
    _dates(ax)
    fig.tight_layout()
    return fig


def service_level_by_interval(result: ExperimentResult) -> Figure:
    """Answered within 60 s per interval with its 95% band and the scenario's target line."""
    mean, low, high = _band(result, "answered_within_60s")
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.fill_between(mean.index, low, high, alpha=0.25, label="95% CI across replications")
    ax.plot(mean.index, mean, label="answered within 60 s")
    target = result.scenario.targets.answered_within_60s
    ax.axhline(target, color="tab:red", linestyle="--", label=f"target {target:.0%}")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of answered calls")
    ax.set_title(_title(result, "service level"))
    ax.legend(loc="lower left")
    _dates(ax)
    fig.tight_layout()
    return fig


def answer_time_percentiles(result: ExperimentResult) -> Figure:
    """Mean, 90th and 95th percentile time to answer per interval."""
    data = _by_time(result, ["mean_answer_s", "p90_answer_s", "p95_answer_s"])
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    for column, label in (
        ("mean_answer_s", "mean"),
        ("p90_answer_s", "90th percentile"),
        ("p95_answer_s", "95th percentile"),
    ):
        ax.plot(data.index, data[column], label=label)
    ax.axhline(ANSWER_TARGET_S, color="tab:red", linestyle="--", label=f"{ANSWER_TARGET_S:g} s")
    ax.set_ylabel("time to answer (s)")
    ax.set_title(_title(result, "time to answer"))
    ax.legend()
    _dates(ax)
    fig.tight_layout()
    return fig


def callback_queue(result: ExperimentResult) -> Figure:
    """Calls awaiting a clinician over time, and call-back waits by priority class."""
    fig = Figure(figsize=WIDE)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    data = _by_time(result, ["awaiting_clinician"])
    left.plot(data.index, data["awaiting_clinician"], color="tab:purple")
    left.set_ylabel("calls awaiting a clinician")
    left.set_title(_title(result, "clinical queue"))
    _dates(left)
    names = [p.name for p in result.scenario.clinical.priorities]
    keys = [f"{PER_CLASS_PREFIX}{n}" for n in names]
    values = [result.summary.loc[k, "mean"] if k in result.summary.index else np.nan for k in keys]
    targets = [p.target_min for p in result.scenario.clinical.priorities]
    right.bar(range(len(names)), values, color="tab:purple")
    right.set_xticks(
        range(len(names)), [f"{n}\n({t:g} min)" for n, t in zip(names, targets, strict=True)]
    )
    right.set_ylim(0, 1)
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_title("call-backs within target")
    fig.tight_layout()
    return fig


def staff_on_duty(result: ExperimentResult) -> Figure:
    """People on duty and busy, advisors and clinicians."""
    data = _by_time(
        result, ["advisors_on_duty", "advisors_busy", "clinicians_on_duty", "clinicians_busy"]
    )
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.plot(data.index, data["advisors_on_duty"], label="advisors on duty", color="tab:blue")
    ax.plot(data.index, data["advisors_busy"], label="advisors busy", color="tab:blue", alpha=0.5)
    ax.plot(data.index, data["clinicians_on_duty"], label="clinicians on duty", color="tab:green")
    ax.plot(
        data.index, data["clinicians_busy"], label="clinicians busy", color="tab:green", alpha=0.5
    )
    ax.set_ylabel("people")
    ax.set_title(_title(result, "staff on duty and busy"))
    ax.legend(ncols=2)
    _dates(ax)
    fig.tight_layout()
    return fig


def costs(result: ExperimentResult) -> Figure:
    """Cost breakdown by staff group and cost per answered call against the price."""
    scenario = result.scenario
    fig = Figure(figsize=WIDE)
    left, right = fig.subplots(1, 2)
    parts = staff_costs(scenario)
    labels = [p.group for p in parts]
    bottoms = np.zeros(len(parts))
    for attr, label in (
        ("basic_gbp", "basic pay"),
        ("uplift_gbp", "unsocial hours"),
        ("on_cost_gbp", "on-costs"),
        ("shrinkage_gbp", "shrinkage"),
    ):
        values = np.array([getattr(p, attr) for p in parts])
        left.bar(labels, values, bottom=bottoms, label=label)
        bottoms += values
    left.set_ylabel("£ over the run")
    left.set_title(f"{scenario.name}: direct staff cost")
    left.legend()
    summary = result.summary
    if "cost_per_call_gbp" in summary.index:
        row = summary.loc["cost_per_call_gbp"]
        right.bar(
            ["cost per answered call"],
            [row["mean"]],
            yerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
            capsize=6,
        )
        price = scenario.costs.price_per_call_gbp
        if price is not None:
            right.axhline(price, color="tab:red", linestyle="--", label=f"price £{price:.2f}")
            right.legend()
    right.set_ylabel("£ per answered call")
    right.set_title("cost per call (95% CI)")
    fig.tight_layout()
    return fig


FIGURES = {
    "calls_by_interval": calls_by_interval,
    "service_level": service_level_by_interval,
    "answer_times": answer_time_percentiles,
    "callback_queue": callback_queue,
    "staff": staff_on_duty,
    "costs": costs,
}


def figures(result: ExperimentResult) -> dict[str, Figure]:
    """Every figure that applies to ``result`` (no clinical or cost figure without them)."""
    out = {}
    for name, make in FIGURES.items():
        if name == "callback_queue" and not result.scenario.clinicians:
            continue
        if name == "costs" and not staff_costs(result.scenario):
            continue
        out[name] = make(result)
    return out


def differences_figure(comparison: Comparison, kpis: tuple[str, ...]) -> Figure:
    """One row per KPI: each scenario's difference from the baseline with its 95% CI."""
    n_scenarios = len(comparison.results) - 1
    fig = Figure(figsize=(9, len(kpis) * (0.9 + 0.35 * n_scenarios) + 0.6))
    axes = np.atleast_1d(fig.subplots(len(kpis), 1, sharey=True))
    base = comparison.results[0].scenario.name
    for ax, key in zip(axes, kpis, strict=True):
        part = comparison.differences[comparison.differences["kpi"] == key]
        y = np.arange(len(part))
        err = [part["difference"] - part["ci_low"], part["ci_high"] - part["difference"]]
        ax.errorbar(part["difference"], y, xerr=err, fmt="o", capsize=4)
        ax.axvline(0, color="grey", linewidth=1)
        ax.set_yticks(y, part["scenario"])
        kpi = kpi_info(key)
        if kpi.unit == "fraction":
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            unit = "percentage points"
        else:
            unit = kpi.unit
        ax.set_title(f"{kpi.label}: difference ({unit})", fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()
    fig.suptitle(f"Differences from {base} (paired by replication, 95% CI)")
    fig.tight_layout()
    return fig
