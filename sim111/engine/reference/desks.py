"""Desks beyond the 111 advisors: overflow providers, and downstream services.

Each provider and each service is a :class:`~.staff.Staff` store of its own.
A provider takes calls first come first served; a downstream service takes
patients by urgency class, then by when they were referred.
"""

from __future__ import annotations

from collections import Counter

import simpy

from sim111.engine import records as rec
from sim111.engine.overflow import QueueState, choose_provider
from sim111.engine.reference.calls import Call
from sim111.engine.reference.staff import Process, Staff
from sim111.scenario import DISPOSITIONS, Scenario
from sim111.units import MINUTES_PER_DAY, MINUTES_PER_HOUR


class Overflow:
    """The overflow rules, and the providers they send rings to."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        day_types: list[str],
        advisors: Staff,
        desks: list[Staff],
    ) -> None:
        self.env, self.rules, self.providers = env, scenario.overflow, scenario.providers
        self.day_types, self.advisors, self.desks = day_types, advisors, desks
        self.names = [p.name for p in self.providers]
        self.taken_by_hour = [Counter[int]() for _ in self.providers]  # calls taken, by hour
        self.mean_handle_min = scenario.mean_advisor_handle_min  # for the expected-wait rule

    def provider_now(self) -> int | None:
        """The provider a ring goes to now, or ``None`` to queue for an advisor."""
        if not self.rules or self.advisors.items:  # an advisor is free
            return None
        now = self.env.now
        day = min(int(now // MINUTES_PER_DAY), len(self.day_types) - 1)
        state = QueueState(
            queue_length=self.advisors.waiting,  # callers waiting, not this one
            advisors_on_duty=self.advisors.on_duty,
            mean_handle_min=self.mean_handle_min,
            day_type=self.day_types[day],
            minute_of_day=now - day * MINUTES_PER_DAY,
        )
        name = choose_provider(self.rules, state)
        return None if name is None else self.names.index(name)

    def accepts(self, k: int) -> bool:
        """Whether provider ``k`` takes a call now: under its hourly cap and queue limit."""
        provider, desk = self.providers[k], self.desks[k]
        cap, max_queue = provider.max_calls_per_hour, provider.max_queue
        capped = cap is not None and self.taken_by_hour[k][self.hour()] >= cap
        full = max_queue is not None and not desk.items and desk.waiting >= max_queue
        return not (capped or full)

    def drops_when_full(self, k: int) -> bool:
        """Whether a call provider ``k`` refuses is lost (else it goes back to 111)."""
        return self.providers[k].when_full == "lost"

    def serve(self, call: Call, k: int) -> Process:
        """Provider ``k`` takes the call: its queue, then one of its staff."""
        self.taken_by_hour[k][self.hour()] += 1
        call.provider, call.outcome = k, rec.QUEUED_AT_PROVIDER_AT_END
        person = yield self.desks[k].request()
        call.provider_start_min, call.outcome = self.env.now, rec.WITH_PROVIDER_AT_END
        yield self.env.timeout(call.draws.provider_min[k])
        call.close(self.env.now, rec.CLOSED_BY_PROVIDER)
        self.desks[k].release(person)

    def hour(self) -> int:
        """The hour of the run now (hourly caps count calls per clock hour)."""
        return int(self.env.now // MINUTES_PER_HOUR)


class Downstream:
    """Services a disposition refers patients to, each with its own staff and queue."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, desks: list[Staff]) -> None:
        self.env, self.desks = env, desks
        self.referrals = [  # (service, share) for each disposition
            [(k, d.share) for k, d in enumerate(scenario.downstream) if d.takes == name]
            for name in DISPOSITIONS
        ]

    def referral(self, call: Call) -> int | None:
        """The service the disposition sends the patient to: one uniform split by shares."""
        if call.disposition == rec.NO_DISPOSITION:
            return None
        u = call.draws.downstream_u
        for k, share in self.referrals[call.disposition]:
            if u < share:
                return k
            u -= share
        return None

    def visit(self, call: Call) -> Process:
        """Referral by disposition, then the wait at that service (most urgent, then oldest)."""
        k = self.referral(call)
        if k is None:
            return
        urgency = call.draws.service_class[k]
        call.downstream, call.downstream_class = k, urgency
        person = yield self.desks[k].request(urgency, self.env.now)
        call.downstream_start_min = self.env.now
        yield self.env.timeout(call.draws.service_min[k])
        call.downstream_end_min = self.env.now
        self.desks[k].release(person)
