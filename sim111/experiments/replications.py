"""Replications of one scenario: the common case of :func:`~sim111.experiments.sweep.run_points`.

Each replication ``r`` draws from ``RandomStreams(seed, r)`` only, so results
do not depend on how replications are spread over workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Unpack

import pandas as pd

from sim111.engine.records import RunRecords
from sim111.experiments.periods import period_summary
from sim111.experiments.runner import simulate_replication
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.sweep import run_points
from sim111.scenario import Scenario


@dataclass(frozen=True)
class ExperimentResult:
    """The result of :func:`run_experiment`.

    ``kpis``: one row per replication; ``summary``: mean and 95% CI per KPI;
    ``intervals``: interval KPIs, one row per replication x interval;
    ``records``: per-call records of every replication if kept;
    ``failures``: replications that raised (the others are kept);
    ``periods``: KPIs by day, week and month, one row per replication x period
    (:func:`~sim111.measures.periods.period_kpis`; across replications:
    :meth:`period_summary`).
    """

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    records: tuple[RunRecords, ...]
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    _summaries: dict[str, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def period_summary(self, kind: str = "day") -> pd.DataFrame:
        """One row per day, week or month (``kind``): each KPI's mean and 95% CI
        across replications (:func:`~sim111.experiments.periods.period_summary`).
        Worked out once per kind (the headline, tables, CSVs and workbook all ask)."""
        if kind not in self._summaries:
            self._summaries[kind] = period_summary(self.periods, kind)
        return self._summaries[kind]

    @property
    def replications(self) -> int:
        """Number of replications that finished."""
        return len(self.kpis)

    def calls_frame(self) -> pd.DataFrame:
        """Per-call records of all replications in one frame (if kept)."""
        frames = []
        for rec in self.records:
            frame = rec.calls.to_frame(rec.start_date)
            if rec.call_area is not None:
                frame.insert(0, "area", pd.Categorical.from_codes(rec.call_area, rec.area_names))
            frame.insert(0, "replication", rec.replication)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_experiment(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    execution: ExecutionSettings | None = None,
    keep_records: bool = False,
    **keywords: Unpack[ExecutionKeywords],
) -> ExperimentResult:
    """Run ``replications`` replications of ``scenario`` and summarise them.

    ``replications`` and ``seed`` default to the scenario's run settings.
    ``execution`` says where replications run (a local process pool, any
    ``concurrent.futures.Executor``, or a Dask ``distributed.Client``; results
    are identical either way) and whether they are kept on disk, skipping
    those already there: see :class:`~sim111.experiments.settings.ExecutionSettings`.
    Its fields are also accepted as keywords: ``run_experiment(s, 20, workers=2)``.
    ``keep_records`` keeps every replication's per-call records.
    """
    settings = execution_settings(execution, keywords)
    n = scenario.run.replications if replications is None else replications
    base_seed = scenario.run.seed if seed is None else seed
    sweep = run_points(
        [scenario],
        [{}],
        n,
        base_seed,
        execution=settings,
        keep_records=keep_records,
    )
    kpis = sweep.kpis.drop(columns=["point"], errors="ignore")
    summary = sweep.summary.drop(columns=["point"], errors="ignore")
    if not summary.empty:
        summary = summary.set_index("kpi")
    intervals = sweep.intervals.drop(columns=["point"], errors="ignore")
    failures = sweep.failures.drop(columns=["point"], errors="ignore")
    periods = sweep.periods.drop(columns=["point"], errors="ignore")
    return ExperimentResult(
        scenario=scenario,
        seed=base_seed,
        kpis=kpis,
        summary=summary,
        intervals=intervals,
        records=sweep.records,
        failures=failures,
        periods=periods,
    )


def run_replication(
    scenario: Scenario, replication: int, seed: int
) -> tuple[dict[str, float], pd.DataFrame]:
    """KPIs and interval KPIs of one replication (no pool, no store)."""
    kpis, intervals, _ = simulate_replication(scenario, replication, seed, full_records=False)
    return kpis, intervals
