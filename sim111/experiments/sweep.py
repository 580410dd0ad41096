"""Many replications of many scenario points: sweeps, executors, durable results.

Every point of a sweep runs replications ``0..R-1`` with the same seed, and a
replication's random streams depend only on (seed, replication): the points
meet the same callers (common random numbers), so differences between points
come from the parameters. Work is spread over any ``concurrent.futures``
executor (a local process pool by default, or a Dask cluster through
``distributed.Client.get_executor()``); results are collected as they finish,
written to an optional :class:`~sim111.experiments.store.ResultStore`, and sorted, so they
are identical however they were computed.
"""

from __future__ import annotations

import itertools
import logging
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim111.engine.centre import simulate
from sim111.engine.records import RunRecords
from sim111.experiments.stats import summarise
from sim111.experiments.store import ResultStore, replication_keys
from sim111.kpi_keys import kpi_info
from sim111.measures.costs import cost_kpis
from sim111.measures.intervals import interval_kpis
from sim111.measures.kpis import disposition_counts, replication_kpis
from sim111.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one replication returned: its KPIs and interval KPIs, or an error."""

    point: int
    replication: int
    kpis: dict[str, float] | None
    intervals: pd.DataFrame | None
    error: str | None = None
    records: RunRecords | None = None


def simulate_replication(
    scenario: Scenario, replication: int, seed: int
) -> tuple[dict[str, float], pd.DataFrame, RunRecords]:
    """KPIs (operational and cost), interval KPIs and records of one replication."""
    records = simulate(scenario, replication, seed)
    kpis = replication_kpis(records)
    kpis.update(cost_kpis(scenario, kpis, disposition_counts(records)))
    return kpis, interval_kpis(records), records


def _task(
    scenario: Scenario, point: int, replication: int, seed: int, keep_records: bool = False
) -> Outcome:
    try:
        kpis, intervals, records = simulate_replication(scenario, replication, seed)
    except Exception as err:
        text = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}"
        return Outcome(point, replication, None, None, text)
    return Outcome(point, replication, kpis, intervals, None, records if keep_records else None)


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of a ``{"dotted.key": [values]}`` grid, in order."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


def clip_to_range(summary: pd.DataFrame) -> pd.DataFrame:
    """Clip interval ends to each KPI's range (e.g. >= 0; fractions <= 1).

    A t-interval is symmetric, so for a KPI near a bound (a 95th percentile
    wait of a few seconds) it can stray outside the values the KPI can take.
    """
    out = summary.copy()
    infos = [kpi_info(key) for key in out.index]
    lower = np.array([-np.inf if k.lower is None else k.lower for k in infos], dtype=float)
    upper = np.array([1.0 if k.unit == "fraction" else np.inf for k in infos])
    # np.maximum/np.minimum keep NaN (a KPI with no data) as NaN
    out["ci_low"] = np.maximum(out["ci_low"].to_numpy(dtype=float), lower)
    out["ci_high"] = np.minimum(out["ci_high"].to_numpy(dtype=float), upper)
    return out


@dataclass
class SweepResult:
    """Tidy results of a sweep.

    ``kpis``: one row per point x replication, with the swept values as columns;
    ``summary``: mean and 95% CI per point and KPI (long form);
    ``intervals``: interval KPIs per point x replication x interval;
    ``failures``: replications that raised, with their parameters and the error.
    """

    points: list[dict[str, Any]]
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: tuple[RunRecords, ...] = ()

    def wide_summary(self, stat: str = "mean") -> pd.DataFrame:
        """One row per point, one column per KPI, holding ``stat`` (mean/ci_low/ci_high)."""
        keys = [
            k
            for k in self.summary.columns
            if k not in ("point", "kpi", "mean", "ci_low", "ci_high", "n")
        ]
        return self.summary.pivot_table(
            index=["point", *keys], columns="kpi", values=stat
        ).reset_index()


def _executor(workers: int, executor: Executor | None, client: Any) -> tuple[Executor | None, bool]:
    if client is not None:
        return client.get_executor(), False
    if executor is not None:
        return executor, False
    if workers > 1:
        return ProcessPoolExecutor(max_workers=workers), True
    return None, False


def run_points(
    scenarios: Sequence[Scenario],
    points: Sequence[dict[str, Any]],
    replications: int,
    seed: int,
    workers: int = 1,
    executor: Executor | None = None,
    client: Any = None,
    store: str | Path | ResultStore | None = None,
    progress: bool | None = None,
    keep_records: bool = False,
) -> SweepResult:
    """Run ``replications`` of each scenario; the engine under run_experiment and run_sweep.

    With ``keep_records`` every replication is simulated (the store holds no
    per-call records) and ``SweepResult.records`` holds them.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    db = ResultStore(store) if isinstance(store, str | Path) else store
    done = db.keys() if db is not None else set()
    outcomes: list[Outcome] = []
    todo: list[tuple[int, int, str]] = []
    for p, scenario in enumerate(scenarios):
        # store keys hash the whole scenario: only worth computing with a store
        keys = [""] * replications
        if db is not None:
            keys = replication_keys(scenario, seed, range(replications))
        for r, key in enumerate(keys):
            cached = db.get(key) if db is not None and key in done and not keep_records else None
            if cached is not None:
                outcomes.append(Outcome(p, r, cached[0], cached[1]))
            else:
                todo.append((p, r, key))
    if outcomes:
        log.info("%d replications found in the store, %d to run", len(outcomes), len(todo))
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(todo), disable=not show or not todo, unit="rep", desc="replications")

    def finish(outcome: Outcome, key: str) -> None:
        outcomes.append(outcome)
        if db is not None and outcome.kpis is not None and outcome.intervals is not None:
            db.put(
                key,
                scenarios[outcome.point].name,
                seed,
                outcome.replication,
                dict(points[outcome.point]),
                outcome.kpis,
                outcome.intervals,
            )
        bar.update()

    pool, owned = _executor(workers, executor, client)
    with ExitStack() as stack:
        stack.callback(bar.close)
        if pool is None:
            for p, r, key in todo:
                finish(_task(scenarios[p], p, r, seed, keep_records), key)
        else:
            if owned:
                stack.enter_context(pool)
            futures: dict[Future[Outcome], str] = {
                pool.submit(_task, scenarios[p], p, r, seed, keep_records): key
                for p, r, key in todo
            }
            for future in as_completed(futures):
                finish(future.result(), futures[future])
    return _assemble(points, seed, outcomes)


def _assemble(
    points: Sequence[dict[str, Any]], seed: int, outcomes: Iterable[Outcome]
) -> SweepResult:
    good = sorted((o for o in outcomes if o.error is None), key=lambda o: (o.point, o.replication))
    bad = sorted(
        (o for o in outcomes if o.error is not None), key=lambda o: (o.point, o.replication)
    )
    swept = sorted({k for p in points for k in p})
    rows, frames = [], []
    for o in good:
        assert o.kpis is not None and o.intervals is not None
        values = {k: points[o.point].get(k) for k in swept}
        rows.append({"point": o.point, **values, "replication": o.replication, **o.kpis})
        frames.append(o.intervals)
    kpis = pd.DataFrame(rows)
    intervals = pd.DataFrame()
    if frames:  # one concatenation, then the labels (no copy of each frame to label it)
        lengths = [len(f) for f in frames]
        intervals = pd.concat(frames, ignore_index=True)
        intervals.insert(0, "replication", np.repeat([o.replication for o in good], lengths))
        intervals.insert(0, "point", np.repeat([o.point for o in good], lengths))
        del frames
    summaries = []
    for p in range(len(points)):
        part = kpis[kpis["point"] == p] if len(kpis) else kpis
        if part.empty:
            continue
        s = clip_to_range(summarise(part.drop(columns=["point", *swept])))
        s = s.reset_index()
        s.insert(0, "point", p)
        for i, k in enumerate(swept):
            s.insert(1 + i, k, [points[p].get(k)] * len(s))
        summaries.append(s)
    failures = pd.DataFrame(
        [
            {
                "point": o.point,
                **{k: points[o.point].get(k) for k in swept},
                "replication": o.replication,
                "seed": seed,
                "error": o.error,
            }
            for o in bad
        ]
    )
    return SweepResult(
        points=list(points),
        seed=seed,
        kpis=kpis,
        summary=pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(),
        intervals=intervals,
        failures=failures,
        records=tuple(o.records for o in good if o.records is not None),
    )


def run_sweep(
    scenario: Scenario,
    points: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    client: Any = None,
    store: str | Path | ResultStore | None = None,
    progress: bool | None = None,
) -> SweepResult:
    """Run ``scenario`` at every point of a grid or list of overrides.

    ``points`` is a grid ``{"dotted.key": [v1, v2, ...]}`` (every combination)
    or a list of override dicts. Every point uses the same replications and
    seed (common random numbers). Pass ``workers`` for a local process pool,
    any ``concurrent.futures`` ``executor``, or a Dask ``distributed.Client``
    as ``client``; ``store`` (a folder) makes the sweep durable and resumable.
    Invalid points raise :class:`~sim111.errors.ScenarioError` before anything runs.
    """
    listed = grid_points(points) if isinstance(points, Mapping) else [dict(p) for p in points]
    if not listed:
        raise ValueError("a sweep needs at least one point")
    scenarios = [
        scenario.with_overrides(p, source=f"sweep point {i} {p}") for i, p in enumerate(listed)
    ]
    return run_points(
        scenarios,
        listed,
        scenario.run.replications if replications is None else replications,
        scenario.run.seed if seed is None else seed,
        workers=workers,
        executor=executor,
        client=client,
        store=store,
        progress=progress,
    )
