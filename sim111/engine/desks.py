"""Desks outside the 111 advisor floor: overflow providers and downstream services.

A desk is a roster of staff (a :class:`StaffPool`) working one queue: a call
that arrives when someone is idle starts at once, otherwise it waits; a
person who frees up takes the head of the queue. Each call's handling time at
the desk was worked out before the run (a derived column per desk, keyed by
the desk's index). The two kinds differ only in their queue and in what
starting and finishing mean:

- an *overflow provider* takes calls the 111 queue sends it (FIFO), may be
  capped per clock hour or by its queue length, and closes the call;
- a *downstream service* sees patients referred to it after their call
  closed, by urgency class then time of referral, and logs the consultation.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Any

import simpy

from sim111.engine.calls import CallTable
from sim111.engine.outcomes import (
    CLOSED_BY_PROVIDER,
    NO_DISPOSITION,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
    Close,
)
from sim111.engine.pools import StaffPool
from sim111.engine.roster import shift_blocks
from sim111.engine.scheduler import Scheduler
from sim111.scenario import DownstreamService, Provider, Scenario, StaffGroup
from sim111.units import MINUTES_PER_HOUR


class Desk:
    """Staff working one queue; each call takes its own handling time at this desk."""

    def __init__(
        self,
        env: simpy.Environment,
        clock: Scheduler,
        calls: CallTable,
        scenario: Scenario,
        index: int,
        group: StaffGroup,
        handle_min: Any,
    ) -> None:
        self.clock = clock
        self.calls = calls
        self.index = index
        self.handle_min = handle_min  # this desk's handling time per call
        run = scenario.run
        self.staff = StaffPool(
            env, [shift_blocks(group, run.start_date, run.calendar_days)], self._free
        )

    def _admit(self, call: int, since: float) -> None:
        """``call`` arrives at ``since``: started by an idle person, else queued."""
        agent = self.staff.take()
        if agent is None:
            self._push(call, since)
        else:
            self._start(call, agent, since)

    def _free(self, agent: int) -> None:
        if self._waiting():
            call, since = self._pop()
            self._start(call, agent, since)
        else:
            self.staff.make_idle(agent)

    def _start(self, call: int, agent: int, since: float) -> None:
        now = max(self.clock.now, since)
        self._started(call, now)
        self.staff.task[agent] = call
        self.clock.at(now + self.handle_min[call], self._done, agent)

    def _done(self, agent: int) -> None:
        self._finished(self.staff.task[agent], self.clock.now)
        self.staff.release(agent)

    # what a kind of desk defines
    def _waiting(self) -> bool:
        raise NotImplementedError

    def _push(self, call: int, since: float) -> None:
        raise NotImplementedError

    def _pop(self) -> tuple[int, float]:
        raise NotImplementedError

    def _started(self, call: int, now: float) -> None:
        raise NotImplementedError

    def _finished(self, call: int, now: float) -> None:
        raise NotImplementedError


def provider_accepts(
    provider: Provider, taken_in_hour: dict[int, int], staff: StaffPool, queued: int, now: float
) -> bool:
    """Whether ``provider`` can take one more call at ``now``: under its hourly cap
    (``taken_in_hour``: calls accepted by clock hour), and someone idle or room in its
    queue (``queued`` calls waiting)."""
    capped = (
        provider.max_calls_per_hour is not None
        and taken_in_hour.get(int(now // MINUTES_PER_HOUR), 0) >= provider.max_calls_per_hour
    )
    full = provider.max_queue is not None and not staff.idle and queued >= provider.max_queue
    return not (capped or full)


class ProviderDesk(Desk):
    """An overflow provider: a FIFO queue, acceptance limits, and it closes the call."""

    close: Close  # set by the centre

    def __init__(
        self,
        env: simpy.Environment,
        clock: Scheduler,
        calls: CallTable,
        scenario: Scenario,
        index: int,
    ) -> None:
        self.provider: Provider = scenario.providers[index]
        super().__init__(
            env, clock, calls, scenario, index, self.provider, calls.provider_handle_min[index]
        )
        self.queue: deque[int] = deque()
        self.taken_in_hour: dict[int, int] = {}

    def accepts(self, now: float) -> bool:
        """Whether the provider can take one more call now."""
        return provider_accepts(self.provider, self.taken_in_hour, self.staff, len(self.queue), now)

    def accept(self, call: int, since: float | None = None) -> None:
        """Take ``call`` (waiting since ``since``, else its arrival): to a free
        person, or to the back of the queue."""
        hour = int(self.clock.now // MINUTES_PER_HOUR)
        self.taken_in_hour[hour] = self.taken_in_hour.get(hour, 0) + 1
        self.calls.provider[call] = self.index
        self.calls.outcome[call] = QUEUED_AT_PROVIDER_AT_END
        self._admit(call, self.calls.arrival_min[call] if since is None else since)

    def _waiting(self) -> bool:
        return bool(self.queue)

    def _push(self, call: int, since: float) -> None:
        self.queue.append(call)

    def _pop(self) -> tuple[int, float]:
        call = self.queue.popleft()
        return call, self.calls.arrival_min[call]

    def _started(self, call: int, now: float) -> None:
        self.calls.provider_start_min[call] = now
        self.calls.outcome[call] = WITH_PROVIDER_AT_END

    def _finished(self, call: int, now: float) -> None:
        self.close(call, now, CLOSED_BY_PROVIDER, NO_DISPOSITION)


class ServiceDesk(Desk):
    """A downstream service: its clinicians and a queue by urgency class, then age."""

    def __init__(
        self,
        env: simpy.Environment,
        clock: Scheduler,
        calls: CallTable,
        scenario: Scenario,
        index: int,
    ) -> None:
        self.service: DownstreamService = scenario.downstream[index]
        super().__init__(
            env, clock, calls, scenario, index, self.service, calls.downstream_handle_min[index]
        )
        self.urgency_class = calls.urgency_class[index]
        self.queue: list[tuple[int, float, int]] = []  # (class, referred at, call)

    def refer(self, call: int, at: float) -> None:
        """A patient referred at ``at``: seen now if someone is free, else queued."""
        self.calls.downstream[call] = self.index
        self.calls.downstream_class[call] = self.urgency_class[call]
        self._admit(call, at)

    def _waiting(self) -> bool:
        return bool(self.queue)

    def _push(self, call: int, since: float) -> None:
        heapq.heappush(self.queue, (self.urgency_class[call], since, call))

    def _pop(self) -> tuple[int, float]:
        _, at, call = heapq.heappop(self.queue)
        return call, at

    def _started(self, call: int, now: float) -> None:
        self.calls.downstream_start_min[call] = now

    def _finished(self, call: int, now: float) -> None:
        self.calls.downstream_end_min[call] = now
