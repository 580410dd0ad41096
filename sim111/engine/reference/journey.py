"""The caller process: overflow or the advisor queue, abandonment, redial, the advisor call.

:class:`ReferenceCentre` builds one replication: the staff stores (their shift
processes start here), then one :meth:`~ReferenceCentre.caller` process per
first ring. A caller who abandons may ring again later, as a new call in the
same process; an answered call goes on to the clinical stage
(:mod:`.clinical`) and any downstream service (:mod:`.desks`).
"""

from __future__ import annotations

import math

import simpy

from sim111.engine import records as rec
from sim111.engine.reference.calls import Call
from sim111.engine.reference.clinical import Clinical
from sim111.engine.reference.desks import Downstream, Overflow
from sim111.engine.reference.inputs import Redials, day_types, first_rings
from sim111.engine.reference.staff import Person, Process, rostered
from sim111.engine.streams import RandomStreams
from sim111.scenario import Scenario


class ReferenceCentre:
    """One replication: staff, callers and the journey as SimPy processes."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, streams: RandomStreams):
        self.env, self.horizon_min = env, scenario.run.horizon_min
        run, days = scenario.run, day_types(scenario)
        self.advisors = rostered(env, run, scenario.advisors)
        clinicians = rostered(env, run, *scenario.clinicians)
        providers = [rostered(env, run, p) for p in scenario.providers]
        services = [rostered(env, run, d) for d in scenario.downstream]
        self.clinical = Clinical(env, scenario, days, clinicians)
        self.overflow = Overflow(env, scenario, days, self.advisors, providers)
        self.downstream = Downstream(env, scenario, services)
        self.redials = Redials(scenario, streams)
        self.calls = [
            Call(draws, i, 0, ring_min)
            for i, (ring_min, draws) in enumerate(first_rings(scenario, streams))
        ]
        for call in self.calls:
            env.process(self.caller(call))

    def caller(self, call: Call) -> Process:
        """A caller, from the first ring; after abandoning they may ring again, as a new call."""
        yield self.env.timeout(call.arrival_min)  # from time 0: exactly the drawn time
        while True:
            yield from self.ring(call)
            if not self.rings_again(call):
                return
            delay_min = call.draws.redial_delay_min
            call = self.redial(call)  # drawn now: redials draw in order of hang-up
            yield self.env.timeout(delay_min)

    def ring(self, call: Call) -> Process:
        """One call: an overflow provider, or the advisor queue and the rest of the journey."""
        k = self.overflow.provider_now()
        if k is not None:
            if self.overflow.accepts(k):
                yield from self.overflow.serve(call, k)
                return
            if self.overflow.drops_when_full(k):
                call.provider = k
                call.close(self.env.now, rec.LOST_AT_OVERFLOW)
                return
            call.bounced = True  # back to the 111 queue
        advisor = yield from self.wait_for_advisor(call)
        if advisor is not None:
            yield from self.advisor_call(call, advisor)
            yield from self.downstream.visit(call)

    def wait_for_advisor(self, call: Call) -> Process:
        """Queue for the longest-idle advisor until answered (the advisor) or out of patience."""
        request = self.advisors.request()
        patience_min = call.draws.patience_min
        yield request if patience_min == math.inf else request | self.env.timeout(patience_min)
        if not request.triggered:
            request.cancel()
            call.close(self.env.now, rec.ABANDONED)
            return None
        advisor: Person = yield request
        call.answer_min, call.outcome = self.env.now, rec.WITH_ADVISOR_AT_END
        call.advisor_id = advisor.id
        return advisor

    def advisor_call(self, call: Call, advisor: Person) -> Process:
        """The advisor's call, closed by them or passed to a clinician."""
        yield self.env.timeout(call.draws.handle_min)
        call.advisor_end_min = self.env.now
        self.advisors.release(advisor)
        if not call.draws.triaged:
            call.close(self.env.now, rec.CLOSED_NO_TRIAGE)
        elif not self.clinical.needed(call):
            call.close(self.env.now, rec.CLOSED_BY_ADVISOR, call.draws.advisor_disposition)
        else:
            yield from self.clinical.assess(call)

    def rings_again(self, call: Call) -> bool:
        """Whether a caller who hung up rings again (before the run ends)."""
        again_min = self.env.now + call.draws.redial_delay_min
        return call.outcome == rec.ABANDONED and call.draws.redials and again_min < self.horizon_min

    def redial(self, call: Call) -> Call:
        """The caller's next call, ringing after their redial delay."""
        again_min = self.env.now + call.draws.redial_delay_min
        redial = Call(self.redials.next(), call.caller_id, call.attempt + 1, again_min)
        self.calls.append(redial)
        return redial
