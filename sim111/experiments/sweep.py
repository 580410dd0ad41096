"""Many replications of many scenario points: the points, the store, the tidy results.

Every point of a sweep runs replications ``0..R-1`` with the same seed, and a
replication's random streams depend only on (seed, replication): the points
meet the same callers (common random numbers), so differences between points
come from the parameters. Replications already in the
:class:`~sim111.experiments.store.ResultStore` are read back; the others run
(:mod:`~sim111.experiments.runner`) on the executor chosen by the
:class:`~sim111.experiments.settings.ExecutionSettings`
(:mod:`~sim111.experiments.executors`), are written to the store as they
finish, and are sorted, so results are identical however they were computed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

import numpy as np
import pandas as pd

from sim111.engine.records import RunRecords
from sim111.experiments import runner
from sim111.experiments.executors import run_tasks
from sim111.experiments.runner import Outcome
from sim111.experiments.settings import (
    ExecutionKeywords,
    ExecutionSettings,
    execution_settings,
    progress_bar,
)
from sim111.experiments.stats import summarise
from sim111.experiments.store import ResultStore, point_keys
from sim111.kpi_keys import kpi_info
from sim111.scenario import Scenario

log = logging.getLogger(__name__)


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
    ``failures``: replications that raised, with their parameters and the error;
    ``periods``: KPIs by day, week and month per point x replication x period
    (:func:`~sim111.measures.periods.period_kpis`).
    """

    points: list[dict[str, Any]]
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: tuple[RunRecords, ...] = ()
    periods: pd.DataFrame = field(default_factory=pd.DataFrame)

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


def run_points(
    scenarios: Sequence[Scenario],
    points: Sequence[dict[str, Any]],
    replications: int,
    seed: int,
    *,
    execution: ExecutionSettings | None = None,
    keep_records: bool = False,
    point_seeds: Sequence[int] | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> SweepResult:
    """Run ``replications`` of each scenario; the engine under run_experiment and run_sweep.

    ``point_seeds`` gives each scenario its own base seed instead of ``seed`` (for
    scenarios that stand for different stretches of time, such as observed months,
    whose noise should be independent rather than common).

    ``execution`` says where they run, whether they are stored and whether a
    progress bar is drawn (:class:`~sim111.experiments.settings.ExecutionSettings`;
    its fields are also accepted as keywords). With ``keep_records`` every
    replication is simulated (the store holds no per-call records) and
    ``SweepResult.records`` holds them.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    settings = execution_settings(execution, keywords)
    db = settings.open_store()
    seeds = list(point_seeds) if point_seeds is not None else [seed] * len(scenarios)
    outcomes, todo = _stored_and_todo(db, scenarios, seeds, replications, keep_records)
    if outcomes:
        log.info("%d replications found in the store, %d to run", len(outcomes), len(todo))
    keys = {(p, r): key for p, r, key in todo}
    bar = progress_bar(len(todo), settings.shows_progress() and bool(todo))
    # the bar closes last, after the pool (if made here) has shut down
    tell, done = settings.on_progress, 0
    if tell is not None:
        tell(0, len(todo))
    with bar, settings.open_executor() as pool:
        pairs = [(p, r) for p, r, _ in todo]
        size, target_s = settings.task_replications, settings.task_seconds
        parts: dict[tuple[int, int], list[runner.GroupOutcome]] = {}
        for part in run_tasks(pool, scenarios, seeds, pairs, keep_records, size, target_s):
            outcome = runner.whole_outcome(part, parts, scenarios, keep_records)
            if outcome is None:
                continue  # more groups of areas of this replication to come
            outcomes.append(outcome)
            if db is not None and outcome.kpis is not None and outcome.intervals is not None:
                db.put(
                    keys[outcome.point, outcome.replication],
                    scenarios[outcome.point],
                    seeds[outcome.point],
                    outcome.replication,
                    dict(points[outcome.point]),
                    outcome.kpis,
                    outcome.intervals,
                    outcome.periods,
                    wall_s=outcome.wall_s,
                )
            bar.update()
            done += 1
            if tell is not None:
                tell(done, len(todo))
    return _assemble(points, seed, outcomes, seeds)


def _stored_and_todo(
    db: ResultStore | None,
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    replications: int,
    keep_records: bool,
) -> tuple[list[Outcome], list[tuple[int, int, str]]]:
    """Outcomes already in ``db`` (checked first: ResultStore.load), and (point,
    replication, store key) of those to run."""
    keys = [[""] * replications for _ in scenarios]  # keys hash the scenario: only with a store
    stored: dict[str, Any] = {}
    if db is not None:
        keys, wanted = point_keys(scenarios, seeds, replications)
        stored = {} if keep_records else db.load(wanted)
    outcomes: list[Outcome] = []
    todo: list[tuple[int, int, str]] = []
    for p in range(len(scenarios)):
        for r, key in enumerate(keys[p]):
            cached = stored.get(key)
            if cached is not None and cached[2] is not None:  # stored before periods: rerun
                outcomes.append(Outcome(p, r, cached[0], cached[1], periods=cached[2]))
            else:
                todo.append((p, r, key))
    return outcomes, todo


def _assemble(
    points: Sequence[dict[str, Any]],
    seed: int,
    outcomes: Iterable[Outcome],
    seeds: Sequence[int],
) -> SweepResult:
    good = sorted((o for o in outcomes if o.error is None), key=lambda o: (o.point, o.replication))
    bad = sorted(
        (o for o in outcomes if o.error is not None), key=lambda o: (o.point, o.replication)
    )
    swept = sorted({k for p in points for k in p})
    rows = []
    for o in good:
        assert o.kpis is not None
        values = {k: points[o.point].get(k) for k in swept}
        rows.append({"point": o.point, **values, "replication": o.replication, **o.kpis})
    kpis = pd.DataFrame(rows)
    failures = pd.DataFrame(
        [
            {
                "point": o.point,
                **{k: points[o.point].get(k) for k in swept},
                "replication": o.replication,
                "seed": seeds[o.point],
                "error": o.error,
            }
            for o in bad
        ],
        columns=["point", *swept, "replication", "seed", "error"],  # even with none
    )
    return SweepResult(
        points=list(points),
        seed=seed,
        kpis=kpis,
        summary=_summary(points, swept, kpis),
        intervals=_stacked(good, "intervals"),
        failures=failures,
        records=tuple(o.records for o in good if o.records is not None),
        periods=_stacked(good, "periods"),
    )


def _stacked(good: Sequence[Outcome], name: str) -> pd.DataFrame:
    """The frame ``name`` (intervals, periods) of every replication, labelled by point
    and replication."""
    frames = []
    for o in good:
        frame = getattr(o, name)
        assert frame is not None
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    # one concatenation, then the labels (no copy of each frame to label it)
    lengths = [len(f) for f in frames]
    stacked = pd.concat(frames, ignore_index=True)
    stacked.insert(0, "replication", np.repeat([o.replication for o in good], lengths))
    stacked.insert(0, "point", np.repeat([o.point for o in good], lengths))
    return stacked


def _summary(
    points: Sequence[dict[str, Any]], swept: list[str], kpis: pd.DataFrame
) -> pd.DataFrame:
    """Mean and clipped 95% CI per point and KPI, with the swept values as columns."""
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
    return pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()


def run_sweep(
    scenario: Scenario,
    points: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    replications: int | None = None,
    seed: int | None = None,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> SweepResult:
    """Run ``scenario`` at every point of a grid or list of overrides.

    ``points`` is a grid ``{"dotted.key": [v1, v2, ...]}`` (every combination)
    or a list of override dicts. Every point uses the same replications and
    seed (common random numbers). ``execution`` says where replications run (a
    local process pool, any ``concurrent.futures`` executor, or a Dask
    ``distributed.Client``) and where they are stored (a folder makes the sweep
    durable and resumable); see :class:`~sim111.experiments.settings.ExecutionSettings`.
    Its fields are also accepted as keywords: ``run_sweep(s, grid, workers=2)``.
    Invalid points raise :class:`~sim111.errors.ScenarioError` before anything runs.
    """
    settings = execution_settings(execution, keywords)
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
        execution=settings,
    )
