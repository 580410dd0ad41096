"""What the service is judged against: a target per KPI key, and targets no staffing can meet.

The ``[targets]`` table of a scenario gives the target of each KPI the tables
mark (met, MISSED, unattainable). Which way is better is the KPI registry's
(:mod:`sim111.kpi_keys`); the target itself is scenario data, so a run, a
comparison, ``sim111 price`` and ``sim111 staff`` all judge against the same
numbers.

Some targets cannot be met however many clinicians there are: a call-back
attempt goes unanswered with probability ``p`` and is tried again later, so
only so many call-backs can reach a clinician within 10 min
(:func:`reached_ceiling`). :func:`target_notices` says so, one line per
target, for the command line to print when it loads a scenario (this package
never prints), and :meth:`Target.status` marks such a row "unattainable"
instead of MISSED.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from sim111.kpi_keys import (
    ABANDONED_AFTER_30S_TARGET,
    ANSWERED_WITHIN_60S_TARGET,
    CALLBACK_TARGET_MIN,
    kpi_info,
)
from sim111.scenario.schema import spec

if TYPE_CHECKING:
    from sim111.scenario.journey import Clinical
    from sim111.scenario.top import Scenario

REACHED_KEY = "callback_reached_within_10min"
TOLERANCE = 1e-9  # a target typed as the ceiling (0.9 against 1 - 0.1) is attainable


@dataclass(frozen=True)
class Targets:
    """The target of each KPI the tables mark (shares, 0-1).

    `sim111 run`, `compare`, `price`, the report and `sim111 staff` (unless
    its `--target-*` options say otherwise) mark KPIs met or MISSED against
    these. Shares answered or called back must reach their target; abandonment
    must stay at or under its own. A target no staffing can meet (a call-back
    share above what unanswered attempts allow) is reported when the scenario
    is loaded and marked "unattainable" rather than MISSED.
    """

    answered_within_60s: float = spec(
        ANSWERED_WITHIN_60S_TARGET,
        doc="Answered within 60 s, of answered calls: at least this (NHS 95%).",
        ge=0,
        le=1,
    )
    abandoned_after_30s: float = spec(
        ABANDONED_AFTER_30S_TARGET,
        doc="Abandoned after 30 s, of offered calls: at most this (NHS 5%).",
        ge=0,
        le=1,
    )
    callback_within_10min: float = spec(
        0.90,
        doc="Call-backs made (first attempted) within 10 min of the end of the advisor "
        "call: at least this. E: the national specification said 100%, but no area came "
        "near it (37-53% in 2014-15; docs/domain.md §2, §7); 90% is a planning target a "
        "service can meet.",
        ge=0,
        le=1,
    )
    callback_reached_within_10min: float | None = spec(
        None,
        doc="Call-backs reaching a clinician within 10 min: at least this (no NHS target; "
        "unset: not marked). Unanswered attempts cap it: with the default clinical stage "
        "at most 90% can be reached.",
        ge=0,
        le=1,
    )

    def values(self) -> dict[str, float]:
        """``{KPI key: target}`` of the targets that are set."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out


def reached_ceiling(clinical: Clinical, within_min: float = CALLBACK_TARGET_MIN) -> float:
    """The largest share of call-backs that can reach a clinician within ``within_min``.

    However many clinicians there are, a call-back is reached on the attempt the
    caller answers: attempt ``k`` with probability ``p^(k-1) (1-p)``, ``p`` being
    ``callback_no_answer_share``. At best the first attempt is made the moment the
    advisor call ends, and each unanswered attempt occupies its clinician for
    ``callback_no_answer_min`` before the retry waits ``callback_retry_delay_min``
    (:mod:`sim111.engine.clinical`), so attempt ``k`` is made
    ``(k-1) × (no_answer_min + retry_delay_min)`` after the advisor call at the
    earliest. The ceiling is the chance that the answered attempt is one of the
    first ``K`` (those made within ``within_min``, at most ``callback_max_attempts``):
    ``1 - p^K``. With the defaults (p = 0.1, 2 + 15 min, 3 attempts) only the first
    attempt fits in 10 min: 0.9. Escalation to a provider that can happen within
    the window (by age, or by queue length) lifts the ceiling to 1. Callers who stop
    waiting only lower what can be reached: the ceiling stays an upper bound.
    """
    escalate_min = clinical.backlog.escalate_after_min
    if clinical.backlog.escalates and (escalate_min is None or escalate_min <= within_min):
        return 1.0  # another provider may reach the caller within the window
    p = clinical.callback_no_answer_share
    gap = clinical.callback_no_answer_min + clinical.callback_retry_delay_min
    attempts = 1
    while attempts < clinical.callback_max_attempts and attempts * gap <= within_min:
        attempts += 1
    return 1.0 - p**attempts


def _pct(share: float) -> str:
    return f"{100 * share:.4g}%"


@dataclass(frozen=True)
class Target:
    """One KPI's target as the tables mark it, and the most that can be met (``ceiling``)."""

    key: str
    value: float
    higher: bool  # from the KPI registry: at least (True) or at most (False) the target
    ceiling: float | None = None  # the best value any staffing can give (None: no limit)

    @property
    def attainable(self) -> bool:
        """Whether some staffing could meet the target."""
        return self.ceiling is None or self.value <= self.ceiling + TOLERANCE

    def meets(self, value: float) -> bool | None:
        """Whether ``value`` meets the target (``None`` if it is undefined)."""
        if math.isnan(value):
            return None
        return bool(value >= self.value if self.higher else value <= self.value)

    def within(self, low: float, high: float) -> bool:
        """Whether an interval ``low``..``high`` holds the target: the KPI may be on
        either side of it (``False`` for an undefined interval)."""
        return low <= self.value <= high  # NaN compares False

    def status(self, value: float) -> str:
        """How a table marks ``value``: met, MISSED, unattainable (at most N%), or ''."""
        if not self.attainable:
            assert self.ceiling is not None
            return f"unattainable (at most {_pct(self.ceiling)})"
        met = self.meets(value)
        return "" if met is None else ("met" if met else "MISSED")

    def text(self) -> str:
        """The target as a table shows it, e.g. '>= 95%'."""
        return f"{'>=' if self.higher else '<='} {_pct(self.value)}"


def kpi_targets(scenario: Scenario) -> dict[str, Target]:
    """``{KPI key: Target}`` of every target ``scenario`` sets, with its ceiling if any."""
    ceilings = {REACHED_KEY: reached_ceiling(scenario.clinical)}
    return {
        key: Target(key, value, kpi_info(key).better == "higher", ceilings.get(key))
        for key, value in scenario.targets.values().items()
    }


def _why_capped(clinical: Clinical) -> str:
    gap = clinical.callback_no_answer_min + clinical.callback_retry_delay_min
    return (
        f"{_pct(clinical.callback_no_answer_share)} of call-back attempts go unanswered and "
        f"a retry is made {gap:g} min after the attempt before it "
        f"({clinical.callback_no_answer_min:g} min unanswered + "
        f"{clinical.callback_retry_delay_min:g} min delay, at most "
        f"{clinical.callback_max_attempts} attempts)"
    )


def unattainable(scenario: Scenario, keys: Collection[str] | None = None) -> list[tuple[str, str]]:
    """``(KPI key, why)`` for each target of ``scenario`` no staffing can meet ([] if none).

    ``keys`` limits the answer to those KPI keys; ``why`` is one line naming the target.
    """
    out = []
    for target in kpi_targets(scenario).values():
        if target.attainable or (keys is not None and target.key not in keys):
            continue
        assert target.ceiling is not None
        out.append(
            (
                target.key,
                f"[targets] {target.key} = {_pct(target.value)} cannot be met: at most "
                f"{_pct(target.ceiling)} of call-backs can reach a clinician within "
                f"{CALLBACK_TARGET_MIN:g} min, as {_why_capped(scenario.clinical)}; "
                "it is marked unattainable, not MISSED",
            )
        )
    return out


def target_notices(
    scenario: Scenario, source: str, keys: Collection[str] | None = None
) -> list[str]:
    """One line for each target of ``scenario`` that no staffing can meet ([] if none).

    ``source`` names where the scenario came from (its file, or the options that
    set the target); ``keys`` limits the notices to those KPI keys. For the command
    line to print when it loads a scenario; loading goes on, and the tables mark
    the row "unattainable".
    """
    return [f"{source}: {why}" for _, why in unattainable(scenario, keys)]
