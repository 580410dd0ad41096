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

The SimPy internals relied on (pinned by ``tests/unit/test_scheduler.py``, so a
SimPy upgrade fails there rather than silently in results; hence the
``simpy<5`` pin): ``_queue``, ``_eid``, ``_now`` and ``NORMAL``, and the body
of ``Environment.step``, which the loop inlines.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy
from simpy.events import NORMAL

WakeUp = Callable[[float, Callable[[Any], None], Any], None]


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

    def run(
        self, arrivals: array[float], n_first: int, offer: Callable[[int], None], until: float
    ) -> None:
        """Advance to ``until``, calling ``offer(i)`` at ``arrivals[i]`` for ``i < n_first``.

        The events due no later than the next arrival are processed first (so
        at equal times events come before the arrival), then that arrival is
        offered. Events at exactly ``until`` are not processed (as
        ``env.run(until)``).
        """
        env = self.env
        queue = env._queue
        due = bisect_left(arrivals, until, 0, n_first)
        # the first-attempt arrivals before `until`, then a stop just before it
        stops = arrivals[:due]
        stops.append(math.nextafter(until, -math.inf))
        for i, t in enumerate(stops):
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
            if i < due:
                self.now = env._now = t
                offer(i)
        self.now = env._now = until

    def clear(self) -> None:
        """Drop every pending event (they refer back to the engine: a cycle)."""
        self.env._queue.clear()
