"""The clinical stage: warm transfer with a hold, else call-backs, then the assessment.

Clinicians are one :class:`~.staff.Staff` store whose people carry their group;
a request accepts only the groups that serve the caller's priority class.
Requests are served in key order: callers holding on a warm transfer first (by
ring), then call-backs by class (or, under the ``deadline`` discipline, by the
end of the advisor call plus the class's target), then end of advisor call.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim111.engine import records as rec
from sim111.engine.reference.calls import Call
from sim111.engine.reference.staff import Person, Process, Staff
from sim111.scenario import Scenario
from sim111.units import MINUTES_PER_DAY

HOLDING, CALL_BACK = 0, 1  # clinicians take live callers before call-backs


class Clinical:
    """Who needs a clinician, and their way to one."""

    def __init__(
        self, env: simpy.Environment, scenario: Scenario, day_types: list[str], clinicians: Staff
    ) -> None:
        self.env, self.clinical, self.clinicians = env, scenario.clinical, clinicians
        share = scenario.triage.triaged_share  # P(clinical | triaged) on each run day:
        self.share_by_day = [
            scenario.triage.clinical_share_on(d) / share if share else 0.0 for d in day_types
        ]
        self.groups_serving = [  # which clinician groups take each priority class
            {g for g, c in enumerate(scenario.clinicians) if not c.serves or p.name in c.serves}
            for p in self.clinical.priorities
        ]
        self.busy_changes: list[tuple[float, int]] = []  # (time, +1/-1) clinicians busy
        self.awaiting_changes: list[tuple[float, int]] = []  # calls awaiting a clinician

    def needed(self, call: Call) -> bool:
        """Whether a triaged call needs clinical input (by the share on the day it rang)."""
        return call.draws.clinical_u < self.share_by_day[int(call.arrival_min // MINUTES_PER_DAY)]

    def assess(self, call: Call) -> Process:
        """Warm transfer or call-backs, then the clinician's assessment."""
        call.clinical, call.priority = True, call.draws.priority
        call.outcome = rec.AWAITING_CLINICIAN_AT_END
        self.awaiting_changes.append((self.env.now, 1))
        clinician = None
        if self.clinical.priorities[call.priority].warm_transfer:
            clinician = yield from self.warm_transfer(call)
            call.warm_transfer = clinician is not None
        if clinician is None:
            clinician = yield from self.call_backs(call)
        if clinician is None:
            return  # every attempt went unanswered
        call.contact_min, call.outcome = self.env.now, rec.WITH_CLINICIAN_AT_END
        call.clinician_group, call.clinician_id = clinician.group, clinician.id
        self.awaiting_changes.append((self.env.now, -1))
        self.busy_changes.append((self.env.now, 1))
        yield self.env.timeout(call.draws.clinician_min[clinician.group])
        call.clinician_end_min = self.env.now
        self.busy_changes.append((self.env.now, -1))
        call.close(self.env.now, rec.CLOSED_BY_CLINICIAN, call.draws.clinician_disposition)
        self.clinicians.release(clinician)

    def warm_transfer(self, call: Call) -> Process:
        """The caller holds for a clinician free now or within the hold; ``None`` if none."""
        hold_min = self.clinical.warm_transfer_hold_max_min
        request = self.clinicians.request(HOLDING, accepts=self.serves(call))
        if not request.triggered and hold_min > 0:
            yield request | self.env.timeout(hold_min)
        if request.triggered:
            return (yield request)
        request.cancel()
        return None

    def call_backs(self, call: Call) -> Process:
        """Call-back attempts until one is answered (its clinician) or the last fails (None)."""
        entered_min = call.advisor_end_min
        target_min = self.clinical.priorities[call.priority].target_min
        deadline = self.clinical.discipline == "deadline"
        first = entered_min + target_min if deadline else call.priority
        while True:
            clinician = yield self.clinicians.request(
                CALL_BACK, first, entered_min, accepts=self.serves(call)
            )
            call.callback_attempts += 1
            if call.callback_attempts == 1:
                call.first_attempt_min = self.env.now
            if call.callback_attempts >= call.draws.attempts_needed:
                return clinician
            yield from self.no_answer()
            if call.callback_attempts >= self.clinical.callback_max_attempts:
                call.close(self.env.now, rec.CALLBACK_FAILED)
                self.awaiting_changes.append((self.env.now, -1))
                self.clinicians.release(clinician)
                return None
            self.clinicians.release(clinician)
            yield self.env.timeout(self.clinical.callback_retry_delay_min)

    def no_answer(self) -> Process:
        """The clinician rings the caller, and no one answers."""
        self.busy_changes.append((self.env.now, 1))
        yield self.env.timeout(self.clinical.callback_no_answer_min)
        self.busy_changes.append((self.env.now, -1))

    def serves(self, call: Call) -> Callable[[Person], bool]:
        """Whom a request for ``call`` accepts: a clinician of a group serving its class."""
        groups = self.groups_serving[call.priority]
        return lambda person: person.group in groups
