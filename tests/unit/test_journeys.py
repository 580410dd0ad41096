"""Deterministic call journeys: fixed times in, exact timestamps out."""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim111.model import AdvisorQueue, CallInputs
from sim111.records import StaffLog
from sim111.roster import ShiftBlock


def journey(arrivals, patience, handle, blocks, until=1000.0):
    env = simpy.Environment()
    inputs = CallInputs(
        np.array(arrivals, float), np.array(patience, float), np.array(handle, float)
    )
    centre = AdvisorQueue(env, inputs, tuple(blocks))
    env.run(until=until)
    trace = [
        (i, ("completed", "abandoned", "queued", "in_service")[o], a, e)
        for i, (o, a, e) in enumerate(
            zip(centre.outcome, centre.answer_min, centre.end_min, strict=True)
        )
    ]
    return trace, centre.staff_changes


def clean(trace):
    return [
        (i, o, None if math.isnan(a) else a, None if math.isnan(e) else e) for i, o, a, e in trace
    ]


def test_one_advisor_serves_in_order_and_a_caller_abandons():
    trace, _ = journey(
        arrivals=[0, 1, 2, 3],
        patience=[99, 99, 5, 99],
        handle=[10, 4, 1, 2],
        blocks=[ShiftBlock(0, math.inf, 1)],
    )
    assert clean(trace) == [
        (0, "completed", 0, 10),
        (1, "completed", 10, 14),
        (2, "abandoned", None, 7),  # waited 2 -> 7, gave up before the answer at 14
        (3, "completed", 14, 16),  # the abandoned caller is skipped
    ]


def test_two_advisors_longest_idle_first():
    trace, _ = journey(
        arrivals=[0, 1, 20],
        patience=[99] * 3,
        handle=[5, 30, 1],
        blocks=[ShiftBlock(0, math.inf, 2)],
    )
    assert clean(trace) == [
        (0, "completed", 0, 5),
        (1, "completed", 1, 31),
        (2, "completed", 20, 21),
    ]


def test_advisor_finishes_the_call_in_hand_after_the_shift_ends():
    # Advisor A works 0-60; B starts at 60. A call at 50 lasting 20 keeps A until 70;
    # a call at 55 waits for B at 60, not for A.
    trace, changes = journey(
        arrivals=[50, 55, 65],
        patience=[99, 99, 99],
        handle=[20, 10, 1],
        blocks=[ShiftBlock(0, 60, 1), ShiftBlock(60, 200, 1)],
    )
    assert clean(trace) == [
        (0, "completed", 50, 70),
        (1, "completed", 60, 70),
        (2, "completed", 70, 71),  # served by B at 70 — A went home, not back to the queue
    ]
    assert changes == [(0, 1), (60, 1), (70, -1), (200, -1)]
    log = StaffLog.from_changes(changes)
    assert log.integral_to(np.array([60.0, 100.0, 250.0])).tolist() == [60.0, 110.0, 210.0]


def test_idle_advisor_leaves_at_shift_end_and_calls_wait_for_the_next_shift():
    trace, changes = journey(
        arrivals=[70],
        patience=[99],
        handle=[5],
        blocks=[ShiftBlock(0, 60, 1), ShiftBlock(100, 200, 1)],
    )
    assert clean(trace) == [(0, "completed", 100, 105)]
    assert changes == [(0, 1), (60, -1), (100, 1), (200, -1)]


def test_night_shift_started_before_the_run_is_on_duty_at_zero():
    trace, changes = journey(
        arrivals=[1], patience=[99], handle=[5], blocks=[ShiftBlock(-120, 360, 1)]
    )
    assert clean(trace) == [(0, "completed", 1, 6)]
    assert changes[0] == (0, 1)


def test_calls_still_in_the_system_at_the_end_are_counted_as_such():
    trace, _ = journey(
        arrivals=[0, 1, 2],
        patience=[99, 99, 99],
        handle=[50, 50, 50],
        blocks=[ShiftBlock(0, math.inf, 1)],
        until=60,
    )
    assert clean(trace) == [
        (0, "completed", 0, 50),
        (1, "in_service", 50, None),
        (2, "queued", None, None),
    ]


def test_no_advisors_means_everyone_abandons():
    trace, _ = journey(arrivals=[0, 1], patience=[3, 4], handle=[1, 1], blocks=[])
    assert clean(trace) == [(0, "abandoned", None, 3), (1, "abandoned", None, 5)]
