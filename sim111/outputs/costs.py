"""The cost of a scenario's rosters, group by group: a frame and a plain-text table.

A function of the scenario alone (paid hours x rates x uplifts, on-costs,
shrinkage, overheads): ``sim111 price`` and ``sim111 staff`` print it.
"""

from __future__ import annotations

import math

import pandas as pd

from sim111.measures.costs import staff_costs
from sim111.outputs.formatting import render_table
from sim111.scenario import Scenario


def cost_breakdown(scenario: Scenario) -> pd.DataFrame:
    """Paid hours and cost per staff group over the KPI window, plus overheads."""
    rows = [
        {
            "group": c.group,
            "paid_hours": c.paid_hours,
            "basic_gbp": c.basic_gbp,
            "uplift_gbp": c.uplift_gbp,
            "on_cost_gbp": c.on_cost_gbp,
            "shrinkage_gbp": c.shrinkage_gbp,
            "total_gbp": c.total_gbp,
        }
        for c in staff_costs(scenario)
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    direct = frame["total_gbp"].sum()
    overhead = {"group": "overheads", "total_gbp": direct * scenario.costs.overhead_share}
    total = {
        "group": "total",
        "paid_hours": frame["paid_hours"].sum(),
        "total_gbp": direct + overhead["total_gbp"],
    }
    return pd.concat([frame, pd.DataFrame([overhead, total])], ignore_index=True)


def cost_table(scenario: Scenario) -> str:
    """The cost breakdown as plain text."""
    frame = cost_breakdown(scenario)
    if frame.empty:
        return "No staff group has pay set: nothing to cost."
    columns = ["paid_hours", "basic_gbp", "uplift_gbp", "on_cost_gbp", "shrinkage_gbp", "total_gbp"]
    heads = ["group", "paid hours", "basic", "uplifts", "on-costs", "shrinkage", "total"]
    rows = [heads]
    for _, r in frame.iterrows():
        cells = [str(r["group"])]
        for c in columns:
            v = r.get(c)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                cells.append("")
            else:
                cells.append(f"{v:,.0f}" if c == "paid_hours" else f"£{v:,.0f}")
        rows.append(cells)
    return render_table(rows)
