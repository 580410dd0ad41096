"""The call journey in SimPy.

    offered ─► queue for a health advisor ─(patience runs out)─► abandoned ─► maybe redial
                 │ answered (advisor idle longest)
                 ▼
             advisor call ─► closed: not triaged, or a disposition from the advisor
                 │ needs clinical input
                 ▼
             warm transfer if a clinician is free (or frees within the hold)
                 │ otherwise
                 ▼
             call-back queue (priority, or earliest deadline) ─► attempts ─► clinician
                                                                  └─ all unanswered: failed

A closed call whose disposition leads to a downstream service is referred
there; when the advisor queue is long, overflow rules may send a newly
offered call to an overflow provider instead.

The model is event-lean: no SimPy process per caller. Shift changes are SimPy
timeouts; patience expiries, redials and the end of each task are bare
wake-ups on SimPy's event heap (:mod:`sim111.engine.scheduler`);
first-attempt arrivals are merged into the loop from their sorted array.
Their callbacks move calls between queues and people. Callbacks only log
timestamps and outcomes (:mod:`sim111.engine.calls`); KPIs are computed
afterwards by :mod:`sim111.measures.kpis`. Everything about a call that
follows from its draws (durations, how its advisor call ends, its urgency
class downstream) is computed per batch before the run. A logged time is the
clock at an event, and the clock is set to exactly the time the event was
scheduled for (answer + handling, say), so a wait is never negative by a
rounding error.

This module builds the stages — advisors (:mod:`~sim111.engine.advisors`),
clinicians (:mod:`~sim111.engine.clinical`), overflow providers and
downstream services (:mod:`~sim111.engine.desks`) — and routes calls between
them: closing a call (and referring it on), sending it to a clinician, or
diverting it to an overflow provider.
"""

from __future__ import annotations

import gc

import numpy as np
import simpy

from sim111.engine.advisors import AdvisorStage
from sim111.engine.backlog import BacklogRules, backlog_rules_needed
from sim111.engine.calendar import run_days
from sim111.engine.callers import CallerDraws, draw_callers
from sim111.engine.calls import CallTable
from sim111.engine.clinical import ClinicalStage
from sim111.engine.contingency import ProviderSeat, SharedProvider
from sim111.engine.demand import (
    arrival_times_min,
    clip_at_horizon,
    cumulative_intensity,
    day_factors,
)
from sim111.engine.desks import ProviderDesk, ServiceDesk
from sim111.engine.outcomes import LOST_AT_OVERFLOW, NO_DISPOSITION
from sim111.engine.overflow import QueueState, choose_provider
from sim111.engine.records import CallRecords, RunRecords, StepLog
from sim111.engine.scheduler import Scheduler
from sim111.engine.streams import RandomStreams
from sim111.scenario import DISPOSITIONS, Scenario
from sim111.units import MINUTES_PER_DAY


class CallCentre:
    """One replication: the calls, the stages, and the routes between them.

    Drive it with :meth:`run`, not ``env.run()`` (see :mod:`sim111.engine.scheduler`).
    The stages are built in a fixed order — advisors, clinicians, providers,
    services — because each rosters its shifts as SimPy events, numbered as
    they are made, and equal-time events run in that order.
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        arrivals: np.ndarray,
        draws: CallerDraws,
        streams: RandomStreams | None = None,
        clock: Scheduler | None = None,
        shared: SharedProvider | None = None,
        full_records: bool = True,
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.calls = calls = CallTable(
            scenario, arrivals, draws, streams, full_records=full_records
        )
        # areas of one coupled run share the clock, and may share a contingency provider
        self.clock = clock = Scheduler(env) if clock is None else clock
        self.advice = AdvisorStage(env, clock, calls, scenario)
        self.clinical = ClinicalStage(env, clock, calls, scenario)
        self.desks: list[ProviderDesk | ProviderSeat] = [
            ProviderSeat(shared, calls, k)
            if shared is not None and p.name == shared.provider.name
            else ProviderDesk(env, clock, calls, scenario, k)
            for k, p in enumerate(scenario.providers)
        ]
        self.services = [
            ServiceDesk(env, clock, calls, scenario, k) for k in range(len(scenario.downstream))
        ]
        self.advisors = self.advice.pool
        self.clinicians = self.clinical.pool
        # the routes
        self.advice.close = self.clinical.close = self.close
        for desk in self.desks:
            desk.close = self.close
        self.advice.to_clinical = self.clinical.to_clinical
        if scenario.overflow:
            self.advice.divert = self._overflow
        # by disposition code: the downstream services it leads to, with their shares
        self.referrals: list[list[tuple[int, float]]] = [
            [(k, d.share) for k, d in enumerate(scenario.downstream) if d.takes == name]
            for name in DISPOSITIONS
        ]
        self._provider_index = {p.name: k for k, p in enumerate(scenario.providers)}
        self._day_types = tuple(
            d.day_type for d in run_days(scenario.run.start_date, scenario.run.calendar_days)
        )
        self._mean_handle_min = scenario.mean_advisor_handle_min
        self.backlog = self._backlog_rules(scenario) if backlog_rules_needed(scenario) else None

    def _backlog_rules(self, scenario: Scenario) -> BacklogRules:
        """The call-back patience and backlog rules, wired to the other stages."""
        escalate_to = None
        if scenario.clinical.backlog.escalate_to is not None:
            desk = self.desks[self._provider_index[scenario.clinical.backlog.escalate_to]]

            def escalate_to(call: int, now: float) -> bool:
                if not desk.accepts(now):
                    return False
                desk.accept(call, since=now)
                return True

        calls, advice = self.calls, self.advice

        def ring_again(call: int, now: float) -> None:
            advice.offer(calls.add_repeat(call, now))

        rules = BacklogRules(
            self.clinical, calls, self.clock, scenario, ring_again, self._refer, escalate_to
        )
        advice.on_repeat = rules.repeat_answered
        return rules

    def run(self, until: float) -> None:
        """Advance the simulation to ``until``, offering first attempts as they arrive."""
        calls = self.calls
        self.clock.run(calls.arrival_min, calls.n_first, self.advice.offer, until)
        self.finish(until)

    def finish(self, until: float) -> None:
        """The run stopped at ``until``: callers still queued whose patience ran out hung up."""
        if self.advice.lazy_abandonment:
            self.advice.abandon_lazily(until)

    def close(self, call: int, end: float, outcome: int, disposition: int) -> None:
        """End ``call``'s journey at ``end``; refer it on if its disposition leads on."""
        calls = self.calls
        calls.outcome[call] = outcome
        calls.end_min[call] = end
        calls.disposition[call] = disposition
        if disposition >= 0 and self.referrals[disposition]:
            self._refer(call, end, disposition)

    def _refer(self, call: int, at: float, disposition: int) -> None:
        """Book the patient into the downstream service this disposition leads to, if any."""
        routes = self.referrals[disposition]
        if not routes:  # (``downstream_u`` is held only when there are services)
            return
        u = self.calls.downstream_u[call]
        for k, share in routes:
            if u < share:
                self.services[k].refer(call, at)
                return
            u -= share

    def _overflow(self, call: int) -> bool:
        """Send ``call`` to a provider if a rule fires; ``True`` if it left the 111 queue."""
        now = self.clock.now
        day = min(int(now // MINUTES_PER_DAY), len(self._day_types) - 1)
        state = QueueState(
            queue_length=self.advice.waiting,
            advisors_on_duty=self.advisors.on_duty,
            mean_handle_min=self._mean_handle_min,
            day_type=self._day_types[day],
            minute_of_day=now - day * MINUTES_PER_DAY,
        )
        name = choose_provider(self.scenario.overflow, state)
        if name is None:
            return False
        k = self._provider_index[name]
        desk = self.desks[k]
        if desk.accepts(now):
            desk.accept(call)
            return True
        if desk.provider.when_full == "lost":
            self.calls.provider[call] = k
            self.close(
                call, max(now, self.calls.arrival_min[call]), LOST_AT_OVERFLOW, NO_DISPOSITION
            )
            return True
        self.calls.bounced[call] = True
        return False

    def records(self) -> CallRecords:
        """The per-call columns as numpy arrays."""
        return self.calls.records()

    def dismantle(self) -> None:
        """Break the reference cycles of a finished run.

        The stages, their staff pools and the pending events refer to each other
        (callbacks), so only the cyclic collector would free them: break the
        cycles, and reference counting frees the per-call state at once — a long
        sweep never holds two replications' working state.
        """
        self.clock.clear()
        rules = (self.backlog,) if self.backlog is not None else ()
        for part in (self.advice, self.clinical, *self.desks, *self.services, *rules, self):
            part.__dict__.clear()


def draw_arrivals(scenario: Scenario, streams: RandomStreams) -> np.ndarray:
    """First-attempt arrival times in minutes, sorted."""
    run = scenario.run
    days = run_days(run.start_date, run.calendar_days)
    factors = day_factors(scenario.demand, len(days), streams.generator("day_factor"))
    knots = cumulative_intensity(scenario.demand, days, factors)
    t_knots, cum = clip_at_horizon(*knots, run.horizon_min)  # the last day may end early
    return arrival_times_min(t_knots, cum, streams.generator("arrivals"))


def simulate(
    scenario: Scenario, replication: int, seed: int, namespace: str = "", full_records: bool = True
) -> RunRecords:
    """Simulate one replication of ``scenario`` and return its records.

    ``namespace`` names the random streams' family: an area of a multi-area
    scenario draws from streams of its own (``area.<name>``). Unless
    ``full_records``, the records keep only what KPIs read (:mod:`~sim111.engine.detail`).
    """
    run = scenario.run
    # A replication allocates hundreds of thousands of small objects and makes no
    # reference cycles it does not break itself (below): the cyclic collector
    # would only cost time, scanning them all when it is switched back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        streams = RandomStreams(seed, replication, namespace)
        arrivals = draw_arrivals(scenario, streams)
        draws = draw_callers(scenario, streams.generator, arrivals.size)
        env = simpy.Environment()
        centre = CallCentre(env, scenario, arrivals, draws, streams, full_records=full_records)
        centre.run(run.horizon_min)
        records = run_records(centre, replication)
        centre.dismantle()
    finally:
        if collecting:
            gc.enable()
    return records


def run_records(centre: CallCentre, replication: int) -> RunRecords:
    """What ``centre`` logged in its run, as :class:`RunRecords`."""
    scenario = centre.scenario
    run = scenario.run
    return RunRecords(
        calls=centre.records(),
        advisors=StepLog.from_changes(centre.advisors.changes),
        clinicians=StepLog.from_changes(centre.clinicians.changes),
        # logged as events happen, but some carry drawn (not clock) times
        clinicians_busy=StepLog.from_changes(centre.clinical.busy_changes, chronological=False),
        awaiting_clinician=StepLog.from_changes(
            centre.clinical.awaiting_changes, chronological=False
        ),
        clinicians_overtime=(
            StepLog.from_changes(centre.backlog.overtime_changes)
            if centre.backlog is not None
            else None
        ),
        start_date=run.start_date,
        horizon_min=run.horizon_min,
        warmup_min=run.warmup_min,
        interval_min=run.interval_min,
        replication=replication,
        priority_names=tuple(p.name for p in scenario.clinical.priorities),
        priority_targets_min=tuple(p.target_min for p in scenario.clinical.priorities),
        provider_names=tuple(p.name for p in scenario.providers),
        downstream_names=tuple(d.name for d in scenario.downstream),
        downstream_targets_min=tuple(
            tuple(c.target_min for c in d.classes) for d in scenario.downstream
        ),
    )
