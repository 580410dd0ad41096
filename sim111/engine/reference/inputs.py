"""The drawn inputs: every call's random attributes, drawn as the engine draws them.

The model reads exactly the engine's draws, so the two can be compared call by
call: the first rings (:func:`first_rings`) come from the arrival and caller
streams, and each redial from the ``redial.*`` streams in batches of the
engine's size, drawn as callers hang up (:class:`Redials`). Durations with a
clinician group, provider or downstream service are drawn once per call as a
uniform and turned into a duration with every group that could serve it.

Only this module reads the engine's arrivals and redial batches (so if
``draw_arrivals`` or ``REDIAL_BATCH`` move, one import line here follows them).
Besides the record types, the reference reads the engine only for rosters
(:mod:`.staff`) and the overflow rules (:mod:`.desks`).
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.callers import CallerDraws, draw_callers
from sim111.engine.calls import REDIAL_BATCH
from sim111.engine.centre import draw_arrivals
from sim111.engine.streams import RandomStreams
from sim111.scenario import DownstreamService, Scenario


class Draws(NamedTuple):
    """One call's random attributes, and its duration with every group that could serve it."""

    patience_min: float
    triaged: bool
    handle_min: float
    clinical_u: float
    priority: int
    advisor_disposition: int
    clinician_disposition: int
    attempts_needed: int  # the call-back attempt the caller answers
    redials: bool
    redial_delay_min: float
    downstream_u: float
    clinician_min: tuple[float, ...]  # per clinician group
    provider_min: tuple[float, ...]  # per provider
    service_min: tuple[float, ...]  # per downstream service
    service_class: tuple[int, ...]  # urgency class at each downstream service


_READ_AS_DRAWN = (  # the CallerDraws columns that are Draws fields as they are, in order
    *("patience_min", "triaged", "handle_min", "clinical_u", "priority"),
    *("advisor_disposition", "clinician_disposition", "callback_attempts_needed"),
    *("redials", "redial_delay_min", "downstream_u"),
)


def per_call(scenario: Scenario, drawn: CallerDraws) -> list[Draws]:
    """Each call's :class:`Draws`: durations by each group's inverse CDF, as the engine."""
    n = drawn.patience_min.size

    def per_group(columns: list[np.ndarray]) -> list[tuple[Any, ...]]:
        return list(zip(*(c.tolist() for c in columns), strict=True)) if columns else [()] * n

    def urgency(service: DownstreamService) -> np.ndarray:
        cum = np.cumsum([c.share for c in service.classes])
        cum /= cum[-1]
        index = np.searchsorted(cum, drawn.downstream_class_u, side="right")
        return np.minimum(index, len(cum) - 1)

    as_drawn = [getattr(drawn, name) for name in _READ_AS_DRAWN]
    groups = (
        per_group([g.handle_time.quantile(drawn.clinician_u) for g in scenario.clinicians]),
        per_group([p.handle_time.quantile(drawn.provider_u) for p in scenario.providers]),
        per_group([s.handle_time.quantile(drawn.downstream_handle_u) for s in scenario.downstream]),
        per_group([urgency(s) for s in scenario.downstream]),
    )
    rows = zip(*(c.tolist() for c in as_drawn), *groups, strict=True)
    return [Draws(*row) for row in rows]


def first_rings(scenario: Scenario, streams: RandomStreams) -> list[tuple[float, Draws]]:
    """Every caller's first ring: its time and its draws, in time order."""
    arrivals = draw_arrivals(scenario, streams)
    drawn = draw_callers(scenario, streams.generator, arrivals.size)
    return list(zip(arrivals.tolist(), per_call(scenario, drawn), strict=True))


class Redials:
    """The draws of redials, in the order callers ring again; drawn in batches when needed."""

    def __init__(self, scenario: Scenario, streams: RandomStreams) -> None:
        self.scenario, self.streams = scenario, streams
        self.ready: deque[Draws] = deque()

    def next(self) -> Draws:
        """The next redial's draws."""
        if not self.ready:
            drawn = draw_callers(self.scenario, self.stream, REDIAL_BATCH)
            self.ready.extend(per_call(self.scenario, drawn))
        return self.ready.popleft()

    def stream(self, name: str) -> np.random.Generator:
        """The ``redial.`` stream of one attribute."""
        return self.streams.generator(f"redial.{name}")


def day_types(scenario: Scenario) -> list[str]:
    """The day type of each run day, by day index."""
    return [day.day_type for day in run_days(scenario.run.start_date, scenario.run.calendar_days)]
