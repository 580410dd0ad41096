"""A pool's shared structures choose as a look at every area in order would
(sim111.engine.pooling): the same caller, call-back and lender, ties to the area listed first."""

from __future__ import annotations

import math
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from sim111.engine.callback_queue import CallbackQueue
from sim111.engine.pooling import Lenders, first_callback

AREAS = 3
# (what, area, call, order, entered): small ranges, so keys tie within and across areas
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["push", "remove", "take"]),
        st.integers(0, AREAS - 1),
        st.integers(0, 7),
        st.integers(0, 2),
        st.integers(0, 2),
    ),
    max_size=80,
)


def first_by_looking(members: list[SimpleNamespace]) -> tuple[SimpleNamespace, int] | None:
    """The scan the mirror replaced: each area's first call-back, the least key wins,
    the area listed first on a tie."""
    best, best_key = None, (math.inf,)
    for member in members:
        if member.queue.live:
            found = member.queue.peek()
            if found is not None and found[0] < best_key:
                best, best_key = (member, found[1]), found[0]
    return best


@settings(max_examples=300, deadline=None)
@given(STEPS)
def test_the_mirror_heap_gives_the_pools_first_callback_as_looking_at_every_area_does(steps):
    members = [SimpleNamespace(queue=CallbackQueue()) for _ in range(AREAS)]
    mirror: list = []
    for place, member in enumerate(members):
        member.queue.mirror_to(mirror, place)
    for what, area, call, order, entered in steps:
        queue = members[area].queue
        if what == "push":  # queued, or moved (a new class) if already queued
            queue.push(call, float(order), float(entered))
        elif what == "remove":  # the caller stopped waiting, or was escalated
            queue.remove(call)
        else:  # a clinician comes free: takes the pool's first call-back
            found = first_callback(mirror, members)
            assert found == first_by_looking(members)
            if found is not None:
                found[0].queue.remove(found[1])
                found[0].queue.peek()


@given(st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_the_most_idle_lender_is_the_first_of_those_with_most_idle(idle_counts):
    stages = [
        SimpleNamespace(pool=SimpleNamespace(idle=dict.fromkeys(range(n)))) for n in idle_counts
    ]
    most = max(idle_counts)
    expected = stages[idle_counts.index(most)] if most else None
    assert Lenders(stages).most_idle() is expected
