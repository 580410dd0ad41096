"""The call-back feedback loop over Easter 2013: the figure in the README and its numbers.

    PYTHONPATH=. python docs/figures/feedback_loop.py   # ~10 s on 2 cores

Runs scenarios/easter-2013.toml three ways, on the same callers (common random
numbers): callers who wait quietly however long a call-back takes (call-back
patience off), callers who stop waiting but never ring 111 again (they go to
A&E, dial 999 or give up), and the scenario as it is, where most ring again.
Writes docs/figures/easter-2013-feedback-loop.png and prints the numbers the
README quotes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd

from sim111 import load_scenario, run_experiment
from sim111.outputs.feedback import callback_backlog

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parents[1] / "scenarios" / "easter-2013.toml"
PNG = HERE / "easter-2013-feedback-loop.png"
REPLICATIONS, SEED, WORKERS, DPI = 5, 2013, 2, 100
NEVER = {"kind": "never"}
KPIS = [
    "calls_offered",
    "repeat_calls",
    "callbacks_abandoned",
    "callback_gave_up",
    "callback_went_to_ed",
    "callback_dialled_999",
    "answered_within_60s",
    "abandoned_after_30s",
    "mean_awaiting_clinician",
    "mean_callback_min",
    "p95_callback_min",
    "max_callback_min",
    "self_referral_cost_gbp",
    "cost_per_call_gbp",
]


def variants():
    """The three ways callers may wait, labelled for the figure."""
    easter = load_scenario(SCENARIO)
    return {
        "wait quietly (call-back patience off)": easter.with_overrides(
            {"clinical.waiting.patience": NEVER, "clinical.priorities.0.callback_patience": NEVER}
        ),
        "stop waiting, never ring again": easter.with_overrides(
            {
                "clinical.waiting.then.ring_again": 0.0,
                "clinical.priorities.0.when_patience_runs_out.ring_again": 0.0,
            }
        ),
        "stop waiting, most ring again (as the scenario is)": easter,
    }


def per_day(result) -> pd.DataFrame:
    """Calls offered and abandoned, repeat calls and the backlog's peak, per day."""
    calls = result.calls_frame()
    day = calls["arrival_time"].dt.strftime("%a %d %b")
    repeat = (calls["repeat_of"] >= 0) & (calls["attempt"] == 0)
    n = result.replications
    frame = pd.DataFrame(
        {
            "offered": calls.groupby(day).size() / n,
            "abandoned": calls[calls["outcome"] == "abandoned"].groupby(day).size() / n,
            "repeat calls": calls[repeat].groupby(day).size() / n,
        }
    ).fillna(0)
    hourly = calls[repeat].groupby([calls["arrival_time"].dt.floor("h")]).size() / n
    frame["peak repeat calls in an hour"] = (
        hourly.groupby(hourly.index.strftime("%a %d %b")).max() if len(hourly) else 0.0
    )
    iv = result.intervals
    peak = iv.groupby("interval_start")["awaiting_clinician"].mean()
    frame["peak backlog (half-hour mean)"] = peak.groupby(peak.index.strftime("%a %d %b")).max()
    order = sorted(frame.index, key=lambda d: pd.Timestamp(d + " 2013"))
    return frame.loc[order].fillna(0).round(1)


def main() -> None:
    """Run the three variants, write the PNG, print the numbers."""
    logging.basicConfig(level=logging.WARNING)
    results = {
        label: run_experiment(s, REPLICATIONS, SEED, keep_records=True, workers=WORKERS)
        for label, s in variants().items()
    }
    fig = callback_backlog(*results.values(), labels=list(results))
    fig.savefig(PNG, dpi=DPI)
    summary = pd.DataFrame({label: r.summary["mean"] for label, r in results.items()})
    pd.set_option("display.width", 200)
    out = sys.stdout
    out.write(f"{PNG.name}: {PNG.stat().st_size / 1024:.0f} KB\n\n")
    out.write(summary.loc[KPIS].round(3).to_string() + "\n")
    for label, result in results.items():
        out.write(f"\n{label}\n{per_day(result).to_string()}\n")


if __name__ == "__main__":
    main()
