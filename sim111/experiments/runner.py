"""One replication: simulate, measure, and wrap the outcome for an executor.

:func:`run_part` is what executors run: a whole replication, or one group of
areas of a multi-area replication (areas that share nothing run as tasks of
their own). It returns an error instead of raising, so one failing
replication loses no other.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim111.engine.centre import simulate
from sim111.engine.memory import release_freed_memory
from sim111.engine.network import coupled_groups, in_area_order, simulate_areas, simulate_group
from sim111.engine.records import RunRecords
from sim111.measures.areas import areas_kpis
from sim111.measures.costs import cost_kpis
from sim111.measures.intervals import interval_kpis
from sim111.measures.kpis import disposition_counts, replication_kpis
from sim111.measures.periods import period_kpis
from sim111.measures.pooling import area_views, pooled_records
from sim111.scenario import Scenario


@dataclass(frozen=True)
class Outcome:
    """What one replication returned: its KPIs, interval and period KPIs, or an error."""

    point: int
    replication: int
    kpis: dict[str, float] | None
    intervals: pd.DataFrame | None
    error: str | None = None
    records: RunRecords | None = None
    periods: pd.DataFrame | None = None  # by day, week and month (measures.periods)
    wall_s: float | None = None  # wall-clock time simulating and measuring it


def simulate_replication(
    scenario: Scenario, replication: int, seed: int, full_records: bool = True
) -> tuple[dict[str, float], pd.DataFrame, RunRecords]:
    """KPIs (operational and cost), interval KPIs and records of one replication.

    With ``[[areas]]``: the whole's KPIs, every area's and the spread between
    them (:func:`~sim111.measures.areas.areas_kpis`); interval KPIs and records
    of all areas pooled (the records say each call's area). Unless
    ``full_records``, the records keep only the columns KPIs read: the same
    KPIs in less memory, for a caller that does not keep the records.
    """
    if scenario.areas:  # a list of records nothing else holds: measure_areas empties it
        by_area = list(simulate_areas(scenario, replication, seed, full_records))
        return measure_areas(scenario, by_area)
    records = simulate(scenario, replication, seed, full_records=full_records)
    kpis = replication_kpis(records)
    kpis.update(cost_kpis(scenario, kpis, disposition_counts(records)))
    return kpis, interval_kpis(records), records


def measure_areas(
    scenario: Scenario, by_area: list[RunRecords]
) -> tuple[dict[str, float], pd.DataFrame, RunRecords]:
    """KPIs, interval KPIs and pooled records of one replication of every area.

    The areas' records are consumed: their calls move into the pooled records
    (a long run never holds them twice), each area is measured on its slice,
    and ``by_area`` is emptied before the whole is measured (the areas' own
    staffing logs go, unless the caller holds them elsewhere).
    """
    records = pooled_records(by_area, tuple(a.name for a in scenario.areas), consume=True)
    release_freed_memory()  # the pooling's last temporaries (a year of England: 25 MB)
    views = area_views(records, by_area)
    by_area.clear()
    kpis = areas_kpis(scenario, views, records, consume=True)
    # the whole's KPIs left freed blocks the interval KPIs' slots would come on top of
    # (a year of England: 50 MB)
    release_freed_memory()
    return kpis, interval_kpis(records), records


def run_task(
    scenario: Scenario, point: int, replication: int, seed: int, keep_records: bool = False
) -> Outcome:
    """Replication ``replication`` of sweep point ``point``; an exception becomes ``error``."""
    start_s = time.perf_counter()
    try:
        kpis, intervals, records = simulate_replication(
            scenario, replication, seed, full_records=keep_records
        )
        periods = period_kpis(records)
    except Exception as err:
        return Outcome(point, replication, None, None, _error_text(err))
    kept = records if keep_records else None
    wall_s = time.perf_counter() - start_s
    return Outcome(point, replication, kpis, intervals, None, kept, periods, wall_s)


def _error_text(err: Exception) -> str:
    return f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}"


@dataclass(frozen=True)
class GroupOutcome:
    """One group of areas that share nothing with the others, for one replication."""

    point: int
    replication: int
    group: int
    records: tuple[RunRecords, ...] | None
    error: str | None = None
    wall_s: float = 0.0


def area_groups(scenario: Scenario) -> int:
    """How many groups of areas of ``scenario`` can run as tasks of their own (1: none)."""
    return len(coupled_groups(scenario)) if scenario.areas else 1


def run_part(
    scenario: Scenario,
    point: int,
    replication: int,
    seed: int,
    keep_records: bool = False,
    group: int | None = None,
) -> Outcome | GroupOutcome:
    """A whole replication (``group`` None), or one group of its areas: what executors run.

    Each group of areas draws only from its areas' own streams, so its records
    are the same whether it runs alone or with the rest of the replication.
    """
    if group is None:
        return run_task(scenario, point, replication, seed, keep_records)
    start_s = time.perf_counter()
    try:
        areas = coupled_groups(scenario)[group]
        records = tuple(
            simulate_group(scenario, areas, replication, seed, full_records=keep_records)
        )
    except Exception as err:
        return GroupOutcome(point, replication, group, None, _error_text(err))
    return GroupOutcome(point, replication, group, records, None, time.perf_counter() - start_s)


def join_groups(scenario: Scenario, parts: Sequence[GroupOutcome], keep_records: bool) -> Outcome:
    """The replication's outcome from all its groups (a failed group fails it)."""
    first = parts[0]
    failed = [p.error for p in parts if p.error is not None]
    if failed:
        return Outcome(first.point, first.replication, None, None, failed[0])
    ordered = sorted(parts, key=lambda p: p.group)
    by_area = in_area_order(coupled_groups(scenario), [p.records or () for p in ordered])
    start_s = time.perf_counter()
    try:
        kpis, intervals, records = measure_areas(scenario, list(by_area))
        periods = period_kpis(records)
    except Exception as err:
        return Outcome(first.point, first.replication, None, None, _error_text(err))
    kept = records if keep_records else None
    wall_s = sum(p.wall_s for p in parts) + time.perf_counter() - start_s
    return Outcome(first.point, first.replication, kpis, intervals, None, kept, periods, wall_s)


def task_arguments(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    todo: Sequence[tuple[int, int, str]],
    keep_records: bool,
    split: bool,
) -> list[tuple[Any, ...]]:
    """Arguments of :func:`~sim111.experiments.runner.run_part` for every task: one per
    replication, or (``split``, on a pool) one per group of areas that share nothing."""
    calls: list[tuple[Any, ...]] = []
    for p, r, _ in todo:
        groups = area_groups(scenarios[p]) if split else 1
        if groups == 1:
            calls.append((scenarios[p], p, r, seeds[p], keep_records, None))
        else:
            calls += [(scenarios[p], p, r, seeds[p], keep_records, g) for g in range(groups)]
    return calls


def whole_outcome(
    part: Outcome | GroupOutcome,
    parts: dict[tuple[int, int], list[GroupOutcome]],
    scenarios: Sequence[Scenario],
    keep_records: bool,
) -> Outcome | None:
    """A replication's outcome once all its parts are in (``None`` until then)."""
    if isinstance(part, Outcome):
        return part
    key = (part.point, part.replication)
    got = parts.setdefault(key, [])
    got.append(part)
    scenario = scenarios[part.point]
    if len(got) < area_groups(scenario):
        return None
    return join_groups(scenario, parts.pop(key), keep_records)
