"""Several contract areas in one replication: each alone, or coupled on one clock.

Each area of a scenario with ``[[areas]]`` is a scenario of its own
(:attr:`~sim111.scenario.Scenario.area_scenarios`) and draws from random
streams of its own (``area.<name>.*``), so its callers — arrivals, patience,
handling times — are the same whichever way the areas share work: comparisons
of contract structures are paired call for call (common random numbers).

Areas that share nothing are simulated one by one, exactly as single-area
runs. Areas that share staff (a pool), mutual aid or a contingency provider
form a coupled group: one SimPy environment and one clock, a
:class:`~sim111.engine.centre.CallCentre` per area, first attempts of all
areas merged in time order (equal times: in area order), and the sharing
rules of :mod:`sim111.engine.sharing` and :mod:`sim111.engine.contingency`
linking them. Each area still leaves its own :class:`RunRecords`.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence

import numpy as np
import simpy

from sim111.engine.callers import draw_callers
from sim111.engine.centre import CallCentre, draw_arrivals, run_records, simulate
from sim111.engine.contingency import SharedProvider
from sim111.engine.memory import release_freed_memory
from sim111.engine.records import RunRecords
from sim111.engine.scheduler import Block, Scheduler
from sim111.engine.sharing import AdvisorSharing, ClinicianSharing
from sim111.engine.streams import RandomStreams
from sim111.scenario import Scenario
from sim111.scenario.areas import pool_keys
from sim111.units import MINUTES_PER_DAY


def area_namespace(name: str) -> str:
    """The family of random streams an area draws from."""
    return f"area.{name}"


def coupled_groups(scenario: Scenario) -> list[list[int]]:
    """The areas (indices) that must run together, each group in area order.

    Mutual aid and a shared contingency provider couple every area; pools
    couple their members; any other area runs alone.
    """
    n = len(scenario.areas)
    sharing = scenario.sharing
    if sharing.mutual_aid is not None or sharing.contingency is not None:
        return [list(range(n))] if n else []
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for level in (sharing.advisors, sharing.clinicians):
        first: dict[str, int] = {}
        for k, key in enumerate(pool_keys(scenario.areas, level)):
            j = first.setdefault(key, k)
            parent[root(k)] = root(j)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return sorted(groups.values())


def simulate_areas(
    scenario: Scenario, replication: int, seed: int, full_records: bool = True
) -> tuple[RunRecords, ...]:
    """One replication of every area of ``scenario``: each area's records, in area order
    (unless ``full_records``, only what KPIs read: :mod:`sim111.engine.detail`)."""
    groups = coupled_groups(scenario)
    return in_area_order(
        groups,
        [
            simulate_group(scenario, group, replication, seed, full_records=full_records)
            for group in groups
        ],
    )


def in_area_order(
    groups: Sequence[Sequence[int]], records: Sequence[Sequence[RunRecords]]
) -> tuple[RunRecords, ...]:
    """The records of each group of areas (``groups[g]``: its area indices) in area order."""
    out: list[RunRecords | None] = [None] * sum(len(g) for g in groups)
    for group, recs in zip(groups, records, strict=True):
        for k, rec in zip(group, recs, strict=True):
            out[k] = rec
    assert all(r is not None for r in out), "the groups do not cover every area once"
    return tuple(r for r in out if r is not None)


def simulate_group(
    scenario: Scenario,
    group: Sequence[int],
    replication: int,
    seed: int,
    coupled: bool = False,
    full_records: bool = True,
) -> list[RunRecords]:
    """The areas of ``group``: alone if it is one area (unless ``coupled``), else coupled."""
    areas = scenario.area_scenarios
    if len(group) == 1 and not coupled:
        k = group[0]
        name = area_namespace(scenario.areas[k].name)
        return [simulate(areas[k], replication, seed, name, full_records=full_records)]
    collecting = gc.isenabled()
    gc.disable()  # as in simulate: no cycles but those dismantle() breaks
    try:
        records = _simulate_coupled(scenario, list(group), replication, seed, full_records)
    finally:
        if collecting:
            gc.enable()
    release_freed_memory()  # the engine's own columns, freed with the centres
    return records


def _simulate_coupled(
    scenario: Scenario, group: list[int], replication: int, seed: int, full_records: bool
) -> list[RunRecords]:
    env = simpy.Environment()
    clock = Scheduler(env)
    sharing = scenario.sharing
    shared = None
    if sharing.contingency is not None:
        provider = next(p for p in scenario.providers if p.name == sharing.contingency)
        shared = SharedProvider(env, clock, provider, scenario.run)
    centres = []
    for k in group:
        area = scenario.area_scenarios[k]
        streams = RandomStreams(seed, replication, area_namespace(scenario.areas[k].name))
        arrivals = draw_arrivals(area, streams)
        draws = draw_callers(area, streams.generator, arrivals.size)
        centre = CallCentre(
            env, area, arrivals, draws, streams, clock, shared, full_records=full_records
        )
        centres.append(centre)
    members = [scenario.areas[k] for k in group]
    AdvisorSharing(
        clock,
        [c.advice for c in centres],
        pool_keys(tuple(members), sharing.advisors),
        sharing.prefer_own_area_s,
        sharing.mutual_aid,
        [c.scenario.mean_advisor_handle_min for c in centres],
    )
    ClinicianSharing(
        clock, [c.clinical for c in centres], pool_keys(tuple(members), sharing.clinicians)
    )
    for k, centre in zip(group, centres, strict=True):  # area indices of the whole scenario
        centre.advice.area = centre.clinical.area = k
    _run_together(clock, centres, scenario.run.horizon_min)
    records = []
    for centre in centres:  # an area's working state goes once its records are made
        records.append(run_records(centre, replication))
        centre.dismantle()
    return records


def _run_together(clock: Scheduler, centres: list[CallCentre], until: float) -> None:
    """Run the areas on one clock: their first attempts merged in time order."""
    clock.run_blocks(first_attempts(centres, until), until)
    for centre in centres:
        centre.finish(until)


def first_attempts(
    centres: Sequence[CallCentre], until: float, block_min: float = MINUTES_PER_DAY
) -> Iterator[Block]:
    """The areas' first attempts before ``until`` in time order (equal times: in area
    order), a block of ``block_min`` at a time: ``(times, offer)``, ``offer(i)``
    offering the ``i``-th call of the block to its area.

    Merged as the run goes, a block at a time: merged up front, a year of England
    (some 13 million first attempts) would hold 18 bytes a call more for the run.
    """
    arrivals = [c.calls.arrival_min for c in centres]  # each area's, sorted
    firsts = [c.calls.n_first for c in centres]
    offers = [c.advice.offer for c in centres]
    starts = [0] * len(centres)
    edge = 0.0
    while edge < until:
        edge = min(edge + block_min, until)
        ends = [
            bisect_left(a, edge, s, n) for a, s, n in zip(arrivals, starts, firsts, strict=True)
        ]
        times = np.concatenate(
            [np.frombuffer(a[s:e]) for a, s, e in zip(arrivals, starts, ends, strict=True)]
        )
        order = np.argsort(times, kind="stable")  # equal times: in area order
        area = np.repeat(np.arange(len(centres), dtype=np.int16), np.subtract(ends, starts))
        rows = np.concatenate(
            [np.arange(s, e, dtype=np.int64) for s, e in zip(starts, ends, strict=True)]
        )
        area_of = array("h", area[order].tobytes())
        row_of = array("q", rows[order].tobytes())

        def offer(i: int, area_of: array[int] = area_of, row_of: array[int] = row_of) -> None:
            offers[area_of[i]](row_of[i])

        yield array("d", times[order].tobytes()), offer
        starts = ends
        # the columns redials grow were moved as they grew: the blocks they left in
        # the allocator's heap go back to the system a day at a time (a year of
        # England: some 200 MB of them by the end of the run)
        release_freed_memory()
