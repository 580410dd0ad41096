"""One replication: simulate, measure, and wrap the outcome for an executor.

:func:`run_task` is what executors run; it returns an error instead of raising,
so one failing replication loses no other.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import pandas as pd

from sim111.engine.centre import simulate
from sim111.engine.network import simulate_areas
from sim111.engine.records import RunRecords
from sim111.measures.areas import areas_kpis, pooled_records
from sim111.measures.costs import cost_kpis
from sim111.measures.intervals import interval_kpis
from sim111.measures.kpis import disposition_counts, replication_kpis
from sim111.scenario import Scenario


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
    """KPIs (operational and cost), interval KPIs and records of one replication.

    With ``[[areas]]``: the whole's KPIs, every area's and the spread between
    them (:func:`~sim111.measures.areas.areas_kpis`); interval KPIs and records
    of all areas pooled (the records say each call's area).
    """
    if scenario.areas:
        by_area = simulate_areas(scenario, replication, seed)
        kpis = areas_kpis(scenario, by_area)
        records = pooled_records(by_area, tuple(a.name for a in scenario.areas))
        return kpis, interval_kpis(records), records
    records = simulate(scenario, replication, seed)
    kpis = replication_kpis(records)
    kpis.update(cost_kpis(scenario, kpis, disposition_counts(records)))
    return kpis, interval_kpis(records), records


def run_task(
    scenario: Scenario, point: int, replication: int, seed: int, keep_records: bool = False
) -> Outcome:
    """Replication ``replication`` of sweep point ``point``; an exception becomes ``error``."""
    try:
        kpis, intervals, records = simulate_replication(scenario, replication, seed)
    except Exception as err:
        text = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}"
        return Outcome(point, replication, None, None, text)
    return Outcome(point, replication, kpis, intervals, None, records if keep_records else None)
