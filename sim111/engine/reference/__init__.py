"""The call journey as a plain SimPy model: the readable specification of the engine.

One process per caller, one per shift block; people are items in a store::

    ring ─► overflow rule fires? ─► provider: accepts ─► its FIFO queue ─► its staff ─► closed
      │        (no advisor idle)          │ full: lost, or back (bounced) to the 111 queue
      ▼                                   ▼
    queue for the longest-idle advisor ─(patience runs out)─► abandoned ─► maybe ring again
      │ answered                                                  (a new call, same caller)
      ▼
    advisor call ─► closed: not triaged, or a disposition from the advisor
      │ needs clinical input (P(clinical | triaged) on the day of the ring)
      ▼
    warm transfer (if its class allows): a clinician free now, or within the hold
      │ otherwise
      ▼
    call-back queue (priority, or earliest deadline) ─► attempt ─► unanswered: retry later,
      │ answered                                               failed after the last attempt
      ▼
    clinician assessment ─► closed with the clinician's disposition
    a disposition may refer the patient to a downstream service (its queue: class, then age)

Staff (:mod:`.staff`) follow :mod:`sim111.engine.pools`: idle people wait longest-idle first;
at the end of a shift the idle leave at once and a busy person finishes the call in hand.
Waiting requests are served in ``key`` order: callers by ring, live (holding) callers
before call-backs, call-backs by class (or deadline) then end of advisor call.

The modules, each one job: :mod:`.inputs` (the drawn inputs), :mod:`.calls` (a call's
record), :mod:`.staff` (people in a store, shift processes), :mod:`.journey` (the caller
process, to the end of the advisor call), :mod:`.clinical` (warm transfer, hold,
call-backs), :mod:`.desks` (overflow providers and downstream services).

It consumes the same draws as :func:`sim111.engine.centre.simulate` (arrivals, caller
attributes, redials drawn from the ``redial.*`` streams in batches as they happen)
and returns the same records, so the two can be compared call by call. At *equal*
times SimPy takes events in scheduling order, and this model schedules differently
from the engine (a granted request is an event, first rings are scheduled at time 0),
so the two can differ only where two unrelated things happen at exactly the same time:
with continuous draws that has probability zero (shift changes fall on whole minutes,
but starts add people and ends remove idle ones, so their order does not matter).
One known difference is not a tie: holding callers stay in order here, whereas the
engine sends those a group cannot serve to the back of its holding queue as it scans
(``ClinicalStage._next_holding`` in :mod:`sim111.engine.clinical`); it shows when groups
serve different live classes.
"""

from __future__ import annotations

import simpy

from sim111.engine.records import RunRecords, StepLog
from sim111.engine.reference.calls import call_records
from sim111.engine.reference.journey import ReferenceCentre
from sim111.engine.streams import RandomStreams
from sim111.scenario import Scenario

__all__ = ["ReferenceCentre", "simulate_reference"]


def simulate_reference(scenario: Scenario, replication: int, seed: int) -> RunRecords:
    """Simulate one replication of ``scenario`` with the reference model; as ``simulate``."""
    run, priorities = scenario.run, scenario.clinical.priorities
    env = simpy.Environment()
    centre = ReferenceCentre(env, scenario, RandomStreams(seed, replication))
    env.run(until=run.horizon_min)
    clinical = centre.clinical
    return RunRecords(
        calls=call_records(centre.calls),
        advisors=StepLog.from_changes(centre.advisors.changes),
        clinicians=StepLog.from_changes(clinical.clinicians.changes),
        clinicians_busy=StepLog.from_changes(clinical.busy_changes, chronological=False),
        awaiting_clinician=StepLog.from_changes(clinical.awaiting_changes, chronological=False),
        start_date=run.start_date,
        horizon_min=run.horizon_min,
        warmup_min=run.warmup_min,
        interval_min=run.interval_min,
        replication=replication,
        priority_names=tuple(p.name for p in priorities),
        priority_targets_min=tuple(p.target_min for p in priorities),
        provider_names=tuple(p.name for p in scenario.providers),
        downstream_names=tuple(d.name for d in scenario.downstream),
        downstream_targets_min=tuple(
            tuple(c.target_min for c in d.classes) for d in scenario.downstream
        ),
    )
