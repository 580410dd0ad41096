"""The cheapest roster that meets the KPIs: formula, integer programme, simulation.

1. **Requirements** (:mod:`sim111.planning.requirements`): for every half-hour
   of every run day, the fewest people that meet the target in steady state:
   Erlang-A for health advisors, Erlang-C for clinicians.
2. **Shift covering** (:mod:`sim111.planning.covering`): an integer programme
   chooses the cheapest shifts that cover every half-hour.
3. **Simulation check** (here): the roster is simulated; half-hours that miss
   the target on average get one more person, and the programme is solved
   again, until the run-level KPIs meet their targets at the lower end of
   their 95% confidence interval (or the iteration limit is reached).

Pointwise-stationary formulas are poor when service times are 10-20 minutes
(Green et al. 2007): step 3 is what makes the answer trustworthy.

The names of steps 1 and 2 are re-exported here, so
``from sim111.planning.staffing import ...`` reaches the whole method.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Unpack

import numpy as np
import pandas as pd

from sim111.engine.calendar import run_days
from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.planning.covering import (
    ShiftTemplate,
    cover_requirements,
    roster_from_counts,
    shift_templates,
    template_cost,
)
from sim111.planning.requirements import (
    MAX_PEOPLE,
    advisor_requirements,
    clinician_requirements,
)
from sim111.planning.targets import (
    SLOT_MIN,
    SLOTS_PER_DAY,
    StaffingTargets,
    callback_made_goal,
    steered_targets,
)
from sim111.scenario import RunSettings, Scenario, Shift, StaffGroup, scenario_from_data
from sim111.scenario.shift_rules import ShiftRules
from sim111.scenario.targets import Target

__all__ = [
    "MAX_PEOPLE",
    "SLOTS_PER_DAY",
    "SLOT_MIN",
    "STAFFED_SUFFIX",
    "GroupPlan",
    "ShiftTemplate",
    "StaffingResult",
    "StaffingTargets",
    "advisor_requirements",
    "clinician_requirements",
    "cover_requirements",
    "group_plan",
    "roster_from_counts",
    "shift_templates",
    "staff",
]

log = logging.getLogger(__name__)

STAFFED_SUFFIX = "-staffed"
NO_HALF_HOUR_MISSED = (
    "no half-hour misses its target on average, so more people would not help; "
    "the run-level intervals are too wide: run more replications"
)


@dataclass
class StaffingResult:
    """The staffed scenario, its simulated result and how it was found.

    ``scenario`` carries in its ``[targets]`` the targets it was staffed to;
    ``steered`` are those the search steered to and judged ``met`` by (every
    attainable one; the call-back ones only if clinicians were staffed).
    """

    scenario: Scenario
    result: ExperimentResult
    iterations: int
    met: bool
    history: list[dict[str, float]] = field(default_factory=list)
    note: str = ""
    steered: dict[str, Target] = field(default_factory=dict)


def _checks(summary: pd.DataFrame, steered: dict[str, Target]) -> list[tuple[str, float, bool]]:
    """(KPI, mean, whether the worst end of its CI meets the target) for each steered target.

    Judged by :meth:`Target.meets`, the function the tables mark with (on the mean).
    """
    out = []
    for key, target in steered.items():
        if key not in summary.index:
            continue  # never computed, e.g. no clinical stage
        row = summary.loc[key]
        worst = float(row["ci_low"] if target.higher else row["ci_high"])
        out.append((key, float(row["mean"]), target.meets(worst) is True))
    return out


def _missed_slots(result: ExperimentResult, key: str, target: float, days: int) -> np.ndarray:
    frame = result.intervals
    width = result.scenario.run.interval_min
    mean = frame.groupby("interval_start_min")[key].mean()
    slot = (mean.index.to_numpy() // SLOT_MIN).astype(int)
    missed = np.zeros(days * SLOTS_PER_DAY, dtype=bool)
    bad = mean.to_numpy() < target
    for s, b in zip(slot, bad, strict=True):
        if b:
            missed[s : s + max(width // SLOT_MIN, 1)] = True
    return missed.reshape(days, SLOTS_PER_DAY)


def _day_types_with_lead(run: RunSettings) -> list[str]:
    """The type of each run day, then (index -1) that of the day before the run."""
    days = [d.day_type for d in run_days(run.start_date, run.calendar_days)]
    lead_type = run_days(run.start_date, 0, lead_days=1)[0].day_type
    return [*days, lead_type]


def _shift_data(shift: Shift) -> dict[str, object]:
    return {
        "name": shift.name,
        "start": shift.start,
        "end": shift.end,
        "count": shift.count,
        "day_types": list(shift.day_types),
    }


@dataclass(frozen=True)
class GroupPlan:
    """How one staff group is covered: its allowed shifts, their cost, its line minimum."""

    templates: list[ShiftTemplate]
    cost_of: Callable[[ShiftTemplate, int], float]
    min_per_line: int

    def lines(self, need: np.ndarray, day_types: list[str]) -> list[dict[str, object]]:
        """Scenario data of the cheapest shift lines covering ``need``."""
        counts = cover_requirements(
            need, day_types, self.templates, self.cost_of, self.min_per_line
        )
        return [_shift_data(s) for s in roster_from_counts(self.templates, counts)]


def group_plan(
    group: StaffGroup, scenario: Scenario, day_types: list[str], lengths_h: tuple[float, ...] | None
) -> GroupPlan:
    """The plan of ``group`` under its ``shift_rules`` (the defaults if unset)."""
    rules = group.shift_rules or ShiftRules()
    templates = shift_templates(set(day_types), rules, lengths_h)
    return GroupPlan(templates, template_cost(group, scenario), rules.min_per_line)


def _rostered(
    scenario: Scenario,
    current: Scenario,
    day_types: list[str],
    plans: list[GroupPlan],
    needs: list[np.ndarray],
) -> Scenario:
    """``current`` with the cheapest shifts covering the advisor (and clinician) needs,
    named after the base scenario with ``-staffed``, so the two are told apart."""
    data = current.to_data()
    data["name"] = f"{scenario.name}{STAFFED_SUFFIX}"
    # the lines are the head-counts themselves: no scale or dated change applies to them
    staffed = [data["advisors"], *data.get("clinicians", [])][: len(plans)]
    for group, plan, need in zip(staffed, plans, needs, strict=True):
        for key in ("count", "roster_scale", "staffing_changes"):
            group.pop(key, None)
        try:
            group["shifts"] = plan.lines(need, day_types)
        except ValueError as err:
            where = "advisors" if group is data["advisors"] else "clinicians.0"
            raise ValueError(f"'{where}.shift_rules': {err}") from None
    return scenario_from_data(data, f"{scenario.name} (staffed)")


def _judge(
    result: ExperimentResult, steered: dict[str, Target], iteration: int
) -> dict[str, float]:
    """This iteration's history row: KPI means, whether all targets are met, cost."""
    checks = _checks(result.summary, steered)
    met = all(ok for *_, ok in checks)
    row = {"iteration": iteration, **{k: mean for k, mean, _ in checks}, "met": float(met)}
    if "total_cost_gbp" in result.summary.index:
        row["total_cost_gbp"] = float(result.summary.loc["total_cost_gbp", "mean"])
    log.info("staffing iteration %d: %s", iteration, row)
    return row


def _more_people(
    result: ExperimentResult, scenario: Scenario, clinicians: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Half-hours that get one more advisor, and one more clinician."""
    days = scenario.run.calendar_days
    goal = scenario.targets.answered_within_60s
    more_a = _missed_slots(result, "answered_within_60s", goal, days)
    made = callback_made_goal(scenario)
    if not clinicians or made is None:
        return more_a, np.zeros_like(more_a)
    # Clinicians control when a call-back is made (first tried): the NHS call-back
    # KPI, and what a reached-within-10-min target needs (callback_made_goal).
    return more_a, _missed_slots(result, "callback_within_10min", made, days)


def staff(
    scenario: Scenario,
    targets: StaffingTargets | None = None,
    clinicians: bool = True,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> StaffingResult:
    """Find the cheapest roster of advisors (and of clinician group 0) meeting ``targets``.

    ``execution`` (or its keyword shorthand, e.g. ``workers=2``) says where each
    iteration's replications run; see :class:`~sim111.experiments.settings.ExecutionSettings`.
    """
    settings = execution_settings(execution, keywords)
    targets = targets or StaffingTargets()
    scenario = targets.applied_to(scenario)  # the staffed scenario carries its targets
    day_types = _day_types_with_lead(scenario.run)
    lengths = targets.shift_lengths_h
    plans = [group_plan(scenario.advisors, scenario, day_types, lengths)]
    needs = [advisor_requirements(scenario, targets)]
    staff_clinicians = clinicians and bool(scenario.clinicians)
    if staff_clinicians:
        plans.append(group_plan(scenario.clinicians[0], scenario, day_types, lengths))
        needs.append(clinician_requirements(scenario, targets))
    steered = steered_targets(scenario, staff_clinicians)
    history: list[dict[str, float]] = []
    current = scenario
    result: ExperimentResult | None = None
    for iteration in range(1, targets.max_iterations + 1):
        current = _rostered(scenario, current, day_types, plans, needs)
        result = run_experiment(current, targets.replications, targets.seed, execution=settings)
        history.append(_judge(result, steered, iteration))
        if history[-1]["met"]:
            return StaffingResult(current, result, iteration, True, history, steered=steered)
        more = _more_people(result, scenario, staff_clinicians)[: len(needs)]
        needs = [need + extra for need, extra in zip(needs, more, strict=True)]
        if not any(extra.any() for extra in more):
            return StaffingResult(
                current, result, iteration, False, history, NO_HALF_HOUR_MISSED, steered
            )
    assert result is not None
    note = f"targets not met after {targets.max_iterations} iterations"
    return StaffingResult(current, result, targets.max_iterations, False, history, note, steered)
