"""Small seed-pinned runs whose KPIs are kept as golden files.

Regenerate after an intended change of results with::

    python -m tests.regression.regenerate

and say in the commit message why the numbers moved.
"""

from __future__ import annotations

from pathlib import Path

from sim111.experiments.replications import run_experiment
from sim111.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


def cases() -> dict[str, tuple[Scenario, int, int]]:
    """name -> (scenario, replications, seed)."""
    scenarios = ROOT / "scenarios"
    return {
        "typical-area-2days": (
            load_scenario(scenarios / "typical-area.toml").with_overrides({"run.days": 2}),
            3,
            1,
        ),
        # overflow to a provider and downstream services with urgency classes
        "nhs-direct-contingency-2days": (
            load_scenario(scenarios / "nhs-direct-contingency.toml").with_overrides(
                {"run.days": 2}
            ),
            2,
            1,
        ),
        "erlang-a-1day": (
            load_scenario(scenarios / "validation" / "erlang-a.toml").with_overrides(
                {"run.days": 1}
            ),
            3,
            1,
        ),
    }


def run_case(name: str) -> dict[str, object]:
    """KPIs per replication and interval totals of one case, as plain data."""
    scenario, reps, seed = cases()[name]
    result = run_experiment(scenario, replications=reps, seed=seed)
    intervals = result.intervals.groupby("replication")[
        ["calls_offered", "calls_answered", "calls_abandoned"]
    ].sum()
    return {
        "kpis": result.kpis.to_dict(orient="records"),
        "interval_totals": intervals.reset_index().to_dict(orient="records"),
    }
