"""What the areas of a pool share: who lends an idle person, and the pool's queues.

Used by :mod:`sim111.engine.sharing`. In a national pool a freed person or a
caller finding their own area busy would otherwise look at every area (44 in
England) each time; these keep that to a heap operation or one pass in C:

- :class:`Lenders`: the stage with most people idle, the first on a tie;
- :class:`PooledQueue`: the callers queued in every area of an advisor pool,
  oldest first (ties: the area listed first);
- :func:`first_callback`: the first call-back of a clinician pool, from a heap
  mirroring every area's call-back queue
  (:meth:`~sim111.engine.callback_queue.CallbackQueue.mirror_to`).

Each gives the same choice, call for call, as looking at every area in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Generic, Protocol, TypeVar

from sim111.engine.advisors import AdvisorStage
from sim111.engine.callback_queue import CallbackEntry
from sim111.engine.clinical import ClinicalStage
from sim111.engine.outcomes import QUEUED_AT_END
from sim111.engine.pools import StaffPool


def pools_of(keys: Sequence[str]) -> list[list[int]]:
    """For each area, the areas (indices, in order) sharing its pool key."""
    members: dict[str, list[int]] = {}
    for k, key in enumerate(keys):
        members.setdefault(key, []).append(k)
    return [members[key] for key in keys]


class Staffed(Protocol):
    """A stage with a staff pool (advisors or clinicians)."""

    pool: StaffPool


S = TypeVar("S", bound=Staffed)


class Lenders(Generic[S]):
    """Stages that may lend an idle person, in order; :meth:`most_idle` picks one."""

    def __init__(self, stages: Sequence[S]) -> None:
        self.stages = list(stages)
        self._idle = [stage.pool.idle for stage in self.stages]  # the pools' own dicts

    def __bool__(self) -> bool:
        return bool(self.stages)

    def most_idle(self) -> S | None:
        """The stage with most people idle (the first on a tie); ``None`` if none is idle."""
        counts = list(map(len, self._idle))  # a national pool: 44 stages, every offer
        most = max(counts, default=0)
        return self.stages[counts.index(most)] if most else None


class PooledQueue:
    """The callers queued in every area of an advisor pool, oldest first.

    Each area keeps its own FIFO queue (:class:`~sim111.engine.advisors.AdvisorStage`);
    this heap holds ``(arrival, area's place in the pool, order queued, call)`` for
    each caller as they join it, so a freed advisor finds the pool's longest-waiting
    caller without looking at every area's queue (ties: the area listed first).
    Callers who hung up or were answered elsewhere are dropped when they reach the top.
    """

    def __init__(self, members: Sequence[AdvisorStage]) -> None:
        self.members = list(members)
        self.heap: list[tuple[float, int, int, int]] = []
        self._order = itertools.count()

    def joiner(self, place: int) -> Callable[[int], None]:
        """The ``on_queue`` hook of the member at ``place``: its caller joins the heap."""
        heap, order = self.heap, self._order
        arrival = self.members[place].arrival

        def join(call: int) -> None:
            heappush(heap, (arrival[call], place, next(order), call))

        return join

    def pop(self) -> tuple[AdvisorStage, int] | None:
        """The longest-waiting caller still queued, taken from its area's queue."""
        heap, members = self.heap, self.members
        while heap:
            _, place, _, call = heappop(heap)
            member = members[place]
            if member.outcome[call] == QUEUED_AT_END:
                taken = member.next_waiting()  # the head of its FIFO queue: this caller
                assert taken == call, (taken, call)
                return member, call
        return None


def first_callback(
    mirror: list[CallbackEntry], members: Sequence[ClinicalStage]
) -> tuple[ClinicalStage, int] | None:
    """The pool's first call-back, left queued: the least ``(order, entered, seq)``
    of all members' queues, ties to the member listed first; stale entries dropped."""
    while mirror:
        _, _, seq, place, call = mirror[0]
        member = members[place]
        if member.queue.live.get(call) == seq:
            return member, call
        heappop(mirror)
    return None
