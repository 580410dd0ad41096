"""Replications of a scenario, serially or on a process pool.

Each replication ``r`` draws from ``RandomStreams(seed, r)`` only, so results
do not depend on how replications are spread over workers.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from sim111.costs import cost_kpis
from sim111.intervals import interval_kpis
from sim111.kpis import disposition_counts, kpi_info, replication_kpis
from sim111.model import simulate
from sim111.records import RunRecords
from sim111.scenario import Scenario
from sim111.stats import summarise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicationResult:
    """KPIs of one replication, its interval KPIs and (optionally) its records."""

    replication: int
    kpis: dict[str, float]
    intervals: pd.DataFrame
    records: RunRecords | None


def run_replication(
    scenario: Scenario, replication: int, seed: int, keep_records: bool = False
) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` and compute its KPIs."""
    records = simulate(scenario, replication, seed)
    intervals = interval_kpis(records)
    intervals.insert(0, "replication", replication)
    kpis = replication_kpis(records)
    kpis.update(cost_kpis(scenario, kpis, disposition_counts(records)))
    return ReplicationResult(
        replication,
        kpis,
        intervals,
        records if keep_records else None,
    )


@dataclass(frozen=True)
class ExperimentResult:
    """The result of :func:`run_experiment`.

    ``kpis``: one row per replication; ``summary``: mean and 95% CI per KPI;
    ``intervals``: interval KPIs, one row per replication x interval;
    ``records``: per-call records of every replication if kept.
    """

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    records: tuple[RunRecords, ...]

    @property
    def replications(self) -> int:
        """Number of replications run."""
        return len(self.kpis)

    def calls_frame(self) -> pd.DataFrame:
        """Per-call records of all replications in one frame (if kept)."""
        frames = []
        for rec in self.records:
            frame = rec.calls.to_frame(rec.start_date)
            frame.insert(0, "replication", rec.replication)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def clip_to_range(summary: pd.DataFrame) -> pd.DataFrame:
    """Clip interval ends to each KPI's range (e.g. >= 0; fractions <= 1).

    A t-interval is symmetric, so for a KPI near a bound (a 95th percentile
    wait of a few seconds) it can stray outside the values the KPI can take.
    """
    out = summary.copy()
    for key in out.index:
        kpi = kpi_info(key)
        if kpi.lower is not None:
            out.loc[key, "ci_low"] = max(out.loc[key, "ci_low"], kpi.lower)
        if kpi.unit == "fraction":
            out.loc[key, "ci_high"] = min(out.loc[key, "ci_high"], 1.0)
    return out


def run_experiment(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    keep_records: bool = False,
) -> ExperimentResult:
    """Run ``replications`` replications of ``scenario`` and summarise them.

    ``replications`` and ``seed`` default to the scenario's run settings.
    ``workers > 1`` uses a local process pool; or pass any
    ``concurrent.futures.Executor``. Results are identical either way.
    """
    n = scenario.run.replications if replications is None else replications
    base_seed = scenario.run.seed if seed is None else seed
    if n < 1:
        raise ValueError(f"replications must be >= 1, got {n}")
    reps = range(n)
    args = ([scenario] * n, list(reps), [base_seed] * n, [keep_records] * n)
    if executor is not None:
        results = list(executor.map(run_replication, *args))
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run_replication, *args))
    else:
        results = [run_replication(*a) for a in zip(*args, strict=True)]
    log.info("ran %d replications of %s", n, scenario.name)
    kpis = pd.DataFrame([{"replication": r.replication, **r.kpis} for r in results])
    intervals = pd.concat([r.intervals for r in results], ignore_index=True)
    return ExperimentResult(
        scenario=scenario,
        seed=base_seed,
        kpis=kpis,
        summary=clip_to_range(summarise(kpis)),
        intervals=intervals,
        records=tuple(r.records for r in results if r.records is not None),
    )
