"""Deterministic call journeys: fixed times in, exact timestamps out."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import simpy

from sim111.engine.callers import CallerDraws
from sim111.engine.centre import CallCentre
from sim111.engine.records import OUTCOMES, StepLog
from sim111.engine.streams import RandomStreams
from sim111.scenario import scenario_from_data

FIXED = {"kind": "fixed"}


def scenario(advisors=None, clinicians=(), clinical=None, callers=None, triage=None):
    data = {
        "run": {"days": 1},
        "advisors": advisors or {"count": 1, "handle_time": {**FIXED, "mean_min": 10}},
        "callers": callers or {"patience": {**FIXED, "mean_min": 99}},
        "clinicians": list(clinicians),
        "clinical": clinical or {},
        "triage": triage or {},
    }
    data["run"]["start_date"] = date(2015, 3, 3)
    if clinicians:
        data["triage"] = {"clinical_share": 1.0, **data["triage"]}
    return scenario_from_data(data, "journey")


def run(s, arrivals, until=1440.0, **columns):
    n = len(arrivals)
    base = {
        "patience_min": [99.0] * n,
        "triaged": [True] * n,
        "handle_min": [10.0] * n,
        "clinical_u": [0.0 if s.clinicians else 1.0] * n,
        "priority": [0] * n,
        "advisor_disposition": [5] * n,
        "clinician_disposition": [2] * n,
        "clinician_u": [0.5] * n,
        "callback_attempts_needed": [1] * n,
        "redials": [False] * n,
        "redial_delay_min": [10.0] * n,
        "provider_u": [0.5] * n,
        "downstream_u": [0.5] * n,
        "downstream_class_u": [0.5] * n,
        "downstream_handle_u": [0.5] * n,
        "callback_patience_u": [0.5] * n,
        "callback_action_u": [0.5] * n,
    }
    base.update(columns)
    draws = CallerDraws(**{k: np.array(v) for k, v in base.items()})
    env = simpy.Environment()
    centre = CallCentre(env, s, np.array(arrivals, float), draws, RandomStreams(0, 0))
    centre.run(until)
    return centre


def nan_none(x):
    return None if isinstance(x, float) and math.isnan(x) else x


# the columns the same for every first attempt, read through the table's methods
READERS = {"caller_id": "caller_of", "attempt": "attempt_of", "repeat_of": "repeat_of"}


def value(calls, field, i):
    if field in READERS:
        return getattr(calls, READERS[field])(i)
    return getattr(calls, field)[i]


def trace(centre, *fields):
    rows = []
    calls = centre.calls
    for i in range(len(calls)):
        row = [i, OUTCOMES[calls.outcome[i]]]
        row += [nan_none(value(calls, f, i)) for f in fields]
        rows.append(tuple(row))
    return rows


# the advisor stage -----------------------------------------------------------
def test_one_advisor_serves_in_order_and_a_caller_abandons():
    c = run(scenario(), [0, 1, 2, 3], patience_min=[99, 99, 5, 99], handle_min=[10, 4, 1, 2])
    assert trace(c, "answer_min", "end_min") == [
        (0, "closed_by_advisor", 0, 10),
        (1, "closed_by_advisor", 10, 14),
        (2, "abandoned", None, 7),  # waited 2 -> 7, gave up before the answer at 14
        (3, "closed_by_advisor", 14, 16),  # the abandoned caller is skipped
    ]


def test_two_advisors_longest_idle_first():
    s = scenario(advisors={"count": 2, "handle_time": {**FIXED, "mean_min": 1}})
    c = run(s, [0, 1, 20], handle_min=[5, 30, 1])
    assert trace(c, "answer_min", "end_min") == [
        (0, "closed_by_advisor", 0, 5),
        (1, "closed_by_advisor", 1, 31),
        (2, "closed_by_advisor", 20, 21),
    ]


def shifts(*spec):
    return {
        "handle_time": {**FIXED, "mean_min": 1},
        "shifts": [{"start": a, "end": b, "count": n} for a, b, n in spec],
    }


def test_advisor_finishes_the_call_in_hand_after_the_shift_ends():
    # A works 00:00-01:00, B 01:00-03:20. A call at 50 lasting 20 keeps A until 70;
    # a call at 55 waits for B at 60, not for A; a call at 65 waits for B.
    s = scenario(advisors=shifts(("00:00", "01:00", 1), ("01:00", "03:20", 1)))
    c = run(s, [50, 55, 65], handle_min=[20, 10, 1])
    assert trace(c, "answer_min", "end_min") == [
        (0, "closed_by_advisor", 50, 70),
        (1, "closed_by_advisor", 60, 70),
        (2, "closed_by_advisor", 70, 71),
    ]
    assert c.advisors.changes == [(0, 1), (60, 1), (70, -1), (200, -1)]
    log = StepLog.from_changes(c.advisors.changes)
    assert log.integral_to(np.array([60.0, 100.0, 250.0])).tolist() == [60.0, 110.0, 210.0]


def test_idle_advisor_leaves_at_shift_end_and_calls_wait_for_the_next_shift():
    s = scenario(advisors=shifts(("00:00", "01:00", 1), ("01:40", "03:20", 1)))
    c = run(s, [70], handle_min=[5])
    assert trace(c, "answer_min", "end_min") == [(0, "closed_by_advisor", 100, 105)]
    assert c.advisors.changes == [(0, 1), (60, -1), (100, 1), (200, -1)]


def test_night_shift_started_the_evening_before_is_on_duty_at_zero():
    s = scenario(advisors=shifts(("22:00", "06:00", 1)))
    c = run(s, [1], handle_min=[5])
    assert trace(c, "answer_min", "end_min") == [(0, "closed_by_advisor", 1, 6)]
    assert c.advisors.changes[:2] == [(0, 1), (360, -1)]


def test_calls_still_in_the_system_at_the_end_are_counted_as_such():
    c = run(scenario(), [0, 1, 2], until=60, handle_min=[50, 50, 50])
    assert trace(c, "answer_min", "end_min") == [
        (0, "closed_by_advisor", 0, 50),
        (1, "with_advisor_at_end", 50, None),
        (2, "queued_at_end", None, None),
    ]


def test_not_triaged_calls_close_without_a_disposition():
    s = scenario(triage={"triaged_share": 0.5, "untriaged_handle_time": {**FIXED, "mean_min": 4}})
    c = run(s, [0], triaged=[False], handle_min=[4])
    assert trace(c, "end_min", "disposition") == [(0, "closed_no_triage", 4, -1)]


def test_abandoned_caller_redials_as_a_new_call_of_the_same_caller():
    s = scenario(
        advisors={"count": 0, "handle_time": {**FIXED, "mean_min": 1}},
        callers={
            "patience": {**FIXED, "mean_min": 5},
            "redial_probability": 1.0,
            "redial_delay": {**FIXED, "mean_min": 10},
        },
    )
    c = run(s, [0], until=40, patience_min=[5], redials=[True], redial_delay_min=[10])
    # 0: abandons at 5, redials at 15; 1: abandons at 20, redials at 30; 2: abandons at 35
    assert trace(c, "arrival_min", "end_min", "caller_id", "attempt")[:3] == [
        (0, "abandoned", 0, 5, 0, 0),
        (1, "abandoned", 15, 20, 0, 1),
        (2, "abandoned", 30, 35, 0, 2),
    ]


# the clinical stage ------------------------------------------------------------
def clinicians(count=1, minutes=18, **extra):
    return {
        "name": "nurses",
        "count": count,
        "handle_time": {**FIXED, "mean_min": minutes},
        **extra,
    }


PRIORITIES = [
    {"name": "urgent", "share": 1, "target_min": 20, "warm_transfer": True},
    {"name": "soon", "share": 1, "target_min": 60, "warm_transfer": False},
    {"name": "routine", "share": 1, "target_min": 120, "warm_transfer": False},
]


def clinical(**extra):
    return {"priorities": PRIORITIES, **extra}


def test_warm_transfer_when_a_clinician_is_free():
    c = run(scenario(clinicians=[clinicians()], clinical=clinical()), [0])
    assert trace(
        c, "advisor_end_min", "contact_min", "end_min", "warm_transfer", "disposition"
    ) == [(0, "closed_by_clinician", 10, 10, 28, True, 2)]


def test_caller_holds_for_a_clinician_then_is_put_through():
    s = scenario(
        advisors={"count": 2, "handle_time": {**FIXED, "mean_min": 10}},
        clinicians=[clinicians()],
        clinical=clinical(warm_transfer_hold_max_min=20),
    )
    # The clinician is busy 10-28; call 1 reaches the clinical stage at 12 and may
    # hold until 32, so it is put through live when the clinician frees at 28.
    c = run(s, [0, 2])
    assert trace(c, "contact_min", "end_min", "warm_transfer") == [
        (0, "closed_by_clinician", 10, 28, True),
        (1, "closed_by_clinician", 28, 46, True),
    ]


def test_hold_expires_into_the_call_back_queue():
    s = scenario(
        advisors={"count": 2, "handle_time": {**FIXED, "mean_min": 10}},
        clinicians=[clinicians()],
        clinical=clinical(warm_transfer_hold_max_min=10),
    )
    # Call 1 holds 12-22, then becomes a call-back, made when the clinician frees at 28.
    c = run(s, [0, 2])
    assert trace(c, "contact_min", "end_min", "warm_transfer", "callback_attempts") == [
        (0, "closed_by_clinician", 10, 28, True, 0),
        (1, "closed_by_clinician", 28, 46, False, 1),
    ]


def test_unanswered_call_back_is_retried_after_the_delay():
    s = scenario(
        clinicians=[clinicians()],
        clinical=clinical(callback_no_answer_min=2, callback_retry_delay_min=15),
    )
    # A "soon" call (no warm transfer) reaches the stage at 10; the clinician is free,
    # tries at 10 (no answer, busy until 12), retries at 27 and gets through.
    c = run(s, [0], priority=[1], callback_attempts_needed=[2])
    assert trace(c, "contact_min", "end_min", "warm_transfer", "callback_attempts") == [
        (0, "closed_by_clinician", 27, 45, False, 2)
    ]
    assert sorted(c.clinical.busy_changes) == [(10, 1), (12, -1), (27, 1), (45, -1)]


def test_call_back_fails_after_the_last_attempt():
    s = scenario(
        clinicians=[clinicians()],
        clinical=clinical(
            callback_no_answer_min=2, callback_retry_delay_min=15, callback_max_attempts=3
        ),
    )
    c = run(s, [0], priority=[1], callback_attempts_needed=[4])
    # attempts at 10, 27, 44; the last ends unanswered at 46
    assert trace(c, "contact_min", "end_min", "callback_attempts", "disposition") == [
        (0, "callback_failed", None, 46, 3, -1)
    ]


def test_call_backs_are_served_by_priority_then_age():
    s = scenario(
        advisors={"count": 4, "handle_time": {**FIXED, "mean_min": 10}},
        clinicians=[clinicians(minutes=30)],
        clinical=clinical(),
    )
    # Call 0 takes the clinician 10-40. Calls 1-3 (routine, soon, soon) queue at 11-13.
    c = run(s, [0, 1, 2, 3], priority=[0, 2, 1, 1])
    assert [nan_none(x) for x in c.calls.contact_min] == [10, 100, 40, 70]


def test_earliest_deadline_first():
    s = scenario(
        advisors={"count": 4, "handle_time": {**FIXED, "mean_min": 10}},
        clinicians=[clinicians(minutes=100)],
        clinical=clinical(discipline="deadline"),
    )
    # Clinician busy 10-110. Routine call at 11 (deadline 131) beats soon call at
    # 80 (deadline 150): deadline order, not class order.
    c = run(s, [0, 1, 70], priority=[0, 2, 1])
    assert [nan_none(x) for x in c.calls.contact_min] == [10, 110, 210]


def test_a_group_only_takes_the_classes_it_serves():
    s = scenario(
        advisors={"count": 2, "handle_time": {**FIXED, "mean_min": 10}},
        clinicians=[
            clinicians(name="gp", serves=["urgent"]),
            clinicians(name="nurses", count=0),  # serves every class, but nobody on duty
        ],
        clinical=clinical(),
    )
    c = run(s, [0, 1], priority=[1, 0])  # the GP ignores the "soon" call
    assert trace(c, "contact_min", "clinician_group") == [
        (0, "awaiting_clinician_at_end", None, -1),
        (1, "closed_by_clinician", 11, 0),
    ]


# downstream services -------------------------------------------------------------
def gp_ooh(count=1, minutes=30, **extra):
    return {
        "name": "gp_ooh",
        "takes": "primary_care",
        "share": 1.0,
        "count": count,
        "handle_time": {**FIXED, "mean_min": minutes},
        "classes": [
            {"name": "urgent", "share": 1, "target_min": 120},
            {"name": "routine", "share": 1, "target_min": 360},
        ],
        **extra,
    }


def scenario_with_downstream(**service):
    data = {
        "run": {"days": 1, "start_date": date(2015, 3, 3)},
        "advisors": {"count": 4, "handle_time": {**FIXED, "mean_min": 10}},
        "callers": {"patience": {**FIXED, "mean_min": 99}},
        "downstream": [gp_ooh(**service)],
    }
    return scenario_from_data(data, "journey")


def test_dispositions_are_referred_and_seen_urgent_first_then_oldest():
    s = scenario_with_downstream()
    # Four primary-care dispositions at 10, 11, 12, 13; classes routine, routine, urgent,
    # urgent (u < 0.5 is urgent). The GP sees call 0 at 10 (free), then the urgent ones
    # in referral order, then the remaining routine one.
    c = run(
        s,
        [0, 1, 2, 3],
        advisor_disposition=[2, 2, 2, 2],
        downstream_class_u=[0.9, 0.9, 0.1, 0.2],
    )
    assert list(c.calls.downstream) == [0, 0, 0, 0]
    assert list(c.calls.downstream_class) == [1, 1, 0, 0]
    assert list(c.calls.downstream_start_min) == [10, 100, 40, 70]


def test_other_dispositions_are_not_referred():
    c = run(scenario_with_downstream(), [0, 1], advisor_disposition=[0, 5])  # 999, self-care
    assert list(c.calls.downstream) == [-1, -1]


def test_share_of_a_disposition_sent_to_the_service():
    c = run(
        scenario_with_downstream(share=0.3),
        [0, 1, 2],
        advisor_disposition=[2, 2, 2],
        downstream_u=[0.1, 0.29, 0.31],
    )
    assert list(c.calls.downstream) == [0, 0, -1]
