"""Contract structures side by side: tables, the economies-of-scale figure, a report.

Functions of the frames :mod:`sim111.planning.contracts` makes (one row per
contract, one per structure); nothing here runs the model.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim111.outputs.charts_axes import plain_text
from sim111.outputs.formatting import gbp, render_table

STRUCTURE_NAMES = {
    "area": "each area its own contract",
    "contract": "the scenario's contracts",
    "region": "one contract per region",
    "all": "one national contract",
    "uniform": "as the scenario shares, rosters x {factor:.2f}",
    "per_area": "as the scenario shares, each area's own factor",
    "per_area_apart": "areas apart, each area's own factor",
}
MARKERS = {"area": "o", "contract": "s", "region": "D", "all": "*"}


def structures_table(totals: pd.DataFrame) -> str:
    """Plain text: one row per structure, the cost of meeting the targets everywhere."""
    rows = [
        [
            "structure",
            "contracts",
            "all met",
            "advisors on duty",
            "advisor hours",
            "total cost",
            "cost per answered call",
        ]
    ]
    for r in totals.itertuples(index=False):
        name = STRUCTURE_NAMES.get(r.structure, r.structure)
        rows.append(
            [
                name.format(factor=getattr(r, "factor", math.nan)),
                f"{r.contracts}",
                "yes" if r.all_met else "NO",
                f"{r.mean_advisors_on_duty:,.0f}",
                f"{r.paid_advisor_hours:,.0f}",
                gbp(r.total_cost_gbp),
                gbp(r.cost_per_call_gbp),
            ]
        )
    return render_table(rows)


def contracts_table(frame: pd.DataFrame) -> str:
    """Plain text: one row per contract, largest first within each structure."""
    rows = [
        [
            "structure",
            "contract",
            "areas",
            "people",
            "met",
            "<=60 s",
            "abandoned >30 s",
            "advisors on duty",
            "cost per answered call",
        ]
    ]
    ordered = frame.sort_values(["structure", "population"], ascending=[True, False], kind="stable")
    for r in ordered.itertuples(index=False):
        rows.append(
            [
                r.structure,
                r.contract,
                f"{r.areas}",
                f"{r.population:,}",
                "yes" if r.met else "NO",
                f"{r.answered_within_60s:.1%}",
                f"{r.abandoned_after_30s:.1%}",
                f"{r.mean_advisors_on_duty:,.1f}",
                gbp(r.cost_per_call_gbp),
            ]
        )
    return render_table(rows, left=2)


def per_area_table(frame: pd.DataFrame) -> str:
    """Plain text: each area's roster factor and KPIs under the uniform factor, its own
    factor with the scenario's sharing, and its own factor with the areas apart."""
    rows = [
        [
            "structure",
            "area",
            "factor",
            "<=60 s",
            "abandoned >30 s",
            "advisors on duty",
            "total cost",
            "aid calls sent",
            "aid calls taken",
        ]
    ]
    for r in frame.itertuples(index=False):
        name = STRUCTURE_NAMES.get(str(r.structure), str(r.structure))
        rows.append(
            [
                name.format(factor=r.factor),
                str(r.area),
                f"{r.factor:.3f}",
                f"{r.answered_within_60s:.1%}",
                f"{r.abandoned_after_30s:.1%}",
                f"{r.mean_advisors_on_duty:,.1f}",
                gbp(r.total_cost_gbp),
                "" if math.isnan(r.mutual_aid_calls_sent) else f"{r.mutual_aid_calls_sent:,.0f}",
                "" if math.isnan(r.mutual_aid_calls_taken) else f"{r.mutual_aid_calls_taken:,.0f}",
            ]
        )
    return render_table(rows, left=2)


@plain_text
def economies_of_scale(frame: pd.DataFrame, title: str = "") -> Figure:
    """Cost per answered call against contract population, one marker per structure."""
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    for structure, group in frame.groupby("structure", sort=False):
        ax.scatter(
            group["population"] / 1e6,
            group["cost_per_call_gbp"],
            marker=MARKERS.get(str(structure), "o"),
            s=70 if structure == "all" else 30,
            label=STRUCTURE_NAMES.get(str(structure), str(structure)),
            zorder=3,
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_xlabel("Contract population (millions, log scale)")
    ax.set_ylabel("Cost per answered call (£)")
    ax.grid(True, which="both", alpha=0.3)
    top = float(np.nanmax(frame["cost_per_call_gbp"])) if len(frame) else 1.0
    ax.set_ylim(0, top * 1.1)
    ax.legend(frameon=False)
    ax.set_title(title or "Cost per answered call of the cheapest roster meeting the targets")
    fig.tight_layout()
    return fig


def contracts_report_html(
    name: str, targets_text: str, frame: pd.DataFrame, totals: pd.DataFrame, png: bytes
) -> str:
    """A self-contained HTML page: the structures, the figure and every contract."""

    def table(text: str) -> str:
        return f"<pre>{html.escape(text)}</pre>"

    image = base64.b64encode(png).decode()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sim111 contract structures: {html.escape(name)}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; }}
pre {{ font-size: 0.85em; }} img {{ max-width: 100%; }}</style></head>
<body>
<h1>Contract structures: {html.escape(name)}</h1>
<p>Generated by sim111 on {dt.date.today():%d %B %Y}. Each contract is one virtual call
centre, staffed with the cheapest advisor roster whose simulated KPIs meet the targets
({html.escape(targets_text)}) at the worst end of their 95% intervals; clinicians as
rostered. Costs include overheads; cost per answered call is total cost over calls
answered, all contracts of a structure together.</p>
<h2>Structures</h2>
{table(structures_table(totals))}
<h2>Economies of scale</h2>
<figure><img alt="economies of scale" src="data:image/png;base64,{image}">
<figcaption>Cost per answered call against contract population.</figcaption></figure>
<h2>Every contract</h2>
{table(contracts_table(frame))}
</body></html>
"""
