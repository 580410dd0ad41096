"""The SimPy behaviour sim111.engine.scheduler relies on, pinned.

The scheduler puts bare wake-up tuples on SimPy's private event heap and
inlines ``Environment.step``. If a SimPy release changes any of this, these
tests fail, instead of the engine silently giving different results.
"""

from __future__ import annotations

import inspect
import itertools
from array import array

import numpy as np
import pytest
import simpy
from simpy.events import NORMAL, URGENT

from sim111.engine.scheduler import Scheduler


def test_the_queue_is_a_heap_of_time_priority_id_event():
    env = simpy.Environment()
    late = env.timeout(5.0, "late")
    early = env.timeout(2.0, "early")
    assert isinstance(env._queue, list)
    assert env._queue[0] == min(env._queue)  # a heap: the soonest first
    time, priority, eid, event = env._queue[0]
    assert (time, priority, event) == (2.0, NORMAL, early)
    assert isinstance(eid, int)
    assert {item[3] for item in env._queue} == {early, late}


def test_timeouts_take_ids_from_the_shared_counter():
    env = simpy.Environment()
    assert isinstance(env._eid, itertools.count)
    env.timeout(1.0)
    before = next(env._eid)
    env.timeout(1.0)
    assert env._queue[-1][2] == before + 1  # the Timeout took the next id


def test_normal_priority_is_after_urgent():
    assert (URGENT, NORMAL) == (0, 1)


def test_wake_ups_interleave_with_timeouts_in_scheduling_order_at_equal_times():
    env = simpy.Environment()
    clock = Scheduler(env)
    seen = []
    env.timeout(3.0).callbacks.append(lambda e: seen.append("timeout 1"))
    clock.at(3.0, seen.append, "wake-up 1")
    env.timeout(3.0).callbacks.append(lambda e: seen.append("timeout 2"))
    clock.at(3.0, seen.append, "wake-up 2")
    clock.at(1.0, seen.append, "earlier")
    clock.run(array("d"), 0, seen.append, 10.0)
    assert seen == ["earlier", "timeout 1", "wake-up 1", "timeout 2", "wake-up 2"]


def test_now_is_settable_and_read_by_timeouts():
    env = simpy.Environment()
    env._now = 7.5
    assert env.now == 7.5
    env.timeout(2.0)
    assert env._queue[0][0] == 9.5  # a Timeout is scheduled from env._now


def test_step_is_what_the_loop_inlines():
    # Environment.step pops the heap, sets _now, runs and clears the callbacks,
    # and raises an event's failure unless it was defused. If its body changes,
    # re-read it and the loop in Scheduler.run.
    source = inspect.getsource(simpy.Environment.step)
    for needle in (
        "heappop(self._queue)",
        "self._now",
        "callbacks, event.callbacks = event.callbacks, None",
        "callback(event)",
        "if not event._ok and not hasattr(event, '_defused')",
    ):
        assert needle in source.replace('"', "'"), needle


def test_the_loop_offers_arrivals_after_events_at_the_same_time_and_stops_before_until():
    env = simpy.Environment()
    clock = Scheduler(env)
    seen: list[tuple[str, float]] = []
    clock.at(2.0, lambda v: seen.append((v, clock.now)), "event")
    clock.at(4.0, lambda v: seen.append((v, clock.now)), "at until")
    arrivals = array("d", [2.0, 3.0, 4.0])
    clock.run(arrivals, 3, lambda i: seen.append((f"arrival {i}", clock.now)), 4.0)
    assert seen == [("event", 2.0), ("arrival 0", 2.0), ("arrival 1", 3.0)]
    assert clock.now == env.now == 4.0
    assert clock.pending == 1  # the event at exactly `until` is left pending


def test_a_failed_simpy_event_raises():
    env = simpy.Environment()
    clock = Scheduler(env)
    env.event().fail(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        clock.run(array("d"), 0, lambda i: None, 1.0)


def test_events_set_aside_before_the_run_keep_simpys_order():
    # Shift starts are scheduled before the run and fed to the heap an hour ahead
    # of the clock: every event must still come in SimPy's own order (time, then
    # scheduling order), ties with wake-ups scheduled during the run included.
    def schedule(env: simpy.Environment, seen: list[str]) -> None:
        for k, t in enumerate([0.0, 30.0, 30.0, 60.0, 61.0, 600.0, 600.0, 1440.0, 5000.0]):
            env.timeout(t).callbacks.append(lambda e, k=k: seen.append(f"timeout {k}"))

    reference: list[str] = []
    env = simpy.Environment()
    schedule(env, reference)

    def echo(at: float, name: str) -> None:  # a wake-up scheduled at run time, as a Timeout
        env.timeout(at - env.now).callbacks.append(lambda e: reference.append(name))

    env.timeout(10.0).callbacks.append(lambda e: echo(600.0, "late wake-up"))
    env.timeout(10.0).callbacks.append(lambda e: echo(61.0, "wake-up at 61"))
    env.run(until=5000.0)

    seen: list[str] = []
    env = simpy.Environment()
    schedule(env, seen)
    clock = Scheduler(env)
    env.timeout(10.0).callbacks.append(lambda e: clock.at(600.0, seen.append, "late wake-up"))
    env.timeout(10.0).callbacks.append(lambda e: clock.at(61.0, seen.append, "wake-up at 61"))
    clock.run(array("d", [5.0, 59.5, 2000.0]), 3, lambda i: None, 5000.0)
    assert seen == reference
    assert clock.pending == 1  # the timeout at exactly `until`
    clock.clear()
    assert clock.pending == 0


def test_areas_first_attempts_merge_a_block_at_a_time_as_one_stable_merge():
    from types import SimpleNamespace

    from sim111.engine.network import first_attempts

    rng = np.random.default_rng(4)
    offered: list[tuple[int, int]] = []
    centres = []
    times = []
    for k in range(3):
        t = sorted(rng.integers(0, 40, size=30).astype(float) / 2)  # ties within and across
        times += [(x, k, i) for i, x in enumerate(t)]
        # a redial appended (not a first attempt: never offered from here)
        calls = SimpleNamespace(arrival_min=array("d", [*t, 5.0]), n_first=len(t))
        advice = SimpleNamespace(offer=lambda i, k=k: offered.append((k, i)))
        centres.append(SimpleNamespace(calls=calls, advice=advice))
    until = 17.25
    blocks = list(first_attempts(centres, until, block_min=3.0))
    assert len(blocks) == 6  # 3-minute blocks up to 17.25
    merged = [t for block, _ in blocks for t in block]
    for block, offer in blocks:
        for i in range(len(block)):
            offer(i)
    expected = sorted((x, k, i) for x, k, i in times if x < until)  # time, then area, row
    assert merged == [x for x, _, _ in expected]
    assert offered == [(k, i) for _, k, i in expected]
