"""The call journey in SimPy: queue for a health advisor, answer or abandon.

The model is event-lean: rather than one SimPy process per caller, arrivals,
patience expiries, service completions and shift changes are timeouts whose
callbacks move calls between a FIFO queue and the advisors. Callbacks only
log (timestamps and outcomes into preallocated lists); KPIs are computed
afterwards by :mod:`sim111.kpis`.

Advisors are individuals with a shift end time. Routing gives a call to the
advisor who has been idle longest. When a shift ends, its idle advisors go
home at once; busy ones finish the call in hand and then go.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim111.calendar import run_days
from sim111.demand import arrival_times_min, cumulative_intensity, day_factors
from sim111.records import (
    ABANDONED,
    COMPLETED,
    IN_SERVICE_AT_END,
    QUEUED_AT_END,
    CallRecords,
    RunRecords,
    StaffLog,
)
from sim111.roster import ShiftBlock, shift_blocks
from sim111.scenario import Scenario
from sim111.streams import RandomStreams

SECONDS_PER_MIN = 60.0


@dataclass(frozen=True)
class CallInputs:
    """Every caller's random attributes, drawn up front from their own streams."""

    arrival_min: np.ndarray
    patience_min: np.ndarray
    handle_min: np.ndarray


def draw_inputs(scenario: Scenario, streams: RandomStreams) -> CallInputs:
    """Arrival times and, for each call in order, its patience and handling time.

    Each attribute has its own stream and the i-th call takes the i-th draw of
    each, so variants of a scenario share callers (common random numbers).
    """
    run = scenario.run
    days = run_days(run.start_date, run.days)
    factors = day_factors(scenario.demand, len(days), streams.generator("day_factor"))
    t_knots, cum = cumulative_intensity(scenario.demand, days, factors)
    arrivals = arrival_times_min(t_knots, cum, streams.generator("arrivals"))
    n = arrivals.size
    callers = scenario.callers
    patience = callers.patience.sample(streams.generator("patience"), n)
    # One uniform per caller: below the share it is a quick hang-up, and rescaled
    # it gives how soon (uniform up to quick_hangup_max_s).
    share = callers.quick_hangup_share
    u = streams.generator("quick_hangup").random(n)
    is_quick = u < share
    quick_wait_min = np.divide(u, share, out=np.zeros(n), where=is_quick) * (
        callers.quick_hangup_max_s / SECONDS_PER_MIN
    )
    patience = np.where(is_quick, np.minimum(patience, quick_wait_min), patience)
    handle = scenario.advisors.handle_time.sample(streams.generator("advisor_handle"), n)
    return CallInputs(arrivals, patience, handle)


class AdvisorQueue:
    """A FIFO queue served by rostered advisors, with impatient callers."""

    def __init__(
        self, env: simpy.Environment, inputs: CallInputs, blocks: tuple[ShiftBlock, ...]
    ) -> None:
        self.env = env
        self.inputs = inputs
        n = inputs.arrival_min.size
        self._arrival = inputs.arrival_min.tolist()
        self._patience = inputs.patience_min.tolist()
        self._handle = inputs.handle_min.tolist()
        self.answer_min = [math.nan] * n
        self.end_min = [math.nan] * n
        self.outcome = [QUEUED_AT_END] * n
        self.queue: deque[int] = deque()
        self.idle: dict[int, None] = {}
        self.off_at: list[float] = []
        self.call_of: list[int] = []
        self.staff_changes: list[tuple[float, int]] = []
        self._next = 0
        for block in blocks:
            self._at(max(block.start_min, 0.0), self._shift_starts, block)
        self._schedule_arrival()

    def _at(self, time_min: float, callback, value) -> None:  # type: ignore[no-untyped-def]
        event = self.env.timeout(time_min - self.env.now, value)
        event.callbacks.append(callback)

    # arrivals -----------------------------------------------------------
    def _schedule_arrival(self) -> None:
        if self._next < len(self._arrival):
            self._at(self._arrival[self._next], self._arrives, self._next)
            self._next += 1

    def _arrives(self, event: Any) -> None:  # a simpy Timeout
        call = event.value
        self._schedule_arrival()
        if self.idle:
            agent = next(iter(self.idle))
            del self.idle[agent]
            self._answer(call, agent)
        else:
            self.queue.append(call)
            self._at(self.env.now + self._patience[call], self._patience_runs_out, call)

    def _patience_runs_out(self, event: Any) -> None:  # a simpy Timeout
        call = event.value
        if self.outcome[call] == QUEUED_AT_END:
            self.outcome[call] = ABANDONED
            self.end_min[call] = self._arrival[call] + self._patience[call]

    # service ------------------------------------------------------------
    # Timestamps are logged from the drawn times, not read off the clock: the
    # clock is now + delay, which can differ from the drawn time in the last bit.
    def _answer(self, call: int, agent: int) -> None:
        answer = max(self.env.now, self._arrival[call])
        self.answer_min[call] = answer
        self.outcome[call] = IN_SERVICE_AT_END
        self.call_of[agent] = call
        self._at(answer + self._handle[call], self._service_ends, agent)

    def _service_ends(self, event: Any) -> None:  # a simpy Timeout
        agent = event.value
        call = self.call_of[agent]
        self.end_min[call] = self.answer_min[call] + self._handle[call]
        self.outcome[call] = COMPLETED
        self.call_of[agent] = -1
        if self.off_at[agent] <= self.env.now:
            self.staff_changes.append((self.env.now, -1))
        else:
            self._free(agent)

    def _free(self, agent: int) -> None:
        queue, outcome = self.queue, self.outcome
        while queue:
            call = queue.popleft()
            if outcome[call] == QUEUED_AT_END:  # skip callers who have hung up
                self._answer(call, agent)
                return
        self.idle[agent] = None

    # shifts -------------------------------------------------------------
    def _shift_starts(self, event: Any) -> None:  # a simpy Timeout
        block: ShiftBlock = event.value
        first = len(self.off_at)
        agents = range(first, first + block.count)
        self.off_at.extend([block.end_min] * block.count)
        self.call_of.extend([-1] * block.count)
        self.staff_changes.append((self.env.now, block.count))
        if math.isfinite(block.end_min):
            self._at(block.end_min, self._shift_ends, agents)
        for agent in agents:
            self._free(agent)

    def _shift_ends(self, event: Any) -> None:  # a simpy Timeout
        leaving = [a for a in event.value if a in self.idle]
        for agent in leaving:
            del self.idle[agent]
        if leaving:
            self.staff_changes.append((self.env.now, -len(leaving)))


def simulate(scenario: Scenario, replication: int, seed: int) -> RunRecords:
    """Simulate one replication of ``scenario`` and return its records."""
    run = scenario.run
    streams = RandomStreams(seed, replication)
    inputs = draw_inputs(scenario, streams)
    blocks = shift_blocks(scenario.advisors, run.start_date, run.days)
    env = simpy.Environment()
    centre = AdvisorQueue(env, inputs, blocks)
    env.run(until=run.horizon_min)
    calls = CallRecords(
        arrival_min=inputs.arrival_min,
        patience_min=inputs.patience_min,
        handle_min=inputs.handle_min,
        answer_min=np.array(centre.answer_min),
        end_min=np.array(centre.end_min),
        outcome=np.array(centre.outcome, dtype=np.int8),
    )
    return RunRecords(
        calls=calls,
        advisors=StaffLog.from_changes(centre.staff_changes),
        start_date=run.start_date,
        horizon_min=run.horizon_min,
        warmup_min=run.warmup_min,
        interval_min=run.interval_min,
        replication=replication,
    )
