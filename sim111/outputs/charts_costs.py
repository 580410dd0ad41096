"""What the run costs beside what it earns: a stacked cost bar, revenue and margin.

The stack splits the total cost KPI (:func:`~sim111.measures.costs.cost_kpis`)
into its parts: each staff group's pay for rostered time (basic pay grossed up
for on-costs and shrinkage), the unsocial-hours uplift of every group (grossed
up the same way), overheads, overflow fees and clinician overtime. Staff costs
follow from the rosters; the others are means over replications, so the stack
adds up to the mean total cost. A run of several areas adds up every area's
rosters, group by group.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim111.experiments.replications import ExperimentResult
from sim111.measures.costs import staff_costs
from sim111.outputs.charts_axes import pounds, replications_text, target_line
from sim111.vocabulary import display_name

ADVISORS = "health advisors"  # the advisors' group in staff_costs
UPLIFT = "Unsocial-hours uplift"
OVERHEADS = "Overheads"
FEES = "Overflow fees"
OVERTIME = "Clinician overtime"
STAFF_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef")  # blues, group by group
COLOURS = {UPLIFT: "tab:orange", OVERHEADS: "tab:brown", FEES: "tab:purple", OVERTIME: "tab:pink"}
HEADROOM = 0.12  # room above (and below) the bars, as a share of their span


def _mean(summary: pd.DataFrame, key: str) -> float:
    return float(summary.loc[key, "mean"]) if key in summary.index else math.nan


def pay_label(group: str, advisors: bool) -> str:
    """``Health advisors' pay``, ``Clinicians' pay (clinical advisors)``: a staff group's
    part of the stack, in the report's words (its clinician groups are clinicians)."""
    if advisors:
        return f"{display_name(group)}' pay"
    name = display_name(group)
    if name.lower() == "clinicians":
        return "Clinicians' pay"
    if name[1:2].islower():  # not an initialism (GP, NHS): lower case inside brackets
        name = name[0].lower() + name[1:]
    return f"Clinicians' pay ({name})"


def cost_stack(result: ExperimentResult) -> dict[str, float]:
    """The parts of the mean total cost, in GBP, in stacking order (zero parts left out)."""
    parts: dict[str, float] = {}
    uplift = 0.0
    scenario = result.scenario
    every = [cost for area in scenario.area_scenarios or (scenario,) for cost in staff_costs(area)]
    for staff in every:  # each area's rosters, added up (the base's alone for one area)
        before_gross_up = staff.basic_gbp + staff.uplift_gbp
        share = staff.uplift_gbp / before_gross_up if before_gross_up else 0.0
        label = pay_label(staff.group, advisors=staff.group == ADVISORS)
        parts[label] = parts.get(label, 0.0) + staff.total_gbp * (1 - share)
        uplift += staff.total_gbp * share
    parts[UPLIFT] = uplift
    summary = result.summary
    parts[OVERHEADS] = _mean(summary, "overhead_gbp")
    parts[FEES] = _mean(summary, "overflow_fees_gbp")
    parts[OVERTIME] = _mean(summary, "overtime_cost_gbp")
    return {k: v for k, v in parts.items() if v and not math.isnan(v)}


def _revenue_label(result: ExperimentResult) -> str:
    costs = result.scenario.costs
    if costs.price_per_call_gbp is not None:
        return f"revenue\n(£{costs.price_per_call_gbp:,.2f} ×\nanswered calls)"
    return f"revenue\n(£{costs.price_per_head_per_year_gbp:,.2f}\na head a year)"


def _error(summary: pd.DataFrame, key: str) -> list[list[float]]:
    row = summary.loc[key]
    return [[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]]


def _stack(ax: Axes, result: ExperimentResult) -> None:
    """The cost bar, and revenue and margin beside it if the scenario has a price."""
    bottom = 0.0
    for k, (label, value) in enumerate(cost_stack(result).items()):
        colour = COLOURS.get(label, STAFF_COLOURS[k % len(STAFF_COLOURS)])
        ax.bar(0, value, bottom=bottom, label=label, color=colour, width=0.6)
        bottom += value
    summary = result.summary
    penalties = _mean(summary, "penalties_gbp")
    if penalties > 0:
        ax.bar(0, penalties, bottom=bottom, label="Penalties", color="white", hatch="//", ec="k")
    names = ["total cost"]
    revenue = _mean(summary, "revenue_gbp")
    if not math.isnan(revenue):
        margin = _mean(summary, "margin_gbp")
        ax.bar(
            1, revenue, width=0.6, color="tab:grey", yerr=_error(summary, "revenue_gbp"), capsize=6
        )
        colour = "tab:green" if margin >= 0 else "tab:red"
        ax.bar(2, margin, width=0.6, color=colour, yerr=_error(summary, "margin_gbp"), capsize=6)
        names += [_revenue_label(result), "margin\n(after penalties)"]
    ax.axhline(0, color="black", linewidth=0.8)
    ax.margins(y=HEADROOM)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("£ over the run (after warm-up)")
    pounds(ax)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.3)


def costs(result: ExperimentResult) -> Figure:
    """Stacked cost breakdown beside revenue and margin; cost per call against the price."""
    scenario = result.scenario
    fig = Figure(figsize=(11, 4.8))
    left, right = fig.subplots(1, 2, width_ratios=[3, 1])
    _stack(left, result)
    left.set_title(
        f"{scenario.name}: cost, revenue and margin ({replications_text(result.replications)})",
        fontsize=10,
        loc="left",
    )
    summary = result.summary
    if "cost_per_call_gbp" in summary.index:
        mean = _mean(summary, "cost_per_call_gbp")
        right.bar([0], [mean], yerr=_error(summary, "cost_per_call_gbp"), capsize=6, width=0.5)
        right.set_xticks([0], ["cost per\nanswered call"])
        right.set_xlim(-0.75, 0.75)
        right.margins(y=HEADROOM)
        price = scenario.costs.price_per_call_gbp
        if price is not None:
            target_line(right, price, f"price £{price:,.2f}")
            right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    right.set_ylabel("£ per answered call")
    right.yaxis.set_major_formatter(lambda v, _: f"£{v:,.2f}")
    right.set_title("Cost per call" + (" (95% CI)" if result.replications > 1 else ""), fontsize=10)
    right.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
