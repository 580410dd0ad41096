"""Callers who stop waiting for a call-back, and what the service does about a backlog.

    waiting for a call-back ─(call-back patience runs out)─► ring 111 again: a repeat call
                                                           ├► go to A&E ─┐ referred to the
                                                           ├► dial 999 ──┘ service, if modelled
                                                           └► give up
    repeat call answered ─► the pending call-back is closed (the caller is triaged
                            again) or kept (the repeat call ends with the advisor)
    call-back waiting T ─► escalated to a provider;  queue over N ─► the longest-waiting
                           escalated, and/or a clinician called in on overtime
    call-back waiting U ─► up one class (and again after each further U)

The rules act on the clinical stage (:mod:`sim111.engine.clinical`) through
its hooks and :meth:`~sim111.engine.clinical.ClinicalStage.leave`; where calls
go next (the advisor queue, a provider, a downstream service) is the centre's
business, handed in as callables. All of it is off unless the scenario's
``[clinical.waiting]`` or ``[clinical.backlog]`` switch it on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim111.engine.calls import CallTable
from sim111.engine.clinical import DIALLING, QUEUED, ClinicalStage
from sim111.engine.outcomes import (
    AWAITING_CLINICIAN_AT_END,
    CALLBACK_FAILED,
    CALLBACK_REPLACED,
    CLOSED_NO_TRIAGE,
    LEFT_CALLBACK,
    NO_DISPOSITION,
)
from sim111.engine.scheduler import Scheduler
from sim111.scenario import DISPOSITIONS, WAITING_ACTIONS, Scenario

RING_AGAIN = WAITING_ACTIONS.index("ring_again")
# actions that send the caller to a service 111 may refer to: the disposition it takes
SELF_REFERRALS = {
    WAITING_ACTIONS.index("ed"): DISPOSITIONS.index("ed"),
    WAITING_ACTIONS.index("ambulance"): DISPOSITIONS.index("ambulance"),
}


def backlog_rules_needed(scenario: Scenario) -> bool:
    """Whether the scenario switches on any of these rules."""
    clinical = scenario.clinical
    backlog = clinical.backlog
    return (
        clinical.callers_may_stop_waiting
        or backlog.escalates
        or backlog.overtime
        or backlog.upgrade_after_min is not None
    )


class BacklogRules:
    """Call-back patience, escalation, overtime and upgrades for one run."""

    def __init__(
        self,
        stage: ClinicalStage,
        calls: CallTable,
        clock: Scheduler,
        scenario: Scenario,
        ring_again: Callable[[int, float], None],
        self_refer: Callable[[int, float, int], None],
        escalate_to: Callable[[int, float], bool] | None,
    ) -> None:
        self.stage, self.calls, self.clock = stage, calls, clock
        self.ring_again = ring_again  # (call, now): offer a repeat call
        self.self_refer = self_refer  # (call, now, disposition): refer on
        self.escalate_to = escalate_to  # (call, now): taken by the provider?
        clinical = scenario.clinical
        self.backlog = backlog = clinical.backlog
        self.closes = clinical.waiting.repeat_call_closes_callback
        self.no_answer_min = clinical.callback_no_answer_min
        self.on_overtime = 0
        self.overtime_changes: list[tuple[float, int]] = []
        self.overtime_group = scenario.overtime_group_index
        self.timed = clinical.callers_may_stop_waiting or (
            backlog.escalate_after_min is not None or backlog.upgrade_after_min is not None
        )
        if self.timed:
            stage.on_waiting = self.waiting_starts
        if backlog.escalate_when_queue_over is not None or backlog.overtime:
            stage.on_queued = self.queued

    def waiting_starts(self, call: int, now: float) -> None:
        """``call`` begins waiting for a clinician at ``now`` (the end of its advisor call)."""
        at = self.clock.at
        patience = self.calls.callback_patience_min[call]
        if patience != math.inf:
            at(now + patience, self.patience_runs_out, call)
        backlog = self.backlog
        if backlog.escalate_after_min is not None:
            at(now + backlog.escalate_after_min, self.escalate_old, call)
        if backlog.upgrade_after_min is not None and self.calls.priority[call] > 0:
            at(now + backlog.upgrade_after_min, self.upgrade, call)

    def patience_runs_out(self, call: int) -> None:
        """The caller has waited as long as they will: they act (if still waiting)."""
        stage = self.stage
        if call not in stage.where:
            return
        now = self.clock.now
        calls = self.calls
        calls.callback_left_min[call] = now
        action = calls.callback_action[call]
        if action == RING_AGAIN:  # the call-back stays pending until that call is answered
            self.ring_again(call, now)
            return
        stage.leave(call, now)
        stage.close(call, now, LEFT_CALLBACK[action], NO_DISPOSITION)
        if action in SELF_REFERRALS:
            self.self_refer(call, now, SELF_REFERRALS[action])

    def repeat_answered(self, repeat: int) -> None:
        """A repeat call is answered: close or keep the call-back it chases; set how it ends.

        A caller whose call-back is still pending is triaged again (the call-back
        closed) or told it is coming (kept: the repeat call ends with the advisor).
        One whose call-back has happened (or is with a provider) is told so; one
        whose call-back failed (never answered) is triaged again.
        """
        calls, stage = self.calls, self.stage
        original = calls.repeat_of(repeat)
        pending = original in stage.where
        if pending and self.closes:
            now = self.clock.now
            stage.leave(original, now)
            stage.close(original, now, CALLBACK_REPLACED, NO_DISPOSITION)
        again = (pending and self.closes) or calls.outcome[original] == CALLBACK_FAILED
        calls.advisor_ends_as[repeat] = AWAITING_CLINICIAN_AT_END if again else CLOSED_NO_TRIAGE

    def escalate_old(self, call: int) -> None:
        """Age rule: ``call`` has waited ``escalate_after_min``; escalate it if it still waits."""
        where = self.stage.where.get(call)
        if where is None:
            return
        now = self.clock.now
        if where == DIALLING:  # try again when this (unanswered) attempt is over
            self.clock.at(now + self.no_answer_min, self.escalate_old, call)
        elif not self._escalate(call, now):
            self.clock.at(now + self.backlog.escalate_retry_min, self.escalate_old, call)

    def _escalate(self, call: int, now: float) -> bool:
        assert self.escalate_to is not None
        if not self.escalate_to(call, now):
            return False
        self.stage.leave(call, now)
        self.calls.escalated_min[call] = now
        return True

    def queued(self) -> None:
        """A call-back was queued: escalate or call in clinicians if the queue is too long."""
        queue, backlog = self.stage.queue, self.backlog
        now = self.clock.now
        over = backlog.escalate_when_queue_over
        while over is not None and len(queue) > over:
            oldest = queue.longest_waiting()
            if oldest is None or not self._escalate(oldest, now):
                break
        if (
            backlog.overtime_when_queue_over is not None
            and len(queue) > backlog.overtime_when_queue_over
            and self.on_overtime < backlog.overtime_max_clinicians
        ):
            self.on_overtime += 1
            self.overtime_changes.append((now, 1))
            until = now + backlog.overtime_block_min
            self.clock.at(until, self._overtime_over, None)
            self.stage.pool.call_in(self.overtime_group, until)

    def _overtime_over(self, _: object) -> None:
        self.on_overtime -= 1
        self.overtime_changes.append((self.clock.now, -1))

    def upgrade(self, call: int) -> None:
        """``call`` has waited another ``upgrade_after_min``: up one class."""
        stage = self.stage
        where = stage.where.get(call)
        if where is None:
            return
        steps = stage.upgrades[call] = stage.upgrades.get(call, 0) + 1
        if where == QUEUED:  # pushed again at its new place; otherwise when next queued
            stage.queue.push(call, stage.order(call), self.calls.advisor_end_min[call])
        every = self.backlog.upgrade_after_min
        if self.calls.priority[call] - steps > 0 and every is not None:
            self.clock.at(self.clock.now + every, self.upgrade, call)
