"""Where a newly offered call goes when the 111 queue is long: pure rules, no SimPy.

The engine asks :func:`choose_provider` at the moment a call is offered and
no advisor is free; the answer depends only on the state passed in, so the
rules can be tested with hand-written states.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sim111.scenario import OverflowRule
from sim111.units import SECONDS_PER_MIN


class QueueState(NamedTuple):
    """What an overflow rule can see when a call is offered.

    A named tuple (immutable, and cheap to build: the engine makes one for every
    call offered while no advisor is free).
    """

    queue_length: int  # calls waiting for an advisor (not counting this one)
    advisors_on_duty: int
    mean_handle_min: float
    day_type: str
    minute_of_day: float


def expected_wait_s(state: QueueState) -> float:
    """A simple estimate of this call's wait: (calls ahead + 1) x handling / advisors."""
    if state.advisors_on_duty <= 0:
        return float("inf")
    return (
        (state.queue_length + 1) * state.mean_handle_min * SECONDS_PER_MIN / state.advisors_on_duty
    )


def in_window(a: int, b: int, minute_of_day: float) -> bool:
    """Whether ``minute_of_day`` falls in [a, b) (minutes); ``b`` before ``a`` wraps midnight."""
    if a <= b:
        return a <= minute_of_day < b
    return minute_of_day >= a or minute_of_day < b


def rule_fires(rule: OverflowRule, state: QueueState) -> bool:
    """Whether ``rule`` sends the call away in ``state``."""
    start, end = rule.window_min
    if state.day_type not in rule.day_types or not in_window(start, end, state.minute_of_day):
        return False
    if rule.queue_length_over is not None:
        return state.queue_length > rule.queue_length_over
    assert rule.expected_wait_over_s is not None
    return expected_wait_s(state) > rule.expected_wait_over_s


def choose_provider(rules: Sequence[OverflowRule], state: QueueState) -> str | None:
    """The provider of the first rule that fires, or ``None`` to queue for 111."""
    for rule in rules:
        if rule_fires(rule, state):
            return rule.provider
    return None
