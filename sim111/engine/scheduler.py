"""The engine's clock and event loop: the only code that touches SimPy's internals.

SimPy keeps pending events in ``Environment._queue``, a heap of
``(time, priority, id, event)`` ordered by time, then priority, then ``id``
from the counter ``Environment._eid`` — scheduling order at equal times. A
SimPy event object per patience expiry or end of task costs more than the
call's own logic, so the engine puts *bare wake-ups* on the same heap:
``(time, NORMAL, id, callback, value)`` numbered by the same counter, so they
interleave with SimPy's own events (shift changes, as ``Timeout``) exactly as
``Timeout`` objects would. Only :meth:`Scheduler.run` knows how to dispatch
them: never drive the environment with ``env.run()``.

First-attempt arrivals are known in advance and sorted, so they are not
scheduled at all: the loop merges them in from their array.

Events scheduled before the run starts (every shift start of the run: some
170,000 for a year of England's 44 areas) are set aside, sorted, and put on
the heap an hour of clock ahead of their time (:data:`FEED_AHEAD_MIN`), so the
heap holds only what is due soon and each push and pop is cheap. They keep
their ids, and each is on the heap before the clock reaches it, so events are
processed in exactly the order they would be with all of them on the heap.

The SimPy internals relied on (pinned by ``tests/unit/test_scheduler.py``, so a
SimPy upgrade fails there rather than silently in results; hence the
``simpy<5`` pin): ``_queue``, ``_eid``, ``_now`` and ``NORMAL``, and the body
of ``Environment.step``, which the loop inlines.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from heapq import heappop, heappush
from itertools import chain, count
from typing import Any

import simpy
from simpy.events import NORMAL

WakeUp = Callable[[float, Callable[[Any], None], Any], None]
Block = tuple["array[float]", Callable[[int], None] | None]  # arrival times, their offer

FEED_AHEAD_MIN = 60.0
"""How far ahead of the clock events set aside before the run go on the heap."""


def wake_up_at(heap: list[Any], eid: count[int]) -> WakeUp:
    """A function ``at(time, callback, value)`` that pushes a bare wake-up onto ``heap``.

    A closure rather than a method: the engine calls it for every task it
    starts, and a closure's variables are cheaper to reach than attributes.
    """

    def at(time_min: float, callback: Callable[[Any], None], value: Any) -> None:
        heappush(heap, (time_min, NORMAL, next(eid), callback, value))

    return at


class Scheduler:
    """SimPy's clock and heap, with the engine's bare wake-ups.

    ``now`` is the clock, a plain attribute the engine reads (kept equal to
    ``env.now``); ``at(time, callback, value)`` calls ``callback(value)`` at
    ``time``.
    """

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.now: float = env.now
        self.at: WakeUp = wake_up_at(env._queue, env._eid)
        self._later: list[Any] = []  # events set aside, the soonest last (see the module)

    @property
    def pending(self) -> int:
        """How many events are scheduled and not yet processed."""
        return len(self.env._queue) + len(self._later)

    def _set_aside(self) -> None:
        """Move every event on the heap to :attr:`_later`, the soonest last."""
        queue = self.env._queue
        if queue:
            self._later.extend(queue)
            queue.clear()
            self._later.sort(reverse=True)  # (time, priority, id): no two are equal

    def _feed(self, until: float) -> None:
        """Put the events set aside that are due no later than ``until`` on the heap."""
        later, queue = self._later, self.env._queue
        while later and later[-1][0] <= until:
            heappush(queue, later.pop())

    def run(
        self, arrivals: array[float], n_first: int, offer: Callable[[int], None], until: float
    ) -> None:
        """Advance to ``until``, calling ``offer(i)`` at ``arrivals[i]`` for ``i < n_first``.

        The events due no later than the next arrival are processed first (so
        at equal times events come before the arrival), then that arrival is
        offered. Events at exactly ``until`` are not processed (as
        ``env.run(until)``).
        """
        due = bisect_left(arrivals, until, 0, n_first)
        self.run_blocks([(arrivals[:due], offer)], until)

    def run_blocks(self, blocks: Iterable[Block], until: float) -> None:
        """:meth:`run` with the arrivals in blocks: ``(times, offer)``, ``offer(i)`` at
        ``times[i]``; each block's times sorted, the blocks in time order, all before
        ``until`` (several areas' arrivals are merged a block at a time as the run
        goes, not for the whole run up front)."""
        env = self.env
        queue = env._queue
        self._set_aside()
        fed_to = -math.inf  # every event set aside and due by then is on the heap
        # the arrivals, then a stop just before `until`
        end: Block = (array("d", [math.nextafter(until, -math.inf)]), None)
        for times, offer in chain(blocks, (end,)):
            for i, t in enumerate(times):
                if t > fed_to:
                    fed_to = t + FEED_AHEAD_MIN
                    self._feed(fed_to)
                while queue and queue[0][0] <= t:
                    item = heappop(queue)
                    self.now = env._now = item[0]
                    if len(item) == 5:  # a bare wake-up (see wake_up_at)
                        item[3](item[4])
                        continue
                    # a SimPy event (shift changes): env.step(), inlined
                    event: Any = item[3]
                    callbacks, event.callbacks = event.callbacks, None
                    for callback in callbacks:
                        callback(event)
                    if not event._ok and not hasattr(event, "_defused"):
                        raise event._value
                if offer is not None:
                    self.now = env._now = t
                    offer(i)
        self.now = env._now = until

    def clear(self) -> None:
        """Drop every pending event (they refer back to the engine: a cycle)."""
        self.env._queue.clear()
        self._later.clear()
