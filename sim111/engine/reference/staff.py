"""People on rosters, as items of a SimPy ``FilterStore``.

A role (advisors, clinicians, one provider's or one service's staff) is one
:class:`Staff` store. Its items are the people idle now, longest idle first, as
:mod:`sim111.engine.pools` keeps them. A task asks for someone with
:meth:`Staff.request` (``yield`` it: the value is the person) and hands them
back with :meth:`Staff.release`. Waiting requests are served in ``key`` order,
then first come first served; ``accepts`` says whom a request can take (a
clinician group that serves the caller's class, say).

Each shift block is a process: at its start its people join the idle; at its
end the idle ones leave at once, and a busy person leaves when they release
the call in hand. A person coming on duty takes the lowest person id no one on
duty holds, and gives it back when they leave (as :mod:`sim111.engine.pools`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import count
from typing import Any

import simpy
from simpy.events import Event
from simpy.resources.resource import SortedQueue
from simpy.resources.store import FilterStoreGet

from sim111.engine.roster import ShiftBlock, shift_blocks
from sim111.scenario import RunSettings, StaffGroup

Process = Generator[Event, Any, Any]


@dataclass(eq=False)  # each person is themself: two on the same shift are not equal
class Person:
    """Someone on a shift: their group and when the shift ends."""

    group: int
    off_at_min: float
    id: int = -1  # their person id while on duty


def anyone(person: Person) -> bool:
    """Any person will do."""
    return True


class StaffRequest(FilterStoreGet):
    """A request for the longest-idle person that ``accepts`` takes, ordered by ``key``."""

    def __init__(self, staff: Staff, accepts: Callable[[Person], bool], key: tuple[Any, ...]):
        self.key = key  # set first: joining the sorted queue reads it
        super().__init__(staff, accepts)


class Staff(simpy.FilterStore):
    """People of one role on their rosters; the idle ones are the items, longest idle first."""

    GetQueue = SortedQueue  # waiting requests in ``key`` order

    def __init__(self, env: simpy.Environment, blocks_by_group: list[tuple[ShiftBlock, ...]]):
        super().__init__(env)
        self.env = env
        self.on_duty = 0
        self.changes: list[tuple[float, int]] = []  # (time, +n/-n people on duty)
        self.tickets = count()  # arrival order of requests, to break ties of ``key``
        self.free_ids: list[int] = []  # person ids given back (a heap)
        self.ids = count()  # ids never handed out yet
        for group, blocks in enumerate(blocks_by_group):
            for block in blocks:
                env.process(self.shift(group, block))

    @property
    def waiting(self) -> int:
        """Requests waiting for a person."""
        return len(self.get_queue)

    def request(self, *key: Any, accepts: Callable[[Person], bool] = anyone) -> StaffRequest:
        """Ask for a person, served in ``key`` order; the event's value is the person."""
        return StaffRequest(self, accepts, (*key, next(self.tickets)))

    def release(self, person: Person) -> None:
        """``person`` finished a task: home if their shift is over, else idle (or on to work)."""
        if person.off_at_min <= self.env.now:
            self.leave([person])
        else:
            self.put(person)

    def shift(self, group: int, block: ShiftBlock) -> Process:
        """One shift block: its people come on duty, and the idle ones leave at its end."""
        yield self.env.timeout(max(block.start_min, 0.0))
        people = [Person(group, block.end_min, self.new_id()) for _ in range(block.count)]
        self.on_duty += block.count
        self.changes.append((self.env.now, block.count))
        for person in people:
            self.put(person)
        if math.isfinite(block.end_min):
            yield self.env.timeout(block.end_min - self.env.now)
            idle = [p for p in people if p in self.items]
            for person in idle:
                self.items.remove(person)
            if idle:
                self.leave(idle)

    def new_id(self) -> int:
        """The lowest person id no one on duty holds."""
        return heapq.heappop(self.free_ids) if self.free_ids else next(self.ids)

    def leave(self, people: list[Person]) -> None:
        """``people`` go home, giving back their ids."""
        for person in people:
            heapq.heappush(self.free_ids, person.id)
        self.on_duty -= len(people)
        self.changes.append((self.env.now, -len(people)))


def rostered(env: simpy.Environment, run: RunSettings, *groups: StaffGroup) -> Staff:
    """The staff of ``groups`` (group ``g`` on its own roster) over the run."""
    return Staff(env, [shift_blocks(g, run.start_date, run.calendar_days) for g in groups])
