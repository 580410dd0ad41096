"""Back-testing: a scenario simulated in each observed period, against what was observed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Unpack

import pandas as pd

from sim111.calibration.observed import Observations
from sim111.calibration.periods import observed_calls_per_day, period_scenarios, period_seed
from sim111.errors import ScenarioError
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.sweep import run_points
from sim111.kpi_keys import kpi_info
from sim111.scenario import Scenario

VOLUME_KEY = "calls_offered_per_day"
COLUMNS = (
    "period",
    "kpi",
    "observed",
    "simulated",
    "ci_low",
    "ci_high",
    "difference",
    "within_ci",
)


@dataclass(frozen=True)
class Backtest:
    """Simulated against observed, one row per (period, KPI).

    ``table`` columns: ``period`` (``start..end``), ``kpi``, ``observed``,
    ``simulated`` (mean over replications), ``ci_low``/``ci_high`` (95% CI of
    the simulated mean), ``difference`` (simulated - observed) and
    ``within_ci``. Fractions are fractions (0.95), not percentages. The row
    ``calls_offered_per_day`` checks the volume the period was scaled to.
    """

    scenario: Scenario
    observations: Observations
    replications: int
    seed: int
    table: pd.DataFrame
    failures: pd.DataFrame

    def worst(self, kpi: str) -> float:
        """The largest absolute difference for ``kpi`` over the periods."""
        rows = self.table[self.table["kpi"] == kpi]
        return float(rows["difference"].abs().max()) if len(rows) else float("nan")


def comparison_rows(
    observations: Observations,
    scenario: Scenario,
    summary: pd.DataFrame,
) -> pd.DataFrame:
    """Observed beside simulated (``summary``: long form with ``point``, one point per period)."""
    rows = []
    for p, period in enumerate(observations.periods):
        mine = summary[summary["point"] == p].set_index("kpi")  # every period has some
        wanted = dict(period.kpis)
        volume = observed_calls_per_day(scenario, period)
        if volume is not None and "calls_offered" in mine.index:
            days = period.days
            wanted[VOLUME_KEY] = volume
            mine.loc[VOLUME_KEY] = mine.loc["calls_offered", ["mean", "ci_low", "ci_high"]] / days
        for kpi, observed in wanted.items():
            mean, low, high = (
                mine.loc[kpi, ["mean", "ci_low", "ci_high"]]
                if kpi in mine.index
                else [float("nan")] * 3
            )
            rows.append(
                {
                    "period": period.label,
                    "kpi": kpi,
                    "observed": observed,
                    "simulated": float(mean),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "difference": float(mean) - observed,
                    "within_ci": bool(low <= observed <= high),
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def backtest(
    scenario: Scenario,
    observations: Observations,
    replications: int | None = None,
    seed: int | None = None,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> Backtest:
    """Simulate ``scenario`` in every observed period and set it beside the observations.

    Each period is simulated in full, at the period's observed volume scaled to the
    scenario's population (:mod:`~sim111.calibration.periods`), with the same
    replications and seed (common random numbers). ``execution`` (or its keywords,
    ``workers=2``) says where replications run, as for
    :func:`~sim111.experiments.replications.run_experiment`.
    """
    settings = execution_settings(execution, keywords)
    n = scenario.run.replications if replications is None else replications
    base_seed = scenario.run.seed if seed is None else seed
    placed = period_scenarios(scenario, observations.periods)
    sweep = run_points(
        [s for _, s in placed],
        [{"period": p.label} for p, _ in placed],
        n,
        base_seed,
        execution=settings,
        point_seeds=[period_seed(base_seed, p) for p in range(len(placed))],
    )
    failed_periods = sorted(set(range(len(placed))) - set(sweep.kpis.get("point", [])))
    if failed_periods:
        period = placed[failed_periods[0]][0]
        first = sweep.failures[sweep.failures["point"] == failed_periods[0]]["error"].iloc[0]
        raise ScenarioError(
            f"{observations.source}: every replication of period {period.label} failed: "
            f"{first.splitlines()[0]}"
        )
    table = comparison_rows(observations, scenario, sweep.summary)
    return Backtest(scenario, observations, n, base_seed, table, sweep.failures)


def percent_points(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with fraction KPIs shown in percent (for printing)."""
    out = table.copy()
    fraction = out["kpi"].map(lambda k: kpi_info(k).unit == "fraction")
    for column in ("observed", "simulated", "ci_low", "ci_high", "difference"):
        out.loc[fraction, column] = out.loc[fraction, column] * 100
    return out
