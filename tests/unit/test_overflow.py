"""Overflow rules as pure functions of the queue state."""

from __future__ import annotations

import math

import pytest

from sim111.engine.overflow import (
    QueueState,
    choose_provider,
    expected_wait_s,
    in_window,
    rule_fires,
)
from sim111.errors import ScenarioError
from sim111.scenario import OverflowRule
from tests.conftest import make_scenario


def state(queue=0, on_duty=10, handle=10.0, day_type="weekday", minute=600.0):
    return QueueState(queue, on_duty, handle, day_type, minute)


def test_expected_wait_is_calls_ahead_plus_one_times_handling_over_advisors():
    assert expected_wait_s(state(queue=4, on_duty=10, handle=10.0)) == 5 * 10 * 60 / 10
    assert math.isinf(expected_wait_s(state(on_duty=0)))


def test_queue_length_threshold_is_strict():
    rule = OverflowRule(provider="p", queue_length_over=5)
    assert not rule_fires(rule, state(queue=5))
    assert rule_fires(rule, state(queue=6))


def test_expected_wait_threshold():
    rule = OverflowRule(provider="p", expected_wait_over_s=300)
    assert not rule_fires(rule, state(queue=4))  # exactly 300 s
    assert rule_fires(rule, state(queue=5))


def test_time_windows_and_day_types():
    night = OverflowRule(
        provider="p", queue_length_over=0, start="18:30", end="08:00", day_types=("weekday",)
    )
    assert rule_fires(night, state(queue=1, minute=19 * 60))
    assert rule_fires(night, state(queue=1, minute=7 * 60 + 59))
    assert not rule_fires(night, state(queue=1, minute=8 * 60))
    assert not rule_fires(night, state(queue=1, minute=19 * 60, day_type="sunday"))
    assert in_window(0, 1440, 1439.9)  # "00:00" to "24:00"


def test_first_rule_that_fires_wins():
    rules = [
        OverflowRule(provider="a", queue_length_over=10),
        OverflowRule(provider="b", queue_length_over=2),
    ]
    assert choose_provider(rules, state(queue=11)) == "a"
    assert choose_provider(rules, state(queue=3)) == "b"
    assert choose_provider(rules, state(queue=2)) is None


def test_a_rule_needs_exactly_one_threshold():
    with pytest.raises(
        ScenarioError, match=r"'overflow\.0\.queue_length_over' or 'expected_wait_over_s'"
    ):
        make_scenario(
            providers=[{"name": "p", "count": 1, "handle_time": {"mean_min": 5.0}}],
            overflow=[{"provider": "p"}],
        )


def test_a_rule_must_name_a_provider():
    with pytest.raises(ScenarioError, match=r"'overflow\.0\.provider' must name a provider"):
        make_scenario(overflow=[{"provider": "nhs_direct", "queue_length_over": 3}])
