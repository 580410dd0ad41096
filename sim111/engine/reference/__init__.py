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

Staff (:class:`Staff`) follow :mod:`sim111.engine.pools`: idle people wait longest-idle first;
at the end of a shift the idle leave at once and a busy person finishes the call in hand.
Waiting requests are served in ``key`` order: callers by ring, live (holding) callers
before call-backs, call-backs by class (or deadline) then end of advisor call.

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
(``CallCentre._next_holding``); it shows when groups serve different live classes.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, fields
from itertools import count
from typing import Any, NamedTuple

import numpy as np
import simpy
from simpy.events import Event
from simpy.resources.resource import SortedQueue
from simpy.resources.store import FilterStoreGet

from sim111.engine import records as rec
from sim111.engine.calendar import run_days
from sim111.engine.callers import CallerDraws, draw_callers
from sim111.engine.centre import REDIAL_BATCH, draw_arrivals
from sim111.engine.overflow import QueueState, choose_provider
from sim111.engine.records import CallRecords, RunRecords, StepLog
from sim111.engine.roster import ShiftBlock, shift_blocks
from sim111.engine.streams import RandomStreams
from sim111.scenario import DISPOSITIONS, MINUTES_PER_DAY, Scenario

MINUTES_PER_HOUR = 60
HOLDING, CALL_BACK = 0, 1  # clinicians take live callers before call-backs
Journey = Generator[Event, Any, Any]


class Draws(NamedTuple):
    """One call's random attributes, and its duration with every group that could serve it."""

    patience_min: float
    triaged: bool
    handle_min: float
    clinical_u: float
    priority: int
    advisor_disposition: int
    clinician_disposition: int
    attempts_needed: int  # the call-back attempt the caller answers
    redials: bool
    redial_delay_min: float
    downstream_u: float
    clinician_min: tuple[float, ...]  # per clinician group
    provider_min: tuple[float, ...]  # per provider
    service_min: tuple[float, ...]  # per downstream service
    service_class: tuple[int, ...]  # urgency class at each downstream service


@dataclass(slots=True)
class Call:
    """One offered call; the fields after ``draws`` are the columns of :class:`CallRecords`."""

    draws: Draws
    caller_id: int
    attempt: int
    arrival_min: float
    answer_min: float = math.nan
    advisor_end_min: float = math.nan
    end_min: float = math.nan
    outcome: int = rec.QUEUED_AT_END
    clinical: bool = False
    priority: int = rec.NO_PRIORITY
    warm_transfer: bool = False
    callback_attempts: int = 0
    contact_min: float = math.nan
    clinician_end_min: float = math.nan
    first_attempt_min: float = math.nan
    clinician_group: int = -1
    disposition: int = rec.NO_DISPOSITION
    provider: int = -1
    provider_start_min: float = math.nan
    bounced: bool = False
    downstream: int = -1
    downstream_class: int = -1
    downstream_start_min: float = math.nan
    downstream_end_min: float = math.nan


class Person:
    """Someone on a shift: their group and when the shift ends."""

    def __init__(self, group: int, off_at_min: float) -> None:
        self.group = group
        self.off_at_min = off_at_min


class StaffRequest(FilterStoreGet):
    """A request for the longest-idle person ``accepts`` takes; waiting, served by ``key``."""

    def __init__(self, staff: Staff, accepts: Callable[[Person], bool], key: tuple[Any, ...]):
        self.key = key  # set first: joining the (sorted) queue reads it
        super().__init__(staff, accepts)


class Staff(simpy.FilterStore):
    """People of one role on their rosters; the idle ones are the items, longest idle first."""

    GetQueue = SortedQueue

    def __init__(self, env: simpy.Environment, blocks_by_group: list[tuple[ShiftBlock, ...]]):
        super().__init__(env)
        self.env = env
        self.on_duty = 0
        self.changes: list[tuple[float, int]] = []  # (time, +n/-n people on duty)
        for group, blocks in enumerate(blocks_by_group):
            for block in blocks:
                env.process(self._shift(group, block))

    def request(self, key: tuple[Any, ...], accepts: Callable[[Person], bool]) -> StaffRequest:
        """Ask for a person; the returned event's value is the person."""
        return StaffRequest(self, accepts, key)

    def release(self, person: Person) -> None:
        """``person`` finished a task: home if their shift is over, else idle (or on to work)."""
        if person.off_at_min <= self.env.now:
            self._leave([person])
        else:
            self.put(person)

    def _leave(self, people: list[Person]) -> None:
        self.on_duty -= len(people)
        self.changes.append((self.env.now, -len(people)))

    def _shift(self, group: int, block: ShiftBlock) -> Journey:
        yield self.env.timeout(max(block.start_min, 0.0))
        people = [Person(group, block.end_min) for _ in range(block.count)]
        self.on_duty += block.count
        self.changes.append((self.env.now, block.count))
        for person in people:
            self.put(person)
        if math.isfinite(block.end_min):
            yield self.env.timeout(block.end_min - self.env.now)
            idle = [p for p in people if p in self.items]
            for person in idle:
                self.items.remove(person)
            if idle:
                self._leave(idle)


def _anyone(person: Person) -> bool:
    return True


class ReferenceCentre:
    """One replication: staff, callers and the journey as SimPy processes."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, streams: RandomStreams):
        self.env, self.scenario, self.streams = env, scenario, streams
        run, triage, clinical = scenario.run, scenario.triage, scenario.clinical
        self.days = [d.day_type for d in run_days(run.start_date, run.days)]
        share = triage.triaged_share  # P(clinical | triaged) on each run day:
        self.clinical_p = [triage.clinical_share_on(d) / share if share else 0.0 for d in self.days]
        names = [p.name for p in clinical.priorities]
        self.groups_serving = [  # which clinician groups take each priority class
            {g for g, c in enumerate(scenario.clinicians) if not c.serves or p in c.serves}
            for p in names
        ]
        self.referrals = [  # (service, share) for each disposition
            [(k, d.share) for k, d in enumerate(scenario.downstream) if d.takes == name]
            for name in DISPOSITIONS
        ]
        mean_handle_min = scenario.advisors.handle_time.mean_min
        if triage.untriaged_handle_time is not None:  # for the expected-wait overflow rule
            untriaged_min = triage.untriaged_handle_time.mean_min
            mean_handle_min = share * mean_handle_min + (1 - share) * untriaged_min
        self.mean_handle_min = mean_handle_min

        def staff(*groups: Any) -> Staff:
            return Staff(env, [shift_blocks(g, run.start_date, run.days) for g in groups])

        self.advisors = staff(scenario.advisors)
        self.clinicians = staff(*scenario.clinicians)
        self.providers = [staff(p) for p in scenario.providers]
        self.services = [staff(d) for d in scenario.downstream]
        self.taken_in_hour = [Counter[int]() for _ in scenario.providers]
        self.tickets = count()  # request order, so equal keys are served first come first
        self.busy_changes: list[tuple[float, int]] = []  # clinicians busy
        self.awaiting_changes: list[tuple[float, int]] = []  # calls awaiting a clinician
        self.redial_draws: deque[Draws] = deque()
        arrivals = draw_arrivals(scenario, streams)
        draws = _drawn(scenario, draw_callers(scenario, streams.generator, arrivals.size))
        self.calls = [
            Call(d, i, 0, t) for i, (d, t) in enumerate(zip(draws, arrivals.tolist(), strict=True))
        ]
        for call in self.calls:
            env.process(self._caller(call))

    def _caller(self, call: Call) -> Journey:
        """A caller, from the first ring; after hanging up they may ring again, as a new call."""
        yield self.env.timeout(call.arrival_min)  # from time 0: exactly the drawn time
        while True:
            yield from self._offer(call)
            again_min = self.env.now + call.draws.redial_delay_min
            horizon_min = self.scenario.run.horizon_min
            if call.outcome != rec.ABANDONED or not call.draws.redials or again_min >= horizon_min:
                return
            delay_min = call.draws.redial_delay_min
            call = self._redial(call, again_min)  # drawn now: redials draw in order of hang-up
            yield self.env.timeout(delay_min)

    def _redial(self, caller: Call, arrival_min: float) -> Call:
        if not self.redial_draws:
            streams = self.streams

            def stream(name: str) -> np.random.Generator:
                return streams.generator(f"redial.{name}")

            more = draw_callers(self.scenario, stream, REDIAL_BATCH)
            self.redial_draws.extend(_drawn(self.scenario, more))
        call = Call(self.redial_draws.popleft(), caller.caller_id, caller.attempt + 1, arrival_min)
        self.calls.append(call)
        return call

    def _offer(self, call: Call) -> Journey:
        """A ring: maybe overflow, else the advisor queue; on answer, the rest of the journey."""
        if self.scenario.overflow and not self.advisors.items:
            k = self._overflow_provider()
            if k is not None and self._accepts(k):
                yield from self._at_provider(call, k)
                return
            if k is not None and self.scenario.providers[k].when_full == "lost":
                call.provider = k
                self._close(call, rec.LOST_AT_OVERFLOW, rec.NO_DISPOSITION)
                return
            call.bounced = k is not None
        request = self.advisors.request((next(self.tickets),), _anyone)
        yield request | self.env.timeout(call.draws.patience_min)
        if not request.triggered:
            request.cancel()
            call.outcome, call.end_min = rec.ABANDONED, self.env.now
            return
        advisor = yield request
        call.answer_min, call.outcome = self.env.now, rec.WITH_ADVISOR_AT_END
        yield self.env.timeout(call.draws.handle_min)
        call.advisor_end_min = self.env.now
        self.advisors.release(advisor)
        if not call.draws.triaged:
            self._close(call, rec.CLOSED_NO_TRIAGE, rec.NO_DISPOSITION)
        elif call.draws.clinical_u >= self.clinical_p[int(call.arrival_min // MINUTES_PER_DAY)]:
            self._close(call, rec.CLOSED_BY_ADVISOR, call.draws.advisor_disposition)
        else:
            yield from self._clinical(call)
        yield from self._downstream(call)

    def _overflow_provider(self) -> int | None:
        now = self.env.now
        day = min(int(now // MINUTES_PER_DAY), len(self.days) - 1)
        state = QueueState(
            queue_length=len(self.advisors.get_queue),  # callers waiting, not this one
            advisors_on_duty=self.advisors.on_duty,
            mean_handle_min=self.mean_handle_min,
            day_type=self.days[day],
            minute_of_day=now - day * MINUTES_PER_DAY,
        )
        name = choose_provider(self.scenario.overflow, state)
        return None if name is None else [p.name for p in self.scenario.providers].index(name)

    def _accepts(self, k: int) -> bool:
        p, desk = self.scenario.providers[k], self.providers[k]
        taken = self.taken_in_hour[k][int(self.env.now // MINUTES_PER_HOUR)]
        capped = p.max_calls_per_hour is not None and taken >= p.max_calls_per_hour
        full = p.max_queue is not None and not desk.items and len(desk.get_queue) >= p.max_queue
        return not (capped or full)

    def _at_provider(self, call: Call, k: int) -> Journey:
        self.taken_in_hour[k][int(self.env.now // MINUTES_PER_HOUR)] += 1
        call.provider, call.outcome = k, rec.QUEUED_AT_PROVIDER_AT_END
        person = yield self.providers[k].request((next(self.tickets),), _anyone)
        call.provider_start_min, call.outcome = self.env.now, rec.WITH_PROVIDER_AT_END
        yield self.env.timeout(call.draws.provider_min[k])
        self._close(call, rec.CLOSED_BY_PROVIDER, rec.NO_DISPOSITION)
        self.providers[k].release(person)

    def _clinical(self, call: Call) -> Journey:
        """Warm transfer or call-backs, then the clinician's assessment."""
        call.clinical, call.priority = True, call.draws.priority
        call.outcome = rec.AWAITING_CLINICIAN_AT_END
        self.awaiting_changes.append((self.env.now, 1))
        person = None
        if self.scenario.clinical.priorities[call.priority].warm_transfer:
            person = yield from self._warm_transfer(call)
            call.warm_transfer = person is not None
        if person is None:
            person = yield from self._call_backs(call)
        if person is None:
            return
        call.contact_min, call.outcome = self.env.now, rec.WITH_CLINICIAN_AT_END
        call.clinician_group = person.group
        self.awaiting_changes.append((self.env.now, -1))
        self.busy_changes.append((self.env.now, 1))
        yield self.env.timeout(call.draws.clinician_min[person.group])
        call.clinician_end_min = self.env.now
        self.busy_changes.append((self.env.now, -1))
        self._close(call, rec.CLOSED_BY_CLINICIAN, call.draws.clinician_disposition)
        self.clinicians.release(person)

    def _serves(self, call: Call) -> Callable[[Person], bool]:
        groups = self.groups_serving[call.priority]
        return lambda person: person.group in groups

    def _warm_transfer(self, call: Call) -> Journey:
        """The caller holds for a clinician free now or within the hold; ``None`` if none."""
        hold_min = self.scenario.clinical.warm_transfer_hold_max_min
        request = self.clinicians.request((HOLDING, next(self.tickets)), self._serves(call))
        if not request.triggered and hold_min > 0:
            yield request | self.env.timeout(hold_min)
        if request.triggered:
            return (yield request)
        request.cancel()
        return None

    def _call_backs(self, call: Call) -> Journey:
        """Call-back attempts until one is answered (its clinician) or the last fails (None)."""
        clinical = self.scenario.clinical
        entered_min = call.advisor_end_min
        target_min = clinical.priorities[call.priority].target_min
        first = entered_min + target_min if clinical.discipline == "deadline" else call.priority
        while True:
            key = (CALL_BACK, first, entered_min, next(self.tickets))
            person = yield self.clinicians.request(key, self._serves(call))
            call.callback_attempts += 1
            if call.callback_attempts == 1:
                call.first_attempt_min = self.env.now
            if call.callback_attempts >= call.draws.attempts_needed:
                return person
            self.busy_changes.append((self.env.now, 1))
            yield self.env.timeout(clinical.callback_no_answer_min)
            self.busy_changes.append((self.env.now, -1))
            if call.callback_attempts >= clinical.callback_max_attempts:
                self._close(call, rec.CALLBACK_FAILED, rec.NO_DISPOSITION)
                self.awaiting_changes.append((self.env.now, -1))
                self.clinicians.release(person)
                return None
            self.clinicians.release(person)
            yield self.env.timeout(clinical.callback_retry_delay_min)

    def _close(self, call: Call, outcome: int, disposition: int) -> None:
        call.outcome, call.end_min, call.disposition = outcome, self.env.now, disposition

    def _referral(self, call: Call) -> int | None:
        """The service the disposition sends the patient to: one uniform split by shares."""
        if call.disposition == rec.NO_DISPOSITION:
            return None
        u = call.draws.downstream_u
        for k, share in self.referrals[call.disposition]:
            if u < share:
                return k
            u -= share
        return None

    def _downstream(self, call: Call) -> Journey:
        """Referral by disposition, then the wait at that service (most urgent, then oldest)."""
        k = self._referral(call)
        if k is None:
            return
        klass = call.draws.service_class[k]
        call.downstream, call.downstream_class = k, klass
        key = (klass, self.env.now, next(self.tickets))
        person = yield self.services[k].request(key, _anyone)
        call.downstream_start_min = self.env.now
        yield self.env.timeout(call.draws.service_min[k])
        call.downstream_end_min = self.env.now
        self.services[k].release(person)


_DRAWN = (  # the CallerDraws columns read as they are, in the order of Draws
    *("patience_min", "triaged", "advisor_handle_min", "clinical_u", "priority"),
    *("advisor_disposition", "clinician_disposition", "callback_attempts_needed"),
    *("redials", "redial_delay_min", "downstream_u"),
)


def _drawn(scenario: Scenario, d: CallerDraws) -> list[Draws]:
    """Each call's :class:`Draws`: durations by each group's inverse CDF, as the engine."""
    n = d.patience_min.size

    def per_group(columns: list[np.ndarray]) -> list[tuple[Any, ...]]:
        return list(zip(*(c.tolist() for c in columns), strict=True)) if columns else [()] * n

    def klass(service: Any) -> np.ndarray:
        cum = np.cumsum([c.share for c in service.classes])
        cum /= cum[-1]
        return np.minimum(np.searchsorted(cum, d.downstream_class_u, side="right"), len(cum) - 1)

    columns = [getattr(d, name) for name in _DRAWN]
    groups = (
        per_group([g.handle_time.quantile(d.clinician_u) for g in scenario.clinicians]),
        per_group([p.handle_time.quantile(d.provider_u) for p in scenario.providers]),
        per_group([s.handle_time.quantile(d.downstream_handle_u) for s in scenario.downstream]),
        per_group([klass(s) for s in scenario.downstream]),
    )
    rows = zip(*(c.tolist() for c in columns), *groups, strict=True)
    return [Draws(*row) for row in rows]


_CODES = ("outcome", "priority", "clinician_group", "disposition", "provider", "downstream")
_DTYPES: dict[str, Any] = {  # CallRecords columns that are not float64 minutes
    "caller_id": np.int64,
    **dict.fromkeys(("attempt", "callback_attempts"), np.int16),
    **dict.fromkeys((*_CODES, "downstream_class"), np.int8),
    **dict.fromkeys(("triaged", "clinical", "warm_transfer", "bounced"), bool),
}


def _call_records(calls: list[Call]) -> CallRecords:
    def value(call: Call, name: str) -> Any:
        if name in ("patience_min", "handle_min", "triaged"):
            return getattr(call.draws, name)
        return getattr(call, name)

    columns = {
        f.name: np.array([value(c, f.name) for c in calls], _DTYPES.get(f.name, np.float64))
        for f in fields(CallRecords)
    }
    return CallRecords(**columns)


def simulate_reference(scenario: Scenario, replication: int, seed: int) -> RunRecords:
    """Simulate one replication of ``scenario`` with the reference model; as ``simulate``."""
    run = scenario.run
    env = simpy.Environment()
    centre = ReferenceCentre(env, scenario, RandomStreams(seed, replication))
    env.run(until=run.horizon_min)
    return RunRecords(
        calls=_call_records(centre.calls),
        advisors=StepLog.from_changes(centre.advisors.changes),
        clinicians=StepLog.from_changes(centre.clinicians.changes),
        clinicians_busy=StepLog.from_changes(centre.busy_changes, chronological=False),
        awaiting_clinician=StepLog.from_changes(centre.awaiting_changes, chronological=False),
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
