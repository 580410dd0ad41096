"""How far every area's advisor roster can shrink, or must grow, under the scenario's sharing.

Staffing each contract on its own (:mod:`sim111.planning.contracts`) cannot
answer for areas that help each other: what mutual aid (or a pool with an
own-area preference) saves is only seen with the areas coupled. Here the
areas keep their roster patterns and sizes relative to each other, and one
factor on the base's advisor ``roster_scale`` (which every area's
``advisor_roster_factor`` multiplies) is searched by bisection for the
smallest at which *every* area meets the answer and abandonment targets on the
mean of the replications (common random numbers: the same callers at every
factor). Two structures compared this way — apart and with mutual aid, say —
differ only in how the areas share work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Unpack

from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.planning.staffing import StaffingTargets
from sim111.scenario import Scenario


@dataclass(frozen=True)
class UniformPlan:
    """The smallest factor found, the scenario at it and its result."""

    factor: float
    scenario: Scenario
    result: ExperimentResult
    evaluations: int

    def kpi(self, key: str) -> float:
        """The mean of KPI ``key`` at the factor found (NaN if not measured)."""
        return kpi_mean(self.result, key)


def kpi_mean(result: ExperimentResult, key: str) -> float:
    """The mean of KPI ``key`` in ``result`` (NaN if not measured)."""
    summary = result.summary
    return float(summary.loc[key, "mean"]) if key in summary.index else math.nan


def every_area_meets(result: ExperimentResult, answered: float, abandoned: float) -> bool:
    """Whether every area's mean meets both targets (the worst area's does)."""
    summary = result.summary
    worst_answered = float(summary.loc["worst_area.answered_within_60s", "mean"])
    worst_abandoned = float(summary.loc["worst_area.abandoned_after_30s", "mean"])
    return worst_answered >= answered and worst_abandoned <= abandoned


def smallest_uniform_factor(
    scenario: Scenario,
    targets: StaffingTargets | None = None,
    low: float = 0.25,
    high: float = 4.0,
    tolerance: float = 0.01,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> UniformPlan:
    """The smallest factor in [``low``, ``high``] on every area's advisors at which every
    area meets the targets (to ``tolerance``, relative). Raises ``ValueError`` if even
    ``high`` does not, or the scenario has no areas."""
    if not scenario.areas:
        raise ValueError("a uniform roster factor needs several areas ([[areas]])")
    for area in scenario.areas:
        own = area.advisors.thaw() if area.advisors is not None else {}
        if "roster_scale" in own or "count" in own or "shifts" in own:
            raise ValueError(
                f"area {area.name!r} sets its own advisor roster, which the base's "
                "roster_scale does not reach: size it with advisor_roster_factor instead"
            )
    settings = execution_settings(execution, keywords)
    targets = targets or StaffingTargets()
    goals = targets.applied_to(scenario).targets
    base = scenario.advisors.roster_scale
    evaluations = 0

    def run(factor: float) -> tuple[Scenario, ExperimentResult, bool]:
        nonlocal evaluations
        evaluations += 1
        scaled = scenario.with_overrides({"advisors.roster_scale": base * factor})
        result = run_experiment(scaled, targets.replications, targets.seed, execution=settings)
        return (
            scaled,
            result,
            every_area_meets(result, goals.answered_within_60s, goals.abandoned_after_30s),
        )

    best = run(high)
    if not best[2]:
        raise ValueError(f"not every area meets the targets even at {high:g} x the rosters")
    best_factor = high
    while high / low > 1 + tolerance:
        mid = math.sqrt(low * high)
        found = run(mid)
        if found[2]:
            high, best, best_factor = mid, found, mid
        else:
            low = mid
    return UniformPlan(best_factor, best[0], best[1], evaluations)


def uniform_row(plan: UniformPlan, name: str) -> dict[str, object]:
    """The plan as a row of :func:`~sim111.planning.contracts.structure_totals`."""
    scenario = plan.scenario
    return {
        "structure": name,
        "contracts": len({a.contract_name for a in scenario.areas}),
        "all_met": True,
        "population": int(plan.kpi("population")),
        "mean_advisors_on_duty": plan.kpi("mean_advisors_on_duty"),
        "paid_advisor_hours": plan.kpi("paid_advisor_hours"),
        "total_cost_gbp": plan.kpi("total_cost_gbp"),
        "cost_per_call_gbp": plan.kpi("cost_per_call_gbp"),
        "answered_within_60s": plan.kpi("answered_within_60s"),
        "factor": plan.factor,
    }
