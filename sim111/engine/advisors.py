"""The health-advisor stage: a FIFO queue answered by the advisor idle longest.

    offered ─► queue ─(patience runs out)─► abandoned ─► maybe redial (a new call)
                 │ answered
                 ▼
             advisor call ─► ends as it was drawn to: closed untriaged, closed
                             with the advisor's disposition, or on to a clinician

A caller waits until answered or until their patience (drawn) runs out. A
timer per queued caller is needed only when something depends on *when* a
caller hangs up before an advisor reaches them: their redial, or an overflow
rule reading the live queue length. Without either, abandonment is decided
lazily when an advisor reaches the caller (exactly: the queue is FIFO and the
times are the same), which saves a wake-up per queued caller. How the advisor
call ends was worked out from the call's draws before the run
(``advisor_ends_as``); where it goes next is the centre's business (the
``close``, ``to_clinical`` and ``divert`` hooks).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from heapq import heappush

import simpy

from sim111.engine.calls import CallTable
from sim111.engine.outcomes import (
    ABANDONED,
    CLOSED_BY_ADVISOR,
    CLOSED_NO_TRIAGE,
    NO_DISPOSITION,
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    Close,
)
from sim111.engine.pools import StaffPool
from sim111.engine.roster import shift_blocks
from sim111.engine.scheduler import Scheduler
from sim111.scenario import Scenario
from sim111.scenario.limits import MAX_REDIALS

INFINITY = math.inf


class AdvisorStage:
    """The advisors, their queue and the callers waiting in it."""

    # set by the centre: where a call goes from here
    close: Close  # (call, time, outcome, disposition)
    to_clinical: Callable[[int, float], None]  # (call, time)
    divert: Callable[[int], bool] | None = None  # offered to an overflow provider: taken?
    on_repeat: Callable[[int], None] | None = None  # a repeat call is answered
    on_queue: Callable[[int], None] | None = None  # a caller joins the queue (a shared pool)

    def __init__(
        self, env: simpy.Environment, clock: Scheduler, calls: CallTable, scenario: Scenario
    ) -> None:
        self.clock = clock
        self.at = clock.at
        self.calls = calls
        # the columns this stage works on (the table's own arrays: redials append to them)
        self.arrival = calls.arrival_min
        self.patience = calls.patience_min
        self.handle = calls.handle_min
        self.outcome = calls.outcome
        self.end_min = calls.end_min
        self.answer_min = calls.answer_min
        self.advisor_end_min = calls.advisor_end_min
        self.ends_as = calls.advisor_ends_as
        self.advisor_disposition = calls.advisor_disposition
        self.n_first = calls.n_first  # rows from here on are redials and repeat calls
        self.horizon = scenario.run.horizon_min
        self.queue: deque[int] = deque()
        self.waiting = 0  # calls in the queue who have not hung up
        run = scenario.run
        self.pool = StaffPool(
            env,
            [shift_blocks(scenario.advisors, run.start_date, run.calendar_days)],
            self.advisor_free,
        )
        self.idle = self.pool.idle
        self.task = self.pool.task
        self.person = self.pool.person  # each agent's person id
        self.advisor_id = calls.advisor_id
        self._done = self.advisor_done  # one bound method, not one per answered call
        # With no redials and no overflow rule reading the live queue, nothing depends
        # on *when* a caller hangs up until an advisor reaches them (see the module).
        self.lazy_abandonment = scenario.callers.redial_probability == 0 and not scenario.overflow
        # a shared pool of areas (sim111.engine.sharing) replaces pool.on_free
        self.lent_to: dict[int, AdvisorStage] = {}  # agents on another area's call: its stage
        self.area = -1  # this stage's area in a multi-area run

    def offer(self, call: int) -> None:
        """A call arrives: answered at once, diverted, or queued."""
        idle = self.idle
        if idle:  # StaffPool.take(), inlined: the advisor idle longest
            agent = next(iter(idle))
            del idle[agent]
            self.answer(call, agent, self.arrival[call])
            return
        if self.divert is not None and self.divert(call):
            return
        self.queue.append(call)
        self.waiting += 1
        if self.on_queue is not None:
            self.on_queue(call)
        if not self.lazy_abandonment:
            gives_up = self.arrival[call] + self.patience[call]
            if gives_up != INFINITY:  # a caller who never hangs up needs no timer
                self.at(gives_up, self.patience_runs_out, call)

    def patience_runs_out(self, call: int) -> None:
        """A queued caller's timer: they hang up (if still queued), maybe to redial
        (at most :data:`~sim111.scenario.limits.MAX_REDIALS` times: then they give up)."""
        if self.outcome[call] != QUEUED_AT_END:
            return
        end = self.arrival[call] + self.patience[call]
        self.waiting -= 1
        self.outcome[call] = ABANDONED
        self.end_min[call] = end
        calls = self.calls
        if calls.redials[call] and calls.attempt_of(call) < MAX_REDIALS:
            again = end + calls.redial_delay_min[call]
            if again < self.horizon:
                self.at(again, self.offer, calls.add_redial(call, again))

    def answer(self, call: int, agent: int, answer: float) -> None:
        """``agent`` answers ``call`` at ``answer`` (the clock, never before the arrival)."""
        self.answer_min[call] = answer
        self.advisor_id[call] = self.person[agent]
        self.outcome[call] = WITH_ADVISOR_AT_END
        if (  # a repeat call, with backlog rules to tell
            call >= self.n_first and self.on_repeat is not None and self.calls.repeat_of(call) >= 0
        ):
            self.on_repeat(call)
        self.task[agent] = call
        self.at(answer + self.handle[call], self._done, agent)

    def advisor_free(self, agent: int) -> None:
        """``agent`` is free: the next caller still waiting, else idle."""
        queue, outcome = self.queue, self.outcome
        lazy, now = self.lazy_abandonment, self.clock.now
        while queue:
            call = queue.popleft()
            if outcome[call] != QUEUED_AT_END:  # hung up (timer) or sent elsewhere
                continue
            self.waiting -= 1
            gave_up = self.arrival[call] + self.patience[call]
            if lazy and gave_up <= now:  # hung up before this advisor was free
                outcome[call] = ABANDONED
                self.end_min[call] = gave_up
                continue
            self.answer(call, agent, now)
            return
        self.idle[agent] = None  # StaffPool.make_idle(), inlined

    def abandon_lazily(self, until: float) -> None:
        """At the end of the run: callers still queued whose patience ran out, hung up."""
        for call in self.queue:
            gave_up = self.arrival[call] + self.patience[call]
            if self.outcome[call] == QUEUED_AT_END and gave_up < until:
                self.outcome[call] = ABANDONED
                self.end_min[call] = gave_up
                self.waiting -= 1

    def advisor_done(self, agent: int) -> None:
        """The end of an advisor call: the advisor is free, the call goes on."""
        call = self.task[agent]
        # the clock is exactly answer + handle: the time this wake-up was set for
        end = self.clock.now
        owner = self.lent_to.pop(agent, self) if self.lent_to else self
        owner.advisor_end_min[call] = end
        pool = self.pool
        if pool.off_at[agent] <= end:  # StaffPool.release(), inlined: the shift is over
            pool.changes.append((end, -1))
            pool.on_duty -= 1
            heappush(pool.free_ids, pool.person[agent])
        else:
            pool.on_free(agent)  # advisor_free, unless a pool of areas shares them
        owner.call_goes_on(call, end)

    def call_goes_on(self, call: int, end: float) -> None:
        """``call``'s advisor call ended at ``end``: closed, or on to a clinician."""
        ends_as = self.ends_as[call]
        if ends_as == CLOSED_BY_ADVISOR:
            self.close(call, end, CLOSED_BY_ADVISOR, self.advisor_disposition[call])
        elif ends_as == CLOSED_NO_TRIAGE:
            self.close(call, end, CLOSED_NO_TRIAGE, NO_DISPOSITION)
        else:
            self.to_clinical(call, end)

    def answer_lent(self, call: int, lender: AdvisorStage, agent: int, now: float) -> None:
        """``lender``'s advisor ``agent`` (another area's) answers this area's ``call``."""
        self.calls.advisor_area[call] = lender.area
        lender.lent_to[agent] = self
        lender.answer_for(self, call, agent, now)

    def answer_for(self, owner: AdvisorStage, call: int, agent: int, now: float) -> None:
        """This stage's ``agent`` answers ``owner``'s ``call`` (its records are the owner's)."""
        owner.answer_min[call] = now
        owner.advisor_id[call] = self.person[agent]
        owner.outcome[call] = WITH_ADVISOR_AT_END
        if (  # a repeat call, with backlog rules to tell
            call >= owner.n_first
            and owner.on_repeat is not None
            and owner.calls.repeat_of(call) >= 0
        ):
            owner.on_repeat(call)
        self.task[agent] = call
        self.at(now + owner.handle[call], self._done, agent)

    def next_waiting(self) -> int | None:
        """Take the caller queued longest who is still waiting (timed abandonment only)."""
        queue, outcome = self.queue, self.outcome
        while queue:
            call = queue.popleft()
            if outcome[call] == QUEUED_AT_END:
                self.waiting -= 1
                return call
        return None

    def head(self) -> int | None:
        """The caller queued longest who is still waiting, left in the queue."""
        queue, outcome = self.queue, self.outcome
        while queue and outcome[queue[0]] != QUEUED_AT_END:
            queue.popleft()
        return queue[0] if queue else None
