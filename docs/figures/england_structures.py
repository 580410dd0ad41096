"""England's 44 contract areas under four structures: the README's numbers and figure.

    PYTHONPATH=. python docs/figures/england_structures.py   # ~2 min on 2 cores

1. Simulates scenarios/england-2014/{apart,regional,national,mutual-aid}.toml on
   the same callers (common random numbers: each area draws from its own
   streams) and prints the whole's KPIs, the spread between areas and the
   paired differences from the 44 contracts apart.
2. Staffs every contract of three structures (each area, each region, England)
   to 95% answered in 60 s and 5% abandoned after 30 s (``sim111 contracts``),
   prints advisors and cost per answered call, and writes
   docs/figures/england-economies-of-scale.png.
3. For the structures whose areas help each other, the smallest factor on every
   area's advisor roster at which every area meets the same targets with that
   sharing (``sim111 contracts --uniform``): apart, mutual aid, regional pools.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd

from sim111 import load_scenario
from sim111.experiments.compare import compare
from sim111.outputs.contracts import economies_of_scale, structures_table
from sim111.planning.contracts import plan_structure, plans_frame, structure_totals
from sim111.planning.staffing import StaffingTargets
from sim111.planning.uniform import smallest_uniform_factor

HERE = Path(__file__).resolve().parent
FOLDER = HERE.parents[1] / "scenarios" / "england-2014"
VARIANTS = ("apart", "regional", "national", "mutual-aid")
PNG = HERE / "england-economies-of-scale.png"
REPLICATIONS, WORKERS, DPI = 10, 2, 100
KPIS = [
    "answered_within_60s",
    "abandoned_after_30s",
    "callback_within_10min",
    "worst_area.answered_within_60s",
    "worst_area.abandoned_after_30s",
    "areas_missing.answered_within_60s",
    "answered_by_other_area",
    "cost_per_call_gbp",
]


def main() -> None:
    """Compare the structures, staff them, write the figure, print the numbers."""
    logging.basicConfig(level=logging.WARNING)
    out = sys.stdout
    scenarios = [load_scenario(FOLDER / f"{v}.toml") for v in VARIANTS]
    comparison = compare(scenarios, REPLICATIONS, workers=WORKERS)
    pd.set_option("display.width", 200)
    means = pd.DataFrame({r.scenario.name: r.summary.loc[KPIS, "mean"] for r in comparison.results})
    out.write(f"{means.round(4).to_string()}\n\n")
    diffs = comparison.differences
    shown = diffs[diffs["kpi"].isin(KPIS)][["scenario", "kpi", "mean", "ci_low", "ci_high"]]
    out.write(f"{shown.round(4).to_string(index=False)}\n\n")
    targets = StaffingTargets(answered_within_60s=0.95, abandoned_after_30s=0.05, replications=5)
    plans = []
    for structure in ("area", "region", "all"):
        plans += plan_structure(scenarios[0], structure, targets, workers=WORKERS)
    frame = plans_frame(plans)
    out.write(structures_table(structure_totals(frame)) + "\n\n")
    missed = frame[~frame["met"]]
    shown = ["structure", "contract", "answered_within_60s", "abandoned_after_30s", "iterations"]
    out.write(f"not met at the worst end of their interval:\n{missed[shown].to_string()}\n\n")
    areas = frame[frame["structure"] == "area"].sort_values("population")
    out.write(f"{areas[['contract', 'population', 'cost_per_call_gbp']].to_string()}\n")
    fig = economies_of_scale(
        frame, "England, October 2014: cost per answered call at 95% in 60 s, 5% abandoned"
    )
    fig.savefig(PNG, dpi=DPI)
    out.write(f"wrote {PNG}\n\n")
    for k in (0, 3, 1):  # apart, mutual aid, regional pools: the rule's rosters x f
        plan = smallest_uniform_factor(scenarios[k], targets, low=0.5, high=2.0, workers=WORKERS)
        out.write(
            f"{VARIANTS[k]}: rosters x {plan.factor:.3f}: "
            f"{plan.kpi('mean_advisors_on_duty'):.1f} advisors on duty, "
            f"£{plan.kpi('cost_per_call_gbp'):.2f} per answered call, worst area "
            f"{plan.kpi('worst_area.answered_within_60s'):.4f} within 60 s\n"
        )


if __name__ == "__main__":
    main()
