"""The call-back queue: ordered by class (or deadline), then entry; calls may leave it.

Entries are ``(order, entered, seq, call)`` on a heap; ``seq`` numbers pushes,
so equal keys keep the order they were pushed in. A call leaves the queue
(its caller stopped waiting, it was escalated, or it moved up a class and was
pushed again) by forgetting its live entry: stale entries are skipped when
they reach the top. A second heap by entry time finds the call-back waiting
longest, for escalation.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

# a call-back in a pool's mirror heap: (order, entered, seq, member's place, call)
CallbackEntry = tuple[float, float, int, int, int]


class CallbackQueue:
    """Call-backs waiting for a clinician."""

    def __init__(self, track_age: bool = False) -> None:
        self._track_age = track_age  # keep the heap by entry (for longest_waiting)
        self._heap: list[tuple[float, float, int, int]] = []
        self._by_age: list[tuple[float, int, int]] = []
        self.live: dict[int, int] = {}  # the queued calls: call -> seq of its live entry
        self._seq = 0
        self._mirror: list[CallbackEntry] | None = None
        self._place = 0

    def mirror_to(self, heap: list[CallbackEntry], place: int) -> None:
        """Also push every entry, tagged with ``place``, onto ``heap``: shared by the
        queues of a pool of areas, its top is the pool's first call-back (live while
        ``live[call]`` is its ``seq``)."""
        self._mirror, self._place = heap, place

    def __len__(self) -> int:
        return len(self.live)

    def __contains__(self, call: int) -> bool:
        return call in self.live

    def push(self, call: int, order: float, entered: float) -> None:
        """Queue ``call`` (or move it, if queued) by ``order``, then ``entered``."""
        self._seq += 1
        self.live[call] = self._seq
        heapq.heappush(self._heap, (order, entered, self._seq, call))
        if self._mirror is not None:
            heapq.heappush(self._mirror, (order, entered, self._seq, self._place, call))
        if self._track_age:
            heapq.heappush(self._by_age, (entered, self._seq, call))

    def pop(self, eligible: Callable[[int], bool] | None = None) -> int | None:
        """Take the first call (for which ``eligible(call)`` holds); ``None`` if none."""
        heap, live = self._heap, self.live
        skipped = []
        found = None
        while heap:
            item = heapq.heappop(heap)
            call = item[3]
            if live.get(call) != item[2]:
                continue  # left the queue, or pushed again since
            if eligible is None or eligible(call):
                del live[call]
                found = call
                break
            skipped.append(item)
        for item in skipped:
            heapq.heappush(heap, item)
        return found

    def peek(
        self, eligible: Callable[[int], bool] | None = None
    ) -> tuple[tuple[float, float, int], int] | None:
        """The first call (for which ``eligible(call)`` holds) and its sort key, left queued."""
        heap, live = self._heap, self.live
        while heap and live.get(heap[0][3]) != heap[0][2]:
            heapq.heappop(heap)  # left the queue, or pushed again since
        if not heap:
            return None
        if eligible is None or eligible(heap[0][3]):
            order, entered, seq, call = heap[0]
            return (order, entered, seq), call
        live_items = sorted(item for item in heap if live.get(item[3]) == item[2])
        for order, entered, seq, call in live_items:
            if eligible(call):
                return (order, entered, seq), call
        return None

    def remove(self, call: int) -> bool:
        """Take ``call`` out of the queue; whether it was in it."""
        return self.live.pop(call, None) is not None

    def longest_waiting(self) -> int | None:
        """The queued call that entered earliest; ``None`` if empty (needs ``track_age``)."""
        by_age, live = self._by_age, self.live
        while by_age:
            _, seq, call = by_age[0]
            if live.get(call) == seq:
                return call
            heapq.heappop(by_age)
        return None
