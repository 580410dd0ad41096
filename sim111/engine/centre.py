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

The model is event-lean: no SimPy process per caller. Shift changes are SimPy
timeouts; patience expiries, redials and the end of each task are bare
wake-ups on SimPy's event heap (see ``CallCentre._at``); first-attempt
arrivals are merged into the loop from their sorted array. Their callbacks
move calls between queues and people. Callbacks only log timestamps and
outcomes; KPIs are computed afterwards by :mod:`sim111.measures.kpis`. Everything about
a call that follows from its draws (durations, how its advisor call ends, its
urgency class downstream) is computed per batch before the run. A logged time
is the clock at an event, and the clock is set to exactly the time the event
was scheduled for (answer + handling, say), so a wait is never negative by a
rounding error.
"""

from __future__ import annotations

import gc
import heapq
import math
from array import array
from bisect import bisect_left
from collections import deque
from heapq import heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL

from sim111.engine.calendar import run_days
from sim111.engine.callers import CallerDraws, draw_callers
from sim111.engine.demand import arrival_times_min, cumulative_intensity, day_factors
from sim111.engine.overflow import QueueState, choose_provider
from sim111.engine.pools import StaffPool
from sim111.engine.records import (
    ABANDONED,
    AWAITING_CLINICIAN_AT_END,
    CALLBACK_FAILED,
    CLOSED_BY_ADVISOR,
    CLOSED_BY_CLINICIAN,
    CLOSED_BY_PROVIDER,
    CLOSED_NO_TRIAGE,
    LOST_AT_OVERFLOW,
    NO_DISPOSITION,
    NO_PRIORITY,
    QUEUED_AT_END,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_ADVISOR_AT_END,
    WITH_CLINICIAN_AT_END,
    WITH_PROVIDER_AT_END,
    CallRecords,
    RunRecords,
    StepLog,
)
from sim111.engine.roster import shift_blocks
from sim111.engine.streams import RandomStreams
from sim111.scenario import (
    DISPOSITIONS,
    MINUTES_PER_DAY,
    DownstreamService,
    Provider,
    Scenario,
)

REDIAL_BATCH = 256
# The drawn columns the engine reads during a run (the uniforms behind durations
# and urgency classes are turned into those before it: see _input_columns).
_COLUMNS = {  # name -> array typecode (see _compact)
    "patience_min": "d",
    "triaged": "b",
    "advisor_handle_min": "d",
    "clinical_u": "d",
    "priority": "b",
    "advisor_disposition": "b",
    "clinician_disposition": "b",
    "callback_attempts_needed": "q",
    "redials": "b",
    "redial_delay_min": "d",
    "downstream_u": "d",
}


_NUMPY_TYPES = {"d": np.float64, "b": np.int8, "h": np.int16, "q": np.int64}

# The per-call columns the engine writes: name -> (array typecode, blank value).
# ``d`` float64 minutes (NaN: not reached), ``b`` int8 codes and flags, ``h`` int16.
_OUTPUTS: dict[str, tuple[str, Any]] = {
    "answer_min": ("d", math.nan),
    "advisor_end_min": ("d", math.nan),
    "end_min": ("d", math.nan),
    "outcome": ("b", QUEUED_AT_END),
    "entered_clinical": ("b", False),
    "warm": ("b", False),
    "cb_attempts": ("h", 0),
    "contact_min": ("d", math.nan),
    "first_attempt_min": ("d", math.nan),
    "clinician_end_min": ("d", math.nan),
    "clinician_group": ("b", -1),
    "disposition": ("b", NO_DISPOSITION),
    "provider": ("b", -1),
    "provider_start_min": ("d", math.nan),
    "bounced": ("b", False),
    "downstream": ("b", -1),
    "downstream_class": ("b", -1),
    "downstream_start_min": ("d", math.nan),
    "downstream_end_min": ("d", math.nan),
}


class CallCentre:
    """The state of one replication: calls, queues and staff, driven by SimPy events.

    Drive it with :meth:`run`, not ``env.run()``: the engine's own wake-ups on
    SimPy's heap are bare tuples that only :meth:`run` knows how to dispatch.
    It relies on SimPy 4's ``Environment`` internals (``_queue``, ``_eid``,
    ``_now``), hence the ``simpy<5`` pin.
    """

    # per-call attributes (see CallerDraws), one list entry per offered call
    patience_min: array[float]
    triaged: array[int]
    advisor_handle_min: array[float]
    clinical_u: array[float]
    priority: array[int]
    advisor_disposition: array[int]
    clinician_disposition: array[int]
    callback_attempts_needed: array[int]
    redials: array[int]
    redial_delay_min: array[float]
    downstream_u: array[float]
    # per-call results (see _OUTPUTS), one entry per offered call
    answer_min: array[float]
    advisor_end_min: array[float]
    end_min: array[float]
    outcome: array[int]
    entered_clinical: array[int]
    warm: array[int]
    cb_attempts: array[int]
    contact_min: array[float]
    first_attempt_min: array[float]
    clinician_end_min: array[float]
    clinician_group: array[int]
    disposition: array[int]
    provider: array[int]
    provider_start_min: array[float]
    bounced: array[int]
    downstream: array[int]
    downstream_class: array[int]
    downstream_start_min: array[float]
    downstream_end_min: array[float]

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        arrivals: np.ndarray,
        draws: CallerDraws,
        streams: RandomStreams | None = None,
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.streams = streams
        self.horizon = scenario.run.horizon_min
        self._day_types = tuple(
            d.day_type for d in run_days(scenario.run.start_date, scenario.run.days)
        )
        # P(clinical input | triaged) for calls arriving on each run day
        triage = scenario.triage
        self._clinical_p = [
            triage.clinical_share_on(t) / triage.triaged_share if triage.triaged_share else 0.0
            for t in self._day_types
        ]
        n = arrivals.size
        self.arrival = _compact(arrivals, "d")
        self.caller_id = _compact(np.arange(n), "q")
        self.attempt = array("h", [0]) * n
        # every input column, a typed array; redials append to them all
        self._inputs = _input_columns(scenario, draws)
        for name, column in zip(_COLUMNS, self._inputs, strict=False):
            setattr(self, name, column)
        derived = iter(self._inputs[len(_COLUMNS) :])
        self._clinician_min = [next(derived) for _ in scenario.clinicians]
        self._provider_min = [next(derived) for _ in scenario.providers]
        self._downstream_min = [next(derived) for _ in scenario.downstream]
        self._downstream_class = [next(derived) for _ in scenario.downstream]
        self.advisor_ends_as = self._advisor_ends(arrivals, draws.triaged, draws.clinical_u)
        # what the engine writes per call: typed arrays, handed to numpy uncopied
        self._outputs = [array(code, [blank]) * n for code, blank in _OUTPUTS.values()]
        for name, results in zip(_OUTPUTS, self._outputs, strict=True):
            setattr(self, name, results)
        self.waiting = 0  # calls in the advisor queue who have not hung up
        self._redial_pending: list[tuple[Any, ...]] = []

        self.queue: deque[int] = deque()
        self.advisors = StaffPool(
            env,
            [shift_blocks(scenario.advisors, scenario.run.start_date, scenario.run.days)],
            self._advisor_free,
        )

        clinical = scenario.clinical
        self._warm_ok = [p.warm_transfer for p in clinical.priorities]
        self._targets = [p.target_min for p in clinical.priorities]
        self._by_deadline = clinical.discipline == "deadline"
        names = [p.name for p in clinical.priorities]
        self._serves = [
            frozenset(names.index(s) for s in g.serves) if g.serves else None
            for g in scenario.clinicians
        ]
        self._all_serve_all = all(s is None for s in self._serves)
        self.holding: deque[int] = deque()
        self.is_holding: set[int] = set()
        self.callbacks: list[tuple[float, float, int, int]] = []
        self._seq = 0
        self.clinicians = StaffPool(
            env,
            [
                shift_blocks(g, scenario.run.start_date, scenario.run.days)
                for g in scenario.clinicians
            ],
            self._clinician_free,
        )
        self.overflow_rules = scenario.overflow
        self._provider_index = {p.name: k for k, p in enumerate(scenario.providers)}
        self.desks = [ProviderDesk(self, k, p) for k, p in enumerate(scenario.providers)]
        self.services = [ServiceDesk(self, k, d) for k, d in enumerate(scenario.downstream)]
        self.referrals: list[list[tuple[int, float]]] = [
            [(k, d.share) for k, d in enumerate(scenario.downstream) if d.takes == name]
            for name in DISPOSITIONS
        ]
        triage = scenario.triage
        self._mean_handle_min = scenario.advisors.handle_time.mean_min
        if triage.untriaged_handle_time is not None:
            self._mean_handle_min = (
                triage.triaged_share * self._mean_handle_min
                + (1 - triage.triaged_share) * triage.untriaged_handle_time.mean_min
            )
        self.busy_changes: list[tuple[float, int]] = []
        self.awaiting_changes: list[tuple[float, int]] = []

        self._n_first = n
        self._advisor_done_cb = self._advisor_done
        # SimPy's pending events: a heap of (time, priority, id, event) and of the
        # engine's own (time, priority, id, callback, value) wake-ups
        self._heap: list[tuple[Any, ...]] = env._queue
        self._eid = env._eid
        # With no redials and no overflow rule reading the live queue, nothing depends
        # on *when* a caller hangs up until an advisor reaches them, so abandonment
        # can be decided then (exactly: FIFO, the same times) instead of by a timer.
        self._lazy_abandonment = scenario.callers.redial_probability == 0 and not scenario.overflow

    def _at(self, time_min: float, callback: Any, value: Any) -> None:
        """Call ``callback(value)`` at ``time_min``.

        The wake-up goes straight onto SimPy's event heap as a 5-tuple
        ``(time, priority, id, callback, value)``, numbered by the environment's
        id counter, so it is ordered exactly as a SimPy ``Timeout`` would be; a
        full event object per call costs more than the call's own logic.
        """
        heappush(self._heap, (time_min, NORMAL, next(self._eid), callback, value))

    # arrivals and the advisor queue ------------------------------------
    def run(self, until: float) -> None:
        """Advance the simulation to ``until``, feeding first-attempt arrivals in.

        First attempts are known in advance and sorted, so they are merged into
        SimPy's event loop here rather than scheduled as one event each: the
        events due no later than the next arrival are processed, then that
        arrival is offered. Events at exactly ``until`` are not processed (as
        ``env.run(until)``).
        """
        env = self.env
        queue = env._queue  # the pending events, a heap of (time, priority, id, event)
        offer = self._offer
        due = bisect_left(self.arrival, until, 0, self._n_first)
        # the first-attempt arrivals before `until`, then a stop just before it
        stops = self.arrival[:due]
        stops.append(math.nextafter(until, -math.inf))
        for i, t in enumerate(stops):
            while queue and queue[0][0] <= t:  # events first at equal times
                item = heappop(queue)
                env._now = item[0]
                if len(item) == 5:  # the engine's own wake-up (see _at)
                    item[3](item[4])
                    continue
                # a SimPy event (shift changes): env.step(), inlined
                event: Any = item[3]
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok and not hasattr(event, "_defused"):
                    raise event._value
            if i < due:
                env._now = t
                offer(i)
        env._now = until
        if self._lazy_abandonment:
            self._abandon_lazily(until)

    def _offer(self, call: int) -> None:
        idle = self.advisors.idle
        if idle:  # take(), inlined: the advisor idle longest
            agent = next(iter(idle))
            del idle[agent]
            self._answer(call, agent, self.arrival[call])
            return
        if self.overflow_rules and self._overflow(call):
            return
        self.queue.append(call)
        self.waiting += 1
        if not self._lazy_abandonment:
            self._at(self.arrival[call] + self.patience_min[call], self._patience_runs_out, call)

    # overflow -----------------------------------------------------------
    def _overflow(self, call: int) -> bool:
        """Send ``call`` to a provider if a rule fires; ``True`` if it left the 111 queue."""
        now = self.env._now
        day = min(int(now // MINUTES_PER_DAY), len(self._day_types) - 1)
        state = QueueState(
            queue_length=self.waiting,
            advisors_on_duty=self.advisors.on_duty,
            mean_handle_min=self._mean_handle_min,
            day_type=self._day_types[day],
            minute_of_day=now - day * MINUTES_PER_DAY,
        )
        name = choose_provider(self.overflow_rules, state)
        if name is None:
            return False
        k = self._provider_index[name]
        desk = self.desks[k]
        if desk.accepts(now):
            desk.accept(call)
            return True
        if self.scenario.providers[k].when_full == "lost":
            self.provider[call] = k
            self._close(call, max(now, self.arrival[call]), LOST_AT_OVERFLOW, NO_DISPOSITION)
            return True
        self.bounced[call] = True
        return False

    def _patience_runs_out(self, call: int) -> None:
        if self.outcome[call] != QUEUED_AT_END:
            return
        end = self.arrival[call] + self.patience_min[call]
        self.waiting -= 1
        self.outcome[call] = ABANDONED
        self.end_min[call] = end
        if self.redials[call]:
            again = end + self.redial_delay_min[call]
            if again < self.horizon:
                self._at(again, self._offer, self._new_redial(call, again))

    def _answer(self, call: int, agent: int, answer: float) -> None:
        # the hot path: _at() inlined; `answer` is the clock (never before the arrival)
        self.answer_min[call] = answer
        self.outcome[call] = WITH_ADVISOR_AT_END
        self.advisors.task[agent] = call
        heappush(
            self._heap,
            (
                answer + self.advisor_handle_min[call],
                NORMAL,
                next(self._eid),
                self._advisor_done_cb,
                agent,
            ),
        )

    def _advisor_free(self, agent: int) -> None:
        queue, outcome = self.queue, self.outcome
        lazy, now = self._lazy_abandonment, self.env._now
        while queue:
            call = queue.popleft()
            if outcome[call] != QUEUED_AT_END:  # hung up (timer) or sent elsewhere
                continue
            self.waiting -= 1
            gave_up = self.arrival[call] + self.patience_min[call]
            if lazy and gave_up <= now:  # hung up before this advisor was free
                outcome[call] = ABANDONED
                self.end_min[call] = gave_up
                continue
            self._answer(call, agent, now)
            return
        self.advisors.idle[agent] = None  # make_idle(), inlined

    def _abandon_lazily(self, until: float) -> None:
        """At the end of the run: callers still queued whose patience ran out, hung up."""
        for call in self.queue:
            gave_up = self.arrival[call] + self.patience_min[call]
            if self.outcome[call] == QUEUED_AT_END and gave_up < until:
                self.outcome[call] = ABANDONED
                self.end_min[call] = gave_up
                self.waiting -= 1

    def _advisor_done(self, agent: int) -> None:
        pool = self.advisors
        call = pool.task[agent]
        # the clock is exactly answer + handle: the time this wake-up was set for
        end = self.env._now
        self.advisor_end_min[call] = end
        if pool.off_at[agent] <= end:  # release(), inlined: the shift is over
            pool.changes.append((end, -1))
            pool.on_duty -= 1
        else:
            self._advisor_free(agent)
        ends_as = self.advisor_ends_as[call]
        if ends_as == CLOSED_BY_ADVISOR:
            self._close(call, end, CLOSED_BY_ADVISOR, self.advisor_disposition[call])
        elif ends_as == CLOSED_NO_TRIAGE:
            self._close(call, end, CLOSED_NO_TRIAGE, NO_DISPOSITION)
        else:
            self._to_clinical(call, end)

    def _advisor_ends(
        self, arrival_min: np.ndarray, triaged: np.ndarray, clinical_u: np.ndarray
    ) -> array[int]:
        """How each advisor call will end, known from its draws: closed untriaged,
        closed with the advisor's disposition, or on to a clinician
        (``AWAITING_CLINICIAN_AT_END``) — by P(clinical | triaged) on the day the
        call arrived."""
        day = (arrival_min // MINUTES_PER_DAY).astype(np.int64)
        clinical = triaged & (clinical_u < np.asarray(self._clinical_p)[day])
        ends_as = np.where(
            triaged,
            np.where(clinical, AWAITING_CLINICIAN_AT_END, CLOSED_BY_ADVISOR),
            CLOSED_NO_TRIAGE,
        )
        return _compact(ends_as, "b")

    def _close(self, call: int, end: float, outcome: int, disposition: int) -> None:
        self.outcome[call] = outcome
        self.end_min[call] = end
        self.disposition[call] = disposition
        if disposition >= 0 and self.referrals[disposition]:
            self._refer(call, end, disposition)

    def _refer(self, call: int, at: float, disposition: int) -> None:
        """Book the patient into the downstream service this disposition leads to, if any."""
        u = self.downstream_u[call]
        for k, share in self.referrals[disposition]:
            if u < share:
                self.services[k].refer(call, at)
                return
            u -= share

    # the clinical stage ---------------------------------------------------
    def _eligible(self, priority: int) -> Any:
        def ok(group: int) -> bool:
            serves = self._serves[group]
            return serves is None or priority in serves

        return ok

    def _take_clinician(self, priority: int) -> int | None:
        if self._all_serve_all:
            return self.clinicians.take()
        return self.clinicians.take_where(self._eligible(priority))

    def _to_clinical(self, call: int, now: float) -> None:
        self.entered_clinical[call] = True
        self.outcome[call] = AWAITING_CLINICIAN_AT_END
        self.awaiting_changes.append((now, 1))
        priority = self.priority[call]
        if self._warm_ok[priority]:
            agent = self._take_clinician(priority)
            if agent is not None:
                self.warm[call] = True
                self._assess(call, agent, now)
                return
            hold = self.scenario.clinical.warm_transfer_hold_max_min
            if hold > 0:
                self.holding.append(call)
                self.is_holding.add(call)
                self._at(now + hold, self._hold_expires, call)
                return
        self._enqueue_callback(call)

    def _hold_expires(self, call: int) -> None:
        if call in self.is_holding:
            self.is_holding.discard(call)
            self._enqueue_callback(call)

    def _enqueue_callback(self, call: int) -> None:
        entered = self.advisor_end_min[call]
        priority = self.priority[call]
        first = entered + self._targets[priority] if self._by_deadline else float(priority)
        self._seq += 1
        heapq.heappush(self.callbacks, (first, entered, self._seq, call))
        if self.clinicians.idle:  # e.g. a class not put through live, or a retry
            agent = self._take_clinician(priority)
            if agent is not None:
                self._clinician_free(agent)

    def _next_holding(self, group: int) -> int | None:
        holding = self.holding
        for _ in range(len(holding)):
            call = holding.popleft()
            if call not in self.is_holding:
                continue  # already moved to the call-back queue
            serves = self._serves[group]
            if serves is None or self.priority[call] in serves:
                self.is_holding.discard(call)
                return call
            holding.append(call)
        return None

    def _next_callback(self, group: int) -> int | None:
        serves = self._serves[group]
        if serves is None:
            return heapq.heappop(self.callbacks)[3] if self.callbacks else None
        skipped = []
        found = None
        while self.callbacks:
            item = heapq.heappop(self.callbacks)
            if self.priority[item[3]] in serves:
                found = item[3]
                break
            skipped.append(item)
        for item in skipped:
            heapq.heappush(self.callbacks, item)
        return found

    def _clinician_free(self, agent: int) -> None:
        group = self.clinicians.group_of[agent]
        call = self._next_holding(group) if self.holding else None
        if call is not None:
            self.warm[call] = True
            self._assess(call, agent, self.env._now)
            return
        call = self._next_callback(group)
        if call is not None:
            self._attempt(call, agent)
            return
        self.clinicians.make_idle(agent)

    def _attempt(self, call: int, agent: int) -> None:
        self.cb_attempts[call] += 1
        if self.cb_attempts[call] == 1:
            self.first_attempt_min[call] = max(self.env._now, self.advisor_end_min[call])
        if self.cb_attempts[call] >= self.callback_attempts_needed[call]:
            self._assess(call, agent, self.env._now)
            return
        self.busy_changes.append((self.env._now, 1))
        self.clinicians.task[agent] = call
        done = self.env._now + self.scenario.clinical.callback_no_answer_min
        self._at(done, self._attempt_unanswered, agent)

    def _attempt_unanswered(self, agent: int) -> None:
        call = self.clinicians.task[agent]
        now = self.env._now
        self.busy_changes.append((now, -1))
        clinical = self.scenario.clinical
        if self.cb_attempts[call] >= clinical.callback_max_attempts:
            self._close(call, now, CALLBACK_FAILED, NO_DISPOSITION)
            self.awaiting_changes.append((now, -1))
        else:
            self._at(now + clinical.callback_retry_delay_min, self._retry, call)
        self.clinicians.release(agent)

    def _retry(self, call: int) -> None:
        self._enqueue_callback(call)

    def _assess(self, call: int, agent: int, now: float) -> None:
        now = max(now, self.advisor_end_min[call])  # the clock may trail by a rounding error
        self.contact_min[call] = now
        self.awaiting_changes.append((now, -1))
        self.busy_changes.append((now, 1))
        self.outcome[call] = WITH_CLINICIAN_AT_END
        group = self.clinicians.group_of[agent]
        self.clinician_group[call] = group
        self.clinicians.task[agent] = call
        self._at(now + self._clinician_min[group][call], self._assessment_done, agent)

    def _assessment_done(self, agent: int) -> None:
        call = self.clinicians.task[agent]
        now = self.env._now
        self.clinician_end_min[call] = now
        self.busy_changes.append((now, -1))
        self._close(call, now, CLOSED_BY_CLINICIAN, self.clinician_disposition[call])
        self.clinicians.release(agent)

    # redials --------------------------------------------------------------
    def _new_redial(self, caller_call: int, arrival: float) -> int:
        """Append a redial of ``caller_call`` arriving at ``arrival``; return its id."""
        if not self._redial_pending:
            self._draw_redials()
        row = self._redial_pending.pop()
        call = len(self.arrival)
        self.arrival.append(arrival)
        self.caller_id.append(self.caller_id[caller_call])
        self.attempt.append(self.attempt[caller_call] + 1)
        for column, value in zip(self._inputs, row, strict=True):
            column.append(value)
        self.advisor_ends_as.extend(
            self._advisor_ends(
                np.array([arrival]),
                np.array([self.triaged[call]], dtype=bool),
                np.array([self.clinical_u[call]]),
            )
        )
        for results, (_, blank) in zip(self._outputs, _OUTPUTS.values(), strict=True):
            results.append(blank)
        return call

    def _draw_redials(self) -> None:
        # Redials draw from their own streams in batches, in the order they occur,
        # so first attempts keep their numbers whatever happens to redials.
        assert self.streams is not None
        streams = self.streams
        draws = draw_callers(
            self.scenario, lambda name: streams.generator(f"redial.{name}"), REDIAL_BATCH
        )
        rows = list(zip(*_input_columns(self.scenario, draws), strict=True))
        self._redial_pending = rows[::-1]

    # the end ---------------------------------------------------------------
    def records(self) -> CallRecords:
        """The per-call columns as numpy arrays (without a copy where the type fits)."""

        def column(name: str, dtype: Any = np.float64) -> np.ndarray:
            values = getattr(self, name)
            return np.frombuffer(values, dtype=values.typecode).astype(dtype, copy=False)

        clinical = column("entered_clinical", bool)
        return CallRecords(
            caller_id=column("caller_id", np.int64),
            attempt=column("attempt", np.int16),
            arrival_min=column("arrival"),
            patience_min=column("patience_min"),
            handle_min=column("advisor_handle_min"),
            answer_min=column("answer_min"),
            advisor_end_min=column("advisor_end_min"),
            end_min=column("end_min"),
            outcome=column("outcome", np.int8),
            triaged=column("triaged", bool),
            clinical=clinical,
            priority=np.where(clinical, column("priority", np.int8), np.int8(NO_PRIORITY)),
            warm_transfer=column("warm", bool),
            callback_attempts=column("cb_attempts", np.int16),
            contact_min=column("contact_min"),
            first_attempt_min=column("first_attempt_min"),
            clinician_end_min=column("clinician_end_min"),
            clinician_group=column("clinician_group", np.int8),
            disposition=column("disposition", np.int8),
            provider=column("provider", np.int8),
            provider_start_min=column("provider_start_min"),
            bounced=column("bounced", bool),
            downstream=column("downstream", np.int8),
            downstream_class=column("downstream_class", np.int8),
            downstream_start_min=column("downstream_start_min"),
            downstream_end_min=column("downstream_end_min"),
        )


class ProviderDesk:
    """An overflow provider: its staff, its FIFO queue and its acceptance limits."""

    def __init__(self, centre: CallCentre, index: int, provider: Provider) -> None:
        self.centre = centre
        self.index = index
        self.provider = provider
        run = centre.scenario.run
        self.queue: deque[int] = deque()
        self.taken_in_hour: dict[int, int] = {}
        self.staff = StaffPool(
            centre.env, [shift_blocks(provider, run.start_date, run.days)], self._free
        )

    def accepts(self, now: float) -> bool:
        """Whether the provider can take one more call now."""
        p = self.provider
        capped = (
            p.max_calls_per_hour is not None
            and self.taken_in_hour.get(int(now // 60), 0) >= p.max_calls_per_hour
        )
        queue_full = (
            p.max_queue is not None and not self.staff.idle and len(self.queue) >= p.max_queue
        )
        return not (capped or queue_full)

    def accept(self, call: int) -> None:
        """Take ``call``: to a free person, or to the back of the queue."""
        c = self.centre
        hour = int(c.env._now // 60)
        self.taken_in_hour[hour] = self.taken_in_hour.get(hour, 0) + 1
        c.provider[call] = self.index
        c.outcome[call] = QUEUED_AT_PROVIDER_AT_END
        agent = self.staff.take()
        if agent is None:
            self.queue.append(call)
        else:
            self._start(call, agent)

    def _free(self, agent: int) -> None:
        if self.queue:
            self._start(self.queue.popleft(), agent)
        else:
            self.staff.make_idle(agent)

    def _start(self, call: int, agent: int) -> None:
        c = self.centre
        now = max(c.env._now, c.arrival[call])
        c.provider_start_min[call] = now
        c.outcome[call] = WITH_PROVIDER_AT_END
        self.staff.task[agent] = call
        c._at(now + c._provider_min[self.index][call], self._done, agent)

    def _done(self, agent: int) -> None:
        call = self.staff.task[agent]
        c = self.centre
        c._close(call, c.env._now, CLOSED_BY_PROVIDER, NO_DISPOSITION)
        self.staff.release(agent)


class ServiceDesk:
    """A downstream service: its clinicians and a queue by urgency class, then age."""

    def __init__(self, centre: CallCentre, index: int, service: DownstreamService) -> None:
        self.centre = centre
        self.index = index
        self.service = service
        run = centre.scenario.run
        self.queue: list[tuple[int, float, int]] = []  # (class, referred at, call)
        self.staff = StaffPool(
            centre.env, [shift_blocks(service, run.start_date, run.days)], self._free
        )

    def refer(self, call: int, at: float) -> None:
        """A patient referred at ``at``: seen now if someone is free, else queued."""
        c = self.centre
        klass = c._downstream_class[self.index][call]
        c.downstream[call] = self.index
        c.downstream_class[call] = klass
        agent = self.staff.take()
        if agent is None:
            heapq.heappush(self.queue, (klass, at, call))
        else:
            self._start(call, agent, at)

    def _free(self, agent: int) -> None:
        if self.queue:
            _, at, call = heapq.heappop(self.queue)
            self._start(call, agent, at)
        else:
            self.staff.make_idle(agent)

    def _start(self, call: int, agent: int, referred: float) -> None:
        c = self.centre
        now = max(c.env._now, referred)
        c.downstream_start_min[call] = now
        self.staff.task[agent] = call
        c._at(now + c._downstream_min[self.index][call], self._done, agent)

    def _done(self, agent: int) -> None:
        call = self.staff.task[agent]
        self.centre.downstream_end_min[call] = self.centre.env._now
        self.staff.release(agent)


def _compact(values: np.ndarray, typecode: str) -> array[Any]:
    """A numpy column as a typed ``array.array``: ``d`` float64, ``b`` int8 (codes
    and flags), ``h`` int16, ``q`` int64.

    The engine indexes these one element at a time; a list would hold a Python
    object per call (32 bytes a float), which a year-long replication feels.
    """
    return array(typecode, np.asarray(values).astype(_NUMPY_TYPES[typecode]).tobytes())


def _input_columns(scenario: Scenario, draws: CallerDraws) -> list[array[Any]]:
    """Per-call inputs as typed arrays, in a fixed order: the drawn columns (``_COLUMNS``),
    then what follows from them by each group's own distribution — the handling
    time with each clinician group, with each provider and at each downstream
    service, then the urgency class at each downstream service.

    Computed for a whole batch at once (one vectorised inverse CDF per group)
    rather than per call as it is needed.
    """
    columns = [_compact(getattr(draws, name), code) for name, code in _COLUMNS.items()]
    for group in scenario.clinicians:
        columns.append(_compact(group.handle_time.quantile(draws.clinician_u), "d"))
    for provider in scenario.providers:
        columns.append(_compact(provider.handle_time.quantile(draws.provider_u), "d"))
    for service in scenario.downstream:
        columns.append(_compact(service.handle_time.quantile(draws.downstream_handle_u), "d"))
    for service in scenario.downstream:
        cum = np.cumsum([c.share for c in service.classes])
        cum /= cum[-1]
        klass = np.searchsorted(cum, draws.downstream_class_u, side="right")
        columns.append(_compact(np.minimum(klass, len(cum) - 1), "b"))
    return columns


def draw_arrivals(scenario: Scenario, streams: RandomStreams) -> np.ndarray:
    """First-attempt arrival times in minutes, sorted."""
    run = scenario.run
    days = run_days(run.start_date, run.days)
    factors = day_factors(scenario.demand, len(days), streams.generator("day_factor"))
    t_knots, cum = cumulative_intensity(scenario.demand, days, factors)
    return arrival_times_min(t_knots, cum, streams.generator("arrivals"))


def simulate(scenario: Scenario, replication: int, seed: int) -> RunRecords:
    """Simulate one replication of ``scenario`` and return its records."""
    run = scenario.run
    # A replication allocates hundreds of thousands of small objects and makes no
    # reference cycles it does not break itself (below): the cyclic collector
    # would only cost time, scanning them all when it is switched back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        streams = RandomStreams(seed, replication)
        arrivals = draw_arrivals(scenario, streams)
        draws = draw_callers(scenario, streams.generator, arrivals.size)
        env = simpy.Environment()
        centre = CallCentre(env, scenario, arrivals, draws, streams)
        centre.run(run.horizon_min)
        records = RunRecords(
            calls=centre.records(),
            advisors=StepLog.from_changes(centre.advisors.changes),
            clinicians=StepLog.from_changes(centre.clinicians.changes),
            # logged as events happen, but some carry drawn (not clock) times
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
        # The centre, its staff pools and the pending events refer to each other
        # (callbacks), so only the cyclic collector would free them: break the
        # cycles, and reference counting frees the per-call state at once — a
        # long sweep never holds two replications' working state.
        centre.__dict__.clear()
        env._queue.clear()
    finally:
        if collecting:
            gc.enable()
    return records
