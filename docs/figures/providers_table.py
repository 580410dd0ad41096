"""Who should run it: the provider-type table in docs/providers.md.

    PYTHONPATH=. python docs/figures/providers_table.py   # a few seconds on 2 cores

Runs the typical area and scenarios/providers/*.toml (the typical area under each
provider type: same demand, same advisors, same clinician hours) with 10
replications each on the typical area's seed, so every scenario meets the same
callers (common random numbers, as `sim111 compare` runs them), and prints a
Markdown table of each KPI's mean and 95% confidence interval, side by side.
"""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path

from sim111 import load_scenario, run_experiment
from sim111.outputs.formatting import gbp

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "typical area (reference)": ROOT / "scenarios" / "typical-area.toml",
    "ambulance trust": ROOT / "scenarios" / "providers" / "ambulance-trust.toml",
    "GP OOH co-operative": ROOT / "scenarios" / "providers" / "gp-ooh-cooperative.toml",
    "NHS Direct": ROOT / "scenarios" / "providers" / "nhs-direct.toml",
    "commercial": ROOT / "scenarios" / "providers" / "commercial.toml",
}
REPLICATIONS, WORKERS = 10, 2
ROWS = {  # KPI key: label and unit (fraction, min, count, GBP)
    "answered_within_60s": ("Answered within 60 s (of answered)", "fraction"),
    "abandoned_after_30s": ("Abandoned after 30 s (of offered)", "fraction"),
    "warm_transfer_share": ("Warm transfers (of clinical)", "fraction"),
    "callback_within_10min": ("Call-backs made within 10 min (NHS)", "fraction"),
    "callback_reached_within_10min": ("Call-backs reached within 10 min", "fraction"),
    "callback_within_target_urgent": ("Urgent call-backs within 20 min", "fraction"),
    "mean_callback_min": ("Mean call-back wait (min)", "min"),
    "p95_callback_min": ("95th percentile call-back wait (min)", "min"),
    "callbacks_abandoned": ("Stopped waiting for a call-back", "fraction"),
    "clinician_utilisation": ("Clinician utilisation", "fraction"),
    "paid_clinician_hours": ("Paid clinician hours (week)", "count"),
    "downstream_gp_ooh_base_mean_wait_min": ("GP OOH base: mean wait (min)", "min"),
    "downstream_gp_ooh_telephone_cases": ("GP OOH second telephone triage (cases)", "count"),
    "staff_cost_gbp": ("Direct staff cost (week)", "GBP"),
    "overhead_gbp": ("Overheads (week)", "GBP"),
    "cost_per_call_gbp": ("**Cost per answered call**", "GBP"),
    "cost_per_clinical_contact_gbp": ("Clinician cost per clinical contact", "GBP"),
    "margin_per_call_gbp": ("Margin per call at £8.00", "GBP"),
}


def show(x: float, unit: str) -> str:
    """One value as the docs show it."""
    if math.isnan(x):
        return "-"
    if unit == "fraction":
        return f"{x:.1%}"
    if unit == "GBP":
        return gbp(x)
    return f"{x:,.0f}" if unit == "count" else f"{x:,.1f}"


def cell(summary, key: str, unit: str) -> str:
    """``mean (low–high)``, or the mean alone when the interval has no width."""
    if key not in summary.index:
        return "-"
    mean, low, high = (float(summary.loc[key, c]) for c in ("mean", "ci_low", "ci_high"))
    text = show(mean, unit)
    if not math.isnan(low) and show(low, unit) != show(high, unit):
        text += f" ({show(low, unit)}–{show(high, unit)})"
    return text


def main() -> None:
    """Run the five scenarios and print the Markdown table."""
    logging.basicConfig(level=logging.WARNING)
    results = {
        label: run_experiment(load_scenario(path), REPLICATIONS, workers=WORKERS)
        for label, path in SCENARIOS.items()
    }
    seeds = {r.seed for r in results.values()}
    out = sys.stdout
    out.write(f"{REPLICATIONS} replications each, seed {seeds.pop()}; mean (95% CI)\n\n")
    out.write("| KPI | " + " | ".join(results) + " |\n")
    out.write("|---" + "|---:" * len(results) + "|\n")
    for key, (label, unit) in ROWS.items():
        cells = [cell(r.summary, key, unit) for r in results.values()]
        out.write(f"| {label} | " + " | ".join(cells) + " |\n")


if __name__ == "__main__":
    main()
