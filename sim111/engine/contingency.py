"""One overflow provider shared by several areas: the national contingency line.

In 2013 NHS Direct's 0845 line stayed open as contingency for 17 areas at once
(domain §1): one roster and one queue took every struggling area's overflow.
A :class:`SharedProvider` is that desk: its staff (one roster), one FIFO queue
across areas, and its acceptance limits (``max_queue``, ``max_calls_per_hour``)
counted over all areas together. Each area's centre talks to it through a
:class:`ProviderSeat`, which stands where the area's own provider desk would
and writes the area's records (each area keeps its own call table).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from sim111.engine.calls import CallTable
from sim111.engine.desks import provider_accepts
from sim111.engine.outcomes import (
    CLOSED_BY_PROVIDER,
    NO_DISPOSITION,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
    Close,
)
from sim111.engine.pools import StaffPool
from sim111.engine.records import Changes
from sim111.engine.roster import shift_blocks
from sim111.engine.scheduler import Scheduler
from sim111.scenario import Provider, RunSettings
from sim111.units import MINUTES_PER_HOUR


class SharedProvider:
    """A provider's staff and FIFO queue, taking calls from several areas."""

    def __init__(
        self, env: simpy.Environment, clock: Scheduler, provider: Provider, run: RunSettings
    ) -> None:
        self.clock = clock
        self.provider = provider
        self.staff = StaffPool(
            env, [shift_blocks(provider, run.start_date, run.calendar_days)], self._free
        )
        self.queue: deque[tuple[ProviderSeat, int, float]] = deque()
        self.doing: dict[int, tuple[ProviderSeat, int]] = {}  # agent -> (seat, call)
        self.taken_in_hour: dict[int, int] = {}
        self.busy_changes = Changes()  # calls being handled

    def accepts(self, now: float) -> bool:
        """Whether the provider can take one more call now (from any area)."""
        return provider_accepts(self.provider, self.taken_in_hour, self.staff, len(self.queue), now)

    def accept(self, seat: ProviderSeat, call: int, since: float) -> None:
        """Take ``seat``'s ``call`` (waiting since ``since``): a free person, or the queue."""
        hour = int(self.clock.now // MINUTES_PER_HOUR)
        self.taken_in_hour[hour] = self.taken_in_hour.get(hour, 0) + 1
        agent = self.staff.take()
        if agent is None:
            self.queue.append((seat, call, since))
        else:
            self._start(seat, call, agent, since)

    def _free(self, agent: int) -> None:
        if self.queue:
            seat, call, since = self.queue.popleft()
            self._start(seat, call, agent, since)
        else:
            self.staff.make_idle(agent)

    def _start(self, seat: ProviderSeat, call: int, agent: int, since: float) -> None:
        now = max(self.clock.now, since)
        seat.started(call, now)
        self.doing[agent] = (seat, call)
        self.busy_changes.add(now, 1)
        self.clock.at(now + seat.handle_min[call], self._done, agent)

    def _done(self, agent: int) -> None:
        seat, call = self.doing.pop(agent)
        now = self.clock.now
        self.busy_changes.add(now, -1)
        seat.finished(call, now)
        self.staff.release(agent)


class ProviderSeat:
    """One area's place at a shared provider: what its centre sees as a provider desk."""

    close: Close  # set by the centre

    def __init__(self, shared: SharedProvider, calls: CallTable, index: int) -> None:
        self.shared = shared
        self.provider = shared.provider
        self.calls = calls
        self.index = index  # the provider's index in the area's scenario
        self.handle_min: Any = calls.provider_handle_min[index]
        self.accepts: Callable[[float], bool] = shared.accepts

    def accept(self, call: int, since: float | None = None) -> None:
        """Send ``call`` (waiting since ``since``, else its arrival) to the provider."""
        self.calls.provider[call] = self.index
        self.calls.outcome[call] = QUEUED_AT_PROVIDER_AT_END
        self.shared.accept(self, call, self.calls.arrival_min[call] if since is None else since)

    def started(self, call: int, now: float) -> None:
        """The provider took ``call`` at ``now``."""
        self.calls.provider_start_min[call] = now
        self.calls.outcome[call] = WITH_PROVIDER_AT_END

    def finished(self, call: int, now: float) -> None:
        """The provider closed ``call`` at ``now``."""
        self.close(call, now, CLOSED_BY_PROVIDER, NO_DISPOSITION)
