"""The clinical stage: calls that need a clinician after the advisor.

    needs clinical input ─► warm transfer if a clinician is free (or frees within the hold)
                             │ otherwise
                             ▼
                          call-back queue (priority, or earliest deadline) ─► attempts
                             ─► answered: assessed by a clinician ─► closed
                             └─ all unanswered: failed

Priority classes that allow a warm transfer are put through live when an eligible
clinician is idle; otherwise the caller may hold for up to ``warm_transfer_hold_max_min``
and is taken by the first eligible clinician to free up, before the call-back queue.
The call-back queue is ordered by class (``priority``) or by deadline (entry + the
class's target), then by entry. A call-back attempt is unanswered until the attempt
the caller was drawn to answer on; the clinician is busy for ``callback_no_answer_min``
per miss. Clinician groups may serve only some classes (``serves``). The stage logs
clinicians busy and calls awaiting a clinician as step changes.

The stage knows where each waiting call is (holding, queued, between
attempts, or being dialled), so a call can leave the stage before a clinician
reaches it — its caller stopped waiting, or it was escalated — by
:meth:`ClinicalStage.leave`; the rules that make calls leave, and call
clinicians in, are in :mod:`sim111.engine.backlog`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import simpy

from sim111.engine.callback_queue import CallbackQueue
from sim111.engine.calls import CallTable
from sim111.engine.outcomes import (
    AWAITING_CLINICIAN_AT_END,
    CALLBACK_FAILED,
    CLOSED_BY_CLINICIAN,
    NO_DISPOSITION,
    WITH_CLINICIAN_AT_END,
    Close,
)
from sim111.engine.pools import StaffPool
from sim111.engine.records import Changes
from sim111.engine.roster import shift_blocks
from sim111.engine.scheduler import Scheduler
from sim111.scenario import Scenario

# where a call waiting for a clinician is
HOLDING, QUEUED, RETRYING, DIALLING = range(4)


class ClinicalStage:
    """The clinicians (all groups), the calls holding for them and the call-back queue."""

    close: Close  # set by the centre
    # set by the backlog rules, if any: a call starts waiting / was queued
    on_waiting: Callable[[int, float], None] | None = None
    on_queued: Callable[[], None] | None = None
    # set by a shared pool of areas (sim111.engine.sharing): another area's idle
    # clinician for a call of this class, as (its stage, the clinician)
    borrow: Callable[[int], tuple[ClinicalStage, int] | None] | None = None

    def __init__(
        self, env: simpy.Environment, clock: Scheduler, calls: CallTable, scenario: Scenario
    ) -> None:
        self.clock = clock
        self.at = clock.at
        self.calls = calls
        clinical = self.clinical = scenario.clinical
        self._warm_ok = [p.warm_transfer for p in clinical.priorities]
        self._targets = [p.target_min for p in clinical.priorities]
        self._by_deadline = clinical.discipline == "deadline"
        names = [p.name for p in clinical.priorities]
        # the classes each group serves, by group index (None: all)
        self._serves = [
            frozenset(names.index(s) for s in g.serves) if g.serves else None
            for g in scenario.clinicians
        ]
        self._all_serve_all = all(s is None for s in self._serves)
        self.holding: deque[int] = deque()
        self.where: dict[int, int] = {}  # waiting calls: HOLDING, QUEUED, RETRYING, DIALLING
        self.queue = CallbackQueue(track_age=scenario.clinical.backlog.escalates)
        self.upgrades: dict[int, int] = {}  # classes a waiting call-back has moved up
        run = scenario.run
        self.pool = StaffPool(
            env,
            [shift_blocks(g, run.start_date, run.calendar_days) for g in scenario.clinicians],
            self.clinician_free,
        )
        self.busy_changes = Changes()
        self.awaiting_changes = Changes()
        self.lent_to: dict[int, ClinicalStage] = {}  # clinicians on another area's call
        self.area = -1  # this stage's area in a multi-area run

    def _take_clinician(self, priority: int) -> int | None:
        if self._all_serve_all:
            return self.pool.take()
        serves = self._serves

        def eligible(group: int) -> bool:
            classes = serves[group]
            return classes is None or priority in classes

        return self.pool.take_where(eligible)

    def to_clinical(self, call: int, now: float) -> None:
        """``call`` needs a clinician from ``now``: live, holding, or a call-back."""
        calls = self.calls
        calls.clinical[call] = True
        calls.outcome[call] = AWAITING_CLINICIAN_AT_END
        self.awaiting_changes.add(now, 1)
        priority = calls.priority[call]
        if self._warm_ok[priority]:
            agent = self._take_clinician(priority)
            if agent is not None:
                calls.warm_transfer[call] = True
                self._assess(call, agent, now)
                return
            lent = self.borrow(priority) if self.borrow is not None else None
            if lent is not None:
                calls.warm_transfer[call] = True
                self._assess(call, lent[1], now, lent[0])
                return
            hold = self.clinical.warm_transfer_hold_max_min
            if hold > 0:
                if self.on_waiting is not None:
                    self.on_waiting(call, now)
                self.holding.append(call)
                self.where[call] = HOLDING
                self.at(now + hold, self._hold_expires, call)
                return
        if self.on_waiting is not None:
            self.on_waiting(call, now)
        self._enqueue_callback(call)

    def _hold_expires(self, call: int) -> None:
        if self.where.get(call) == HOLDING:
            self._enqueue_callback(call)

    def _retry(self, call: int) -> None:
        if self.where.get(call) == RETRYING:  # unless the call left meanwhile
            self._enqueue_callback(call)

    def _enqueue_callback(self, call: int) -> None:
        calls = self.calls
        entered = calls.advisor_end_min[call]
        priority = calls.priority[call]
        self.where[call] = QUEUED
        self.queue.push(call, self.order(call), entered)
        if self.on_queued is not None:
            self.on_queued()
        if self.pool.idle and self.where.get(call) == QUEUED:  # e.g. a class not put
            agent = self._take_clinician(priority)  # through live, or a retry
            if agent is not None:
                self.pool.on_free(agent)
        if self.borrow is not None and self.where.get(call) == QUEUED:
            lent = self.borrow(priority)
            if lent is not None:
                lender, agent = lent
                self.queue.remove(call)
                self._attempt(call, agent, lender)

    def order(self, call: int) -> float:
        """``call``'s place in the call-back queue: its class (less any upgrades) or deadline."""
        calls = self.calls
        priority = calls.priority[call]
        if self._by_deadline:
            return calls.advisor_end_min[call] + self._targets[priority]
        return float(max(priority - self.upgrades.get(call, 0), 0))

    def leave(self, call: int, now: float) -> bool:
        """``call`` leaves the stage before a clinician reached it; whether it was waiting.

        A call being dialled leaves too: the clinician finishes the (unanswered) attempt.
        """
        where = self.where.pop(call, None)
        if where is None:
            return False
        if where == QUEUED:
            self.queue.remove(call)
        self.upgrades.pop(call, None)
        self.awaiting_changes.add(now, -1)
        return True

    def _next_holding(self, group: int) -> int | None:
        """The caller holding longest whom ``group`` serves; the others keep their place."""
        call = self.peek_holding(group)
        if call is not None:
            self.holding.remove(call)  # the head, unless an earlier caller is not served
        return call

    def peek_holding(self, group: int) -> int | None:
        """The caller holding longest whom ``group`` serves, left holding."""
        holding, where = self.holding, self.where
        while holding and where.get(holding[0]) != HOLDING:
            holding.popleft()
        serves = self._serves[group]
        priority = self.calls.priority
        for call in holding:
            if where.get(call) == HOLDING and (serves is None or priority[call] in serves):
                return call
        return None

    def peek_callback(self, group: int) -> tuple[tuple[float, float, int], int] | None:
        """The first call-back ``group`` serves and its place in the queue, left queued."""
        return self.queue.peek(self._served_by(group))

    def _next_callback(self, group: int) -> int | None:
        return self.queue.pop(self._served_by(group))

    def _served_by(self, group: int) -> Callable[[int], bool] | None:
        serves, priority = self._serves[group], self.calls.priority
        return None if serves is None else (lambda call: priority[call] in serves)

    def clinician_free(self, agent: int) -> None:
        """``agent`` is free: a holding caller first, then a call-back, else idle."""
        group = self.pool.group_of[agent]
        call = self._next_holding(group) if self.holding else None
        if call is not None:
            self.calls.warm_transfer[call] = True
            self._assess(call, agent, self.clock.now)
            return
        call = self._next_callback(group)
        if call is not None:
            self._attempt(call, agent)
            return
        self.pool.make_idle(agent)

    def _attempt(self, call: int, agent: int, lender: ClinicalStage | None = None) -> None:
        """A call-back attempt on ``call`` by ``agent`` (of ``lender``, another area's
        stage, if given; else of this one)."""
        calls, now = self.calls, self.clock.now
        calls.callback_attempts[call] += 1
        if calls.callback_attempts[call] == 1:
            calls.first_attempt_min[call] = max(now, calls.advisor_end_min[call])
        if calls.callback_attempts[call] >= calls.callback_attempts_needed[call]:
            self._assess(call, agent, now, lender)
            return
        lender = self._lend(call, agent, lender)
        self.where[call] = DIALLING
        lender.busy_changes.add(now, 1)
        lender.pool.task[agent] = call
        self.at(now + self.clinical.callback_no_answer_min, lender._attempt_unanswered, agent)

    def _lend(self, call: int, agent: int, lender: ClinicalStage | None) -> ClinicalStage:
        """The stage whose clinician ``agent`` is; if another area's, it notes whose call."""
        if lender is None or lender is self:
            if self.calls.clinician_area[call] >= 0:  # an earlier attempt was another area's
                self.calls.clinician_area[call] = -1
            return self
        lender.lent_to[agent] = self
        self.calls.clinician_area[call] = lender.area
        return lender

    def _attempt_unanswered(self, agent: int) -> None:
        call = self.pool.task[agent]
        owner = self.lent_to.pop(agent, self) if self.lent_to else self
        now = self.clock.now
        self.busy_changes.add(now, -1)
        owner._not_answered(call, now)
        self.pool.release(agent)

    def _not_answered(self, call: int, now: float) -> None:
        if self.where.get(call) != DIALLING:
            pass  # the caller left while being dialled
        elif self.calls.callback_attempts[call] >= self.clinical.callback_max_attempts:
            self.leave(call, now)
            self.close(call, now, CALLBACK_FAILED, NO_DISPOSITION)
        else:
            self.where[call] = RETRYING
            self.at(now + self.clinical.callback_retry_delay_min, self._retry, call)

    def _assess(
        self, call: int, agent: int, now: float, lender: ClinicalStage | None = None
    ) -> None:
        calls = self.calls
        now = max(now, calls.advisor_end_min[call])  # the clock may trail by a rounding error
        calls.contact_min[call] = now
        self.where.pop(call, None)
        self.upgrades.pop(call, None)
        self.awaiting_changes.add(now, -1)
        lender = self._lend(call, agent, lender)
        lender.busy_changes.add(now, 1)
        calls.outcome[call] = WITH_CLINICIAN_AT_END
        group = lender.pool.group_of[agent]
        calls.clinician_group[call] = group
        calls.clinician_id[call] = lender.pool.person[agent]
        lender.pool.task[agent] = call
        self.at(now + calls.clinician_handle_min[group][call], lender._assessment_done, agent)

    def _assessment_done(self, agent: int) -> None:
        call = self.pool.task[agent]
        owner = self.lent_to.pop(agent, self) if self.lent_to else self
        now = self.clock.now
        calls = owner.calls
        calls.clinician_end_min[call] = now
        self.busy_changes.add(now, -1)
        owner.close(call, now, CLOSED_BY_CLINICIAN, calls.clinician_disposition[call])
        self.pool.release(agent)
