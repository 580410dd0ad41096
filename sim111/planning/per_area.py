"""Each area's own advisor roster factor, for areas that help each other.

The uniform factor (:mod:`sim111.planning.uniform`) sizes every area's roster
alike, so every area carries the one that needs most. Here, starting from its
answer (every area meets the targets), each area's ``advisor_roster_factor``
is reduced in turn — a coordinate descent — while *every* area still meets
the answer and abandonment targets on the mean of the coupled run: an area
with spare capacity shrinks until it, or an area it was helping, would miss.
Each area's step is a bisection (geometric, to ``tolerance`` relative) between
``low`` times its factor and the smallest factor known to meet; every
evaluation uses the same seed (common random numbers: the same callers at
every roster). Passes repeat, at most ``max_passes``, until no area moves by
more than the tolerance. Areas are searched largest advisor cost first (at
the uniform answer), as a reduction there saves most.

A descent only shrinks rosters: the result costs no more than the uniform
answer, and every area meets the targets at it; it is a local answer (the
order of the areas matters when they lean on each other), not the cheapest
possible one. With the areas apart (no sharing) each area's factor is its own
smallest one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Unpack

from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.planning.staffing import StaffingTargets
from sim111.planning.uniform import (
    UniformPlan,
    every_area_meets,
    kpi_mean,
    smallest_uniform_factor,
)
from sim111.scenario import Scenario, scenario_from_data

AREA_KPIS = (
    "answered_within_60s",
    "abandoned_after_30s",
    "mean_advisors_on_duty",
    "paid_advisor_hours",
    "total_cost_gbp",
    "cost_per_call_gbp",
    "mutual_aid_calls_sent",
    "mutual_aid_calls_taken",
)


@dataclass(frozen=True)
class PerAreaPlan:
    """Each area's factor found (on its roster as the scenario gives it), the scenario
    at them and its result, the uniform answer it started from, and the effort."""

    factors: dict[str, float]
    scenario: Scenario
    result: ExperimentResult
    uniform: UniformPlan
    evaluations: int
    passes: int

    def kpi(self, key: str) -> float:
        """The mean of KPI ``key`` at the factors found (NaN if not measured)."""
        return kpi_mean(self.result, key)


@dataclass
class _Descent:
    """The search's state: each area's factor on top of the uniform answer's scenario."""

    start: Scenario
    run: Callable[[Scenario], tuple[ExperimentResult, bool]]
    relative: list[float]
    best: ExperimentResult
    evaluations: int = 0

    def at(self, k: int | None = None, value: float = 1.0) -> Scenario:
        """The uniform answer's scenario with each area at its factor so far (area ``k``
        at ``value`` x its factor in the uniform answer)."""
        factors = list(self.relative)
        if k is not None:
            factors[k] = value
        overrides = {
            f"areas.{i}.advisor_roster_factor": area.advisor_roster_factor * f
            for i, (area, f) in enumerate(zip(self.start.areas, factors, strict=True))
            if f != 1.0
        }
        return self.start.with_overrides(overrides) if overrides else self.start

    def meets(self, k: int, value: float) -> tuple[ExperimentResult, bool]:
        self.evaluations += 1
        return self.run(self.at(k, value))

    def shrink(self, k: int, low: float, tolerance: float) -> bool:
        """Bisect area ``k``'s factor down; whether it moved."""
        high = self.relative[k]
        probe = high / (1 + tolerance)
        result, ok = self.meets(k, probe)
        if not ok:
            return False
        high, self.best = probe, result
        floor = self.relative[k] * low
        while high / floor > 1 + tolerance:
            mid = math.sqrt(floor * high)
            result, ok = self.meets(k, mid)
            if ok:
                high, self.best = mid, result
            else:
                floor = mid
        self.relative[k] = high
        return True


def _largest_first(plan: UniformPlan) -> list[int]:
    """Area indices by their advisor cost at the uniform answer, largest first."""
    areas = plan.scenario.areas
    hours = [plan.kpi(f"area.{a.name}.paid_advisor_hours") for a in areas]
    return sorted(range(len(areas)), key=lambda k: -(hours[k] if hours[k] == hours[k] else 0.0))


def per_area_factors(
    scenario: Scenario,
    targets: StaffingTargets | None = None,
    low: float = 0.25,
    tolerance: float = 0.01,
    max_passes: int = 3,
    *,
    uniform: UniformPlan | None = None,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> PerAreaPlan:
    """Each area's smallest advisor roster factor, in turn, at which every area meets the
    targets on the coupled run, starting from the uniform answer (``uniform``, or found
    here with the same ``tolerance``). ``low`` bounds each area's step (a fraction of its
    factor); factors are reported on the area's roster as ``scenario`` gives it."""
    if not 0 < low < 1 or tolerance <= 0 or max_passes < 1:
        raise ValueError("per-area search needs 0 < low < 1, tolerance > 0 and max_passes >= 1")
    settings = execution_settings(execution, keywords)
    targets = targets or StaffingTargets()
    if uniform is None:
        uniform = smallest_uniform_factor(
            scenario, targets, tolerance=tolerance, execution=settings
        )
    goals = targets.applied_to(scenario).targets

    def run(candidate: Scenario) -> tuple[ExperimentResult, bool]:
        result = run_experiment(candidate, targets.replications, targets.seed, execution=settings)
        met = every_area_meets(result, goals.answered_within_60s, goals.abandoned_after_30s)
        return result, met

    start = uniform.scenario
    descent = _Descent(start, run, [1.0] * len(start.areas), uniform.result)
    passes, moved = 0, True
    while moved and passes < max_passes:
        passes += 1
        moved = any([descent.shrink(k, low, tolerance) for k in _largest_first(uniform)])
    final = descent.at()
    factors = {
        a.name: uniform.factor * f for a, f in zip(scenario.areas, descent.relative, strict=True)
    }
    evaluations = uniform.evaluations + descent.evaluations
    return PerAreaPlan(factors, final, descent.best, uniform, evaluations, passes)


def apart(scenario: Scenario) -> Scenario:
    """``scenario`` with every area answering its own calls: advisors and clinicians
    by area, no mutual aid (a shared contingency line, if any, is kept)."""
    data = scenario.to_data()
    sharing = data.setdefault("sharing", {})
    sharing.update({"advisors": "area", "clinicians": "area"})
    sharing.pop("mutual_aid", None)
    sharing.pop("prefer_own_area_s", None)
    return scenario_from_data(data, "areas apart")


def area_rows(plan: PerAreaPlan, name: str) -> list[dict[str, object]]:
    """One row per area of a plan: its factor and KPIs (means)."""
    rows = []
    for area in plan.scenario.areas:
        row: dict[str, object] = {"structure": name, "area": area.name}
        row["factor"] = plan.factors.get(area.name, math.nan)
        row.update({k: plan.kpi(f"area.{area.name}.{k}") for k in AREA_KPIS})
        rows.append(row)
    return rows


def uniform_area_rows(plan: UniformPlan, name: str) -> list[dict[str, object]]:
    """One row per area of the uniform answer: the one factor and each area's KPIs."""
    rows = []
    for area in plan.scenario.areas:
        row: dict[str, object] = {"structure": name, "area": area.name, "factor": plan.factor}
        row.update({k: plan.kpi(f"area.{area.name}.{k}") for k in AREA_KPIS})
        rows.append(row)
    return rows


def plan_row(plan: PerAreaPlan, name: str) -> dict[str, object]:
    """The plan as a row of :func:`~sim111.planning.contracts.structure_totals`
    (every area meets on the mean; no one factor)."""
    return {
        "structure": name,
        "contracts": len({a.contract_name for a in plan.scenario.areas}),
        "all_met": True,
        "population": int(plan.kpi("population")),
        "mean_advisors_on_duty": plan.kpi("mean_advisors_on_duty"),
        "paid_advisor_hours": plan.kpi("paid_advisor_hours"),
        "total_cost_gbp": plan.kpi("total_cost_gbp"),
        "cost_per_call_gbp": plan.kpi("cost_per_call_gbp"),
        "answered_within_60s": plan.kpi("answered_within_60s"),
        "factor": math.nan,
    }
