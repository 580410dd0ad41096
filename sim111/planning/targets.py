"""What a staffing plan must achieve, and the half-hour grid it is planned on."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sim111.scenario import Scenario
from sim111.scenario.targets import (
    REACHED_KEY,
    Target,
    Targets,
    kpi_targets,
    reached_ceiling,
)
from sim111.units import MINUTES_PER_DAY

SLOT_MIN = 30
SLOTS_PER_DAY = MINUTES_PER_DAY // SLOT_MIN
TARGET_KEYS = tuple(f.name for f in fields(Targets))
CALLBACK_KEYS = ("callback_within_10min", REACHED_KEY)


@dataclass(frozen=True)
class StaffingTargets:
    """What the roster must achieve (fractions) and how hard to try.

    A KPI target left ``None`` is the scenario's own (its ``[targets]``, see
    :mod:`sim111.scenario.targets`); one given here replaces it, and the staffed
    scenario carries the targets it was steered to, so its tables mark exactly those.
    """

    answered_within_60s: float | None = None
    abandoned_after_30s: float | None = None
    callback_within_10min: float | None = None
    callback_reached_within_10min: float | None = None
    shift_lengths_h: tuple[float, ...] | None = None  # None: each group's shift_rules
    replications: int = 10
    max_iterations: int = 8
    seed: int = 1

    def applied_to(self, scenario: Scenario) -> Scenario:
        """``scenario`` with the targets given here in its ``[targets]`` (validated)."""
        given = {
            f"targets.{key}": getattr(self, key)
            for key in TARGET_KEYS
            if getattr(self, key) is not None
        }
        return scenario.with_overrides(given, source="staffing targets") if given else scenario


def steered_targets(scenario: Scenario, clinicians: bool) -> dict[str, Target]:
    """The targets of ``scenario`` a staffing plan steers to and is judged by.

    Every target some staffing can meet; the call-back ones only when the
    clinician roster is staffed too. An unattainable target (reported when the
    scenario is loaded) is not steered to: no number of people would meet it.
    """
    return {
        key: target
        for key, target in kpi_targets(scenario).items()
        if target.attainable and (clinicians or key not in CALLBACK_KEYS)
    }


def callback_made_goal(scenario: Scenario) -> float | None:
    """The share of call-backs to make within 10 min that the call-back targets need.

    Clinicians decide when a call-back is made (first attempted); that is what
    ``callback_within_10min`` counts. Only a call-back made within 10 min can reach
    a clinician within 10 min, and of those at most :func:`reached_ceiling` are
    answered on an attempt that fits, so a reached target ``r`` needs about
    ``r / ceiling`` made in time (exactly so when no retry fits in 10 min, as by
    default). ``None`` if no call-back target is steered to.
    """
    steered = steered_targets(scenario, clinicians=True)
    goals = [steered[k].value for k in ("callback_within_10min",) if k in steered]
    if REACHED_KEY in steered:
        goals.append(min(steered[REACHED_KEY].value / reached_ceiling(scenario.clinical), 1.0))
    return max(goals) if goals else None
