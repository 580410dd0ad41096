"""Replications of one scenario: the common case of :mod:`sim111.experiments.sweep`.

Each replication ``r`` draws from ``RandomStreams(seed, r)`` only, so results
do not depend on how replications are spread over workers.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.engine.records import RunRecords
from sim111.experiments.store import ResultStore
from sim111.experiments.sweep import run_points
from sim111.scenario import Scenario


@dataclass(frozen=True)
class ExperimentResult:
    """The result of :func:`run_experiment`.

    ``kpis``: one row per replication; ``summary``: mean and 95% CI per KPI;
    ``intervals``: interval KPIs, one row per replication x interval;
    ``records``: per-call records of every replication if kept;
    ``failures``: replications that raised (the others are kept).
    """

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    records: tuple[RunRecords, ...]
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def replications(self) -> int:
        """Number of replications that finished."""
        return len(self.kpis)

    def calls_frame(self) -> pd.DataFrame:
        """Per-call records of all replications in one frame (if kept)."""
        frames = []
        for rec in self.records:
            frame = rec.calls.to_frame(rec.start_date)
            frame.insert(0, "replication", rec.replication)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_experiment(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    client: Any = None,
    store: str | Path | ResultStore | None = None,
    progress: bool | None = None,
    keep_records: bool = False,
) -> ExperimentResult:
    """Run ``replications`` replications of ``scenario`` and summarise them.

    ``replications`` and ``seed`` default to the scenario's run settings.
    ``workers > 1`` uses a local process pool; or pass any
    ``concurrent.futures.Executor``, or a Dask ``distributed.Client``. Results
    are identical either way. ``store`` (a folder) keeps every finished
    replication on disk and skips those already there.
    """
    n = scenario.run.replications if replications is None else replications
    base_seed = scenario.run.seed if seed is None else seed
    sweep = run_points(
        [scenario],
        [{}],
        n,
        base_seed,
        workers=workers,
        executor=executor,
        client=client,
        store=store,
        progress=progress,
        keep_records=keep_records,
    )
    kpis = sweep.kpis.drop(columns=["point"], errors="ignore")
    summary = sweep.summary.drop(columns=["point"], errors="ignore")
    if not summary.empty:
        summary = summary.set_index("kpi")
    intervals = sweep.intervals.drop(columns=["point"], errors="ignore")
    failures = sweep.failures.drop(columns=["point"], errors="ignore")
    return ExperimentResult(
        scenario=scenario,
        seed=base_seed,
        kpis=kpis,
        summary=summary,
        intervals=intervals,
        records=sweep.records,
        failures=failures,
    )


def run_replication(
    scenario: Scenario, replication: int, seed: int
) -> tuple[dict[str, float], pd.DataFrame]:
    """KPIs and interval KPIs of one replication (no pool, no store)."""
    from sim111.experiments.sweep import simulate_replication

    kpis, intervals, _ = simulate_replication(scenario, replication, seed)
    return kpis, intervals
