"""People on shift: who is on duty, who is idle, who goes home when.

A :class:`StaffPool` holds individuals from one or more groups, each with the
end time of their shift. Idle people are kept longest-idle first. When a shift
ends its idle people leave at once; a busy person leaves when their task ends
(they finish the call in hand). The pool does not know about calls: the
centre tells it when someone is free (``release``) and it either sends them
home or hands them back through the ``on_free`` callback.

Each person on duty has a person id (``person[agent]``), the lowest id no one
else on duty holds when they come on; they give it back when they go home. So
ids are reused shift after shift, no two people on duty share one, and an id
is below the head-count at the time its holder came on (``people`` is the
peak head-count: every id ever held is below it). The records say which
person served each call by this id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy

from sim111.engine.roster import ShiftBlock


class StaffPool:
    """Individuals on a roster, for one role (advisors, or all clinician groups)."""

    def __init__(
        self,
        env: simpy.Environment,
        blocks_by_group: Sequence[tuple[ShiftBlock, ...]],
        on_free: Callable[[int], None],
    ) -> None:
        self.env = env
        self.on_free = on_free
        self.group_of: list[int] = []
        self.off_at: list[float] = []
        self.task: list[int] = []  # the call each person is working on (the centre's)
        self.idle: dict[int, None] = {}
        self.changes: list[tuple[float, int]] = []
        self.on_duty = 0
        self.person: list[int] = []  # each agent's person id (see the module)
        self.free_ids: list[int] = []  # ids given back, a heap
        self.people = 0  # ids handed out so far: the peak head-count
        for group, blocks in enumerate(blocks_by_group):
            for block in blocks:
                event = env.timeout(max(block.start_min, 0.0), (group, block))
                event.callbacks.append(self._shift_starts)

    def take(self) -> int | None:
        """The longest-idle person, now busy; ``None`` if nobody is idle."""
        idle = self.idle
        if not idle:
            return None
        agent = next(iter(idle))
        del idle[agent]
        return agent

    def take_where(self, ok: Callable[[int], bool]) -> int | None:
        """The longest-idle person of a group for which ``ok(group)`` holds."""
        for agent in self.idle:
            if ok(self.group_of[agent]):
                del self.idle[agent]
                return agent
        return None

    def make_idle(self, agent: int) -> None:
        """Mark ``agent`` idle (called by the centre when there is no work)."""
        self.idle[agent] = None

    def release(self, agent: int) -> None:
        """``agent`` finished a task: home if the shift is over, else ``on_free``."""
        if self.off_at[agent] <= self.env.now:
            self.changes.append((self.env.now, -1))
            self.on_duty -= 1
            heappush(self.free_ids, self.person[agent])
        else:
            self.on_free(agent)

    def call_in(self, group: int, until_min: float) -> None:
        """One more person of ``group`` on duty from now until ``until_min`` (overtime)."""
        now = self.env.now
        agent = len(self.off_at)
        self.off_at.append(until_min)
        self.task.append(-1)
        self.group_of.append(group)
        self.person.append(self._new_id())
        self.changes.append((now, 1))
        self.on_duty += 1
        end = self.env.timeout(until_min - now, (agent,))
        end.callbacks.append(self._shift_ends)
        self.on_free(agent)

    def _shift_starts(self, event: Any) -> None:  # a simpy Timeout
        group, block = event.value
        first = len(self.off_at)
        agents = range(first, first + block.count)
        self.off_at.extend([block.end_min] * block.count)
        self.task.extend([-1] * block.count)
        self.group_of.extend([group] * block.count)
        self.person.extend([self._new_id() for _ in agents])
        self.changes.append((self.env.now, block.count))
        self.on_duty += block.count
        if math.isfinite(block.end_min):
            end = self.env.timeout(block.end_min - self.env.now, agents)
            end.callbacks.append(self._shift_ends)
        for agent in agents:
            self.on_free(agent)

    def _shift_ends(self, event: Any) -> None:  # a simpy Timeout
        leaving = [a for a in event.value if a in self.idle]
        for agent in leaving:
            del self.idle[agent]
            heappush(self.free_ids, self.person[agent])
        if leaving:
            self.changes.append((self.env.now, -len(leaving)))
            self.on_duty -= len(leaving)

    def _new_id(self) -> int:
        """The lowest person id no one on duty holds."""
        if self.free_ids:
            return heappop(self.free_ids)
        self.people += 1
        return self.people - 1
