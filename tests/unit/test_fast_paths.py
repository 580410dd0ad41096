"""The advisor stage's inlined StaffPool calls do what the StaffPool methods do.

``AdvisorStage.offer`` inlines ``StaffPool.take``, ``advisor_free`` inlines
``make_idle`` and ``advisor_done`` inlines ``release``: together they save
about a tenth of the run time of an advisor-bound replication (measured when
the engine was split). These tests pin that each inlined copy leaves the pool
exactly as the method would.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sim111.engine.pools import StaffPool
from tests.unit.test_journeys import FIXED, run, scenario, shifts

THREE = {"count": 3, "handle_time": {**FIXED, "mean_min": 10}}


def at(centre, time):
    """Put the centre's clock at ``time`` (as the scheduler does before a callback)."""
    centre.clock.now = centre.env._now = time


def pool_state(pool):
    return (list(pool.idle), pool.task, pool.changes, pool.on_duty)


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 0, 1], [1, 2, 0]])
def test_offer_answers_with_the_advisor_take_would_pick(order):
    c = run(scenario(advisors=THREE), [5.0], until=1.0)
    idle = c.advisors.idle
    idle.clear()
    idle.update(dict.fromkeys(order))
    expected = StaffPool.take(SimpleNamespace(idle=dict(idle)))  # type: ignore[arg-type]
    at(c, 5.0)
    c.advice.offer(0)
    assert c.advisors.task.index(0) == expected
    assert list(idle) == [a for a in order if a != expected]


def test_an_advisor_with_nobody_waiting_becomes_idle_as_make_idle_does():
    c = run(scenario(advisors=THREE), [50.0], until=1.0)
    twin = run(scenario(advisors=THREE), [50.0], until=1.0)
    for pool in (c.advisors, twin.advisors):
        del pool.idle[0]
    c.advice.advisor_free(0)
    twin.advisors.make_idle(0)
    assert pool_state(c.advisors) == pool_state(twin.advisors)


@pytest.mark.parametrize("end", [30.0, 70.0])  # within the shift, after it
def test_the_end_of_an_advisor_call_releases_the_advisor_as_release_does(end):
    # One advisor works 00:00-01:00 and answers a call at 10; a second call waits.
    s = scenario(advisors=shifts(("00:00", "01:00", 1)))
    c, twin = (run(s, [10.0, 11.0], until=12.0) for _ in range(2))
    for centre in (c, twin):
        at(centre, end)
    c.advice.advisor_done(0)
    twin.advisors.release(0)
    assert pool_state(c.advisors) == pool_state(twin.advisors)
    assert list(c.advice.queue) == list(twin.advice.queue)
