"""Figures for planners, built from result frames only (plotting never runs the model).

Each figure function takes an :class:`~sim111.experiments.replications.ExperimentResult`
and returns a matplotlib ``Figure`` (object-oriented: no pyplot state, no backend
chosen) with a title naming the scenario, units on the axes, targets drawn,
a legend, and on every time axis dates with weekday names and bank holidays
shaded (:mod:`sim111.outputs.charts_axes`). Interval figures show the mean over
replications; where a band is drawn it is the 95% t-interval across replications.
The charts themselves are in :mod:`~sim111.outputs.charts_service` (calls and
advisors), :mod:`~sim111.outputs.charts_staff` (clinical stage, overflow,
downstream, head-count) and :mod:`~sim111.outputs.charts_costs`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim111.experiments.compare import Comparison
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import DOWNSTREAM_PREFIX, PROVIDER_PREFIX, kpi_info
from sim111.measures.costs import staff_costs
from sim111.outputs.charts_axes import plain_text
from sim111.outputs.charts_costs import costs
from sim111.outputs.charts_service import (
    abandonment,
    answer_times,
    demand_and_advisors,
    service_level,
)
from sim111.outputs.charts_staff import callback_queue, downstream, headcount, overflow
from sim111.outputs.feedback import callback_backlog as callback_backlog  # its own module

FIGURES: dict[str, Callable[[ExperimentResult], Figure]] = {
    "demand": demand_and_advisors,
    "abandonment": abandonment,
    "service_level": service_level,
    "answer_times": answer_times,
    "callback_queue": callback_queue,
    "overflow": overflow,
    "downstream": downstream,
    "headcount": headcount,
    "costs": costs,
}


def applies(name: str, result: ExperimentResult) -> bool:
    """Whether the figure ``name`` shows something the scenario of ``result`` has."""
    scenario = result.scenario
    has = {
        "callback_queue": bool(scenario.clinicians),
        "overflow": bool(scenario.providers)
        and all(f"{PROVIDER_PREFIX}{p.name}_calls" in result.intervals for p in scenario.providers),
        "downstream": bool(scenario.downstream)
        and all(
            f"{DOWNSTREAM_PREFIX}{d.name}_referrals" in result.intervals
            for d in scenario.downstream
        ),
        "costs": bool(staff_costs(scenario)),
    }
    return has.get(name, True)


@plain_text
def figures(result: ExperimentResult) -> dict[str, Figure]:
    """Every figure that applies to ``result``: none for features the scenario does not use
    (no clinical chart without clinicians, no overflow chart without providers...)."""
    return {name: make(result) for name, make in FIGURES.items() if applies(name, result)}


@plain_text
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
