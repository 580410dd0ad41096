"""Deterministic journeys of callers waiting for a call-back, and of the backlog rules.

The set-up of every test: two advisors (10 min a call, fixed); one nurse (18 min an
assessment) who is busy with call 0, put through live 10-28; call 1 (class 'soon',
no warm transfer) ends its advisor call at 11 and waits for a call-back.
"""

from __future__ import annotations

import pytest

from sim111.errors import ScenarioError
from tests.unit.test_journeys import FIXED, PRIORITIES, clinicians, run, scenario, trace

TWO_ADVISORS = {"count": 2, "handle_time": {**FIXED, "mean_min": 10}}


def waiting(patience_min=5.0, **then):
    shares = {"ring_again": 0, "ed": 0, "ambulance": 0, "give_up": 0, **then}
    return {"patience": {**FIXED, "mean_min": patience_min}, "then": shares}


def setup(clinical=None, nurses=None, extra=None, **draws):
    data_clinical = {
        "priorities": PRIORITIES,
        "callback_no_answer_share": 0.0,
        **(clinical or {}),
    }
    s = scenario(advisors=TWO_ADVISORS, clinicians=[nurses or clinicians()], clinical=data_clinical)
    if extra:
        s = s.with_overrides(extra)
    return run(s, [0, 1], priority=[0, 1], **draws)


def test_a_caller_whose_patience_runs_out_rings_again_and_the_call_back_is_replaced():
    c = setup({"waiting": waiting(ring_again=1)})
    fields = ("caller_id", "repeat_of", "arrival_min", "answer_min", "callback_left_min")
    assert trace(c, *fields, "contact_min", "end_min") == [
        (0, "closed_by_clinician", 0, -1, 0, 0, None, 10, 28),
        # waited from 11; at 16 rang again; closed when that call was answered at 16
        (1, "callback_replaced", 1, -1, 1, 1, 16, None, 16),
        # the repeat call: same caller, triaged again at 16-26, call-back made at 28
        (2, "closed_by_clinician", 1, 1, 16, 16, None, 28, 46),
    ]
    assert c.calls.attempt_of(2) == 0  # a new call, not a redial
    assert c.calls.priority[2] == 1  # the caller keeps their class


def test_a_kept_call_back_keeps_its_place_and_the_repeat_call_ends_with_the_advisor():
    c = setup({"waiting": {**waiting(ring_again=1), "repeat_call_closes_callback": False}})
    assert trace(c, "repeat_of", "callback_left_min", "contact_min", "end_min") == [
        (0, "closed_by_clinician", -1, None, 10, 28),
        (1, "closed_by_clinician", -1, 16, 28, 46),  # reached at 28 as it would have been
        (2, "closed_no_triage", 1, None, None, 26),  # told the call-back is coming
    ]


@pytest.mark.parametrize(
    ("action", "outcome", "referred"),
    [
        ("ed", "callback_left_for_ed", 0),
        ("ambulance", "callback_left_for_999", 1),
        ("give_up", "callback_gave_up", -1),
    ],
)
def test_a_caller_who_goes_to_ae_dials_999_or_gives_up_leaves_the_queue(action, outcome, referred):
    services = [
        {"name": "ae", "takes": "ed", "count": 5, "handle_time": {**FIXED, "mean_min": 60}},
        {"name": "amb", "takes": "ambulance", "count": 5, "handle_time": {**FIXED, "mean_min": 60}},
    ]
    c = setup({"waiting": waiting(**{action: 1})}, extra={"downstream": services})
    assert trace(c, "callback_left_min", "end_min", "downstream", "downstream_start_min") == [
        (0, "closed_by_clinician", None, 28, -1, None),
        (1, outcome, 16, 16, referred, 16 if referred >= 0 else None),
    ]
    assert len(c.calls) == 2  # no repeat call
    assert c.calls.disposition[1] == -1  # a self-referral, not a 111 disposition


def test_a_call_back_reached_before_the_patience_runs_out_is_not_touched():
    c = setup({"waiting": waiting(patience_min=30, give_up=1)})
    assert trace(c, "callback_left_min", "contact_min", "end_min") == [
        (0, "closed_by_clinician", None, 10, 28),
        (1, "closed_by_clinician", None, 28, 46),
    ]


def test_a_caller_who_leaves_while_being_dialled_is_not_retried():
    # the first attempt at 28 goes unanswered (2 min); patience runs out at 29
    c = setup(
        {"waiting": waiting(patience_min=18, give_up=1), "callback_retry_delay_min": 15},
        callback_attempts_needed=[1, 3],
    )
    assert trace(c, "first_attempt_min", "callback_attempts", "end_min") == [
        (0, "closed_by_clinician", None, 0, 28),
        (1, "callback_gave_up", 28, 1, 29),
    ]


PROVIDER = {
    "name": "ooh",
    "count": 1,
    "handle_time": {**FIXED, "mean_min": 20},
    "price_per_call_gbp": 30,
}


def test_an_old_call_back_is_escalated_to_the_provider():
    c = setup(
        extra={
            "providers": [PROVIDER],
            "clinical.backlog": {"escalate_to": "ooh", "escalate_after_min": 12},
        }
    )
    assert trace(c, "escalated_min", "provider", "provider_start_min", "end_min") == [
        (0, "closed_by_clinician", None, -1, None, 28),
        (1, "closed_by_provider", 23, 0, 23, 43),  # 12 min after the advisor call
    ]


def test_the_longest_waiting_call_back_is_escalated_when_the_queue_is_too_long():
    c = run(
        scenario(
            advisors=TWO_ADVISORS,
            clinicians=[clinicians()],
            clinical={"priorities": PRIORITIES, "callback_no_answer_share": 0.0},
        ).with_overrides(
            {
                "providers": [PROVIDER],
                "clinical.backlog": {"escalate_to": "ooh", "escalate_when_queue_over": 1},
            }
        ),
        [0, 1, 2],
        priority=[0, 2, 1],
    )
    # call 1 (routine) queued at 11; call 2 (soon) at 20 makes two: call 1 goes
    assert trace(c, "escalated_min", "provider_start_min", "contact_min", "end_min") == [
        (0, "closed_by_clinician", None, None, 10, 28),
        (1, "closed_by_provider", 20, 20, None, 40),
        (2, "closed_by_clinician", None, None, 28, 46),
    ]


def test_a_clinician_is_called_in_on_overtime_when_the_queue_is_too_long():
    c = setup(
        {
            "backlog": {
                "overtime_when_queue_over": 0,
                "overtime_max_clinicians": 1,
                "overtime_block_min": 60,
            }
        }
    )
    assert trace(c, "contact_min", "end_min") == [
        (0, "closed_by_clinician", 10, 28),
        (1, "closed_by_clinician", 11, 29),  # the nurse called in at 11 takes it
    ]
    assert c.backlog.overtime_changes == [(11, 1), (71, -1)]


def test_an_old_call_back_moves_up_a_class():
    def calls(upgrade):
        backlog = {"upgrade_after_min": upgrade} if upgrade else {}
        s = scenario(
            advisors=TWO_ADVISORS,
            clinicians=[clinicians()],
            clinical={
                "priorities": PRIORITIES,
                "callback_no_answer_share": 0.0,
                "backlog": backlog,
            },
        )
        c = run(s, [0, 1, 2], priority=[0, 2, 1])
        return trace(c, "advisor_end_min", "contact_min")

    # routine call 1 queued at 11, 'soon' call 2 at 20; the nurse frees at 28
    assert calls(None)[1:] == [
        (1, "closed_by_clinician", 11, 46),
        (2, "closed_by_clinician", 20, 28),
    ]
    # after 15 min (at 26) call 1 is 'soon' too, and entered first
    assert calls(15)[1:] == [(1, "closed_by_clinician", 11, 28), (2, "closed_by_clinician", 20, 46)]


def test_backlog_rules_are_checked_when_the_scenario_is_read():
    with pytest.raises(ScenarioError, match=r"escalate_to.*must name a provider"):
        setup({"backlog": {"escalate_to": "nobody", "escalate_after_min": 5}})
    with pytest.raises(ScenarioError, match=r"escalate_to.*needs escalate_after_min"):
        setup(extra={"providers": [PROVIDER], "clinical.backlog": {"escalate_to": "ooh"}})
    with pytest.raises(ScenarioError, match=r"upgrade_after_min.*'priority' only"):
        setup({"discipline": "deadline", "backlog": {"upgrade_after_min": 5}})
    with pytest.raises(ScenarioError, match="overtime_max_clinicians"):
        setup({"backlog": {"overtime_when_queue_over": 3}})
