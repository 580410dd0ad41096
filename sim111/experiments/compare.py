"""Side-by-side comparison of scenarios with common random numbers.

Every scenario runs replications ``0..N-1`` with the same seed, so replication
``r`` of each meets the same callers. The difference of a KPI between a
scenario and the first (the baseline) is taken replication by replication and
summarised with a paired t-interval — far tighter than comparing two separate
intervals, and exactly zero when a scenario is compared with itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Unpack

import numpy as np
import pandas as pd

from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.stats import t_interval
from sim111.scenario import Scenario


@dataclass(frozen=True)
class Comparison:
    """Results of each scenario and the paired differences from the first."""

    results: tuple[ExperimentResult, ...]
    differences: pd.DataFrame  # scenario, kpi, baseline, mean, difference, ci_low, ci_high


def paired_differences(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per KPI: mean of (other - base) by replication, with a 95% t-interval."""
    rows = []
    merged = base.merge(other, on="replication", suffixes=("_a", "_b"))
    for key in base.columns:
        if key == "replication" or f"{key}_b" not in merged:
            continue
        diff = merged[f"{key}_b"].to_numpy(float) - merged[f"{key}_a"].to_numpy(float)
        mean, low, high = t_interval(diff)
        if np.all(diff[~np.isnan(diff)] == 0) and (~np.isnan(diff)).any():
            low = high = 0.0  # identical by construction: no spread to estimate
        rows.append(
            {
                "kpi": key,
                "baseline": float(np.nanmean(merged[f"{key}_a"]))
                if merged[f"{key}_a"].notna().any()
                else np.nan,
                "mean": float(np.nanmean(merged[f"{key}_b"]))
                if merged[f"{key}_b"].notna().any()
                else np.nan,
                "difference": mean,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


def compare(
    scenarios: list[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> Comparison:
    """Run every scenario with common random numbers; differences are from the first.

    ``execution`` (or its fields as keywords) is passed to every
    :func:`~sim111.experiments.replications.run_experiment`.
    """
    settings = execution_settings(execution, keywords)
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    reps = replications or scenarios[0].run.replications
    base_seed = scenarios[0].run.seed if seed is None else seed
    results = tuple(run_experiment(s, reps, base_seed, execution=settings) for s in scenarios)
    frames = []
    for k, result in enumerate(results[1:], start=1):
        diff = paired_differences(results[0].kpis, result.kpis)
        diff.insert(0, "scenario", f"{k}: {result.scenario.name}")
        frames.append(diff)
    return Comparison(results, pd.concat(frames, ignore_index=True))
