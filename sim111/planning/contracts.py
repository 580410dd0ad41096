"""What a contract structure needs: each contract staffed to the targets, and its cost.

A structure groups a multi-area scenario's areas into contracts, each one
virtual call centre: every area on its own (``area``), the scenario's own
contracts (``contract``), regions (``region``) or all of England (``all``).
Each contract is simulated as one single-area scenario — the areas' demand
together (the members must share everything but population and rosters) and
their clinician rosters added up — and :func:`~sim111.planning.staffing.staff`
finds its cheapest advisor roster meeting the answer and abandonment targets.
The answer: advisors and cost per answered call, contract by contract and for
the structure as a whole; against contract population, the economies of scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Unpack

import pandas as pd

from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.planning.staffing import StaffingTargets, staff
from sim111.scenario import Scenario, scenario_from_data
from sim111.scenario.areas import pool_keys

# the KPIs each plan reports (means over the check's replications)
PLAN_KPIS = (
    "calls_answered",
    "answered_within_60s",
    "abandoned_after_30s",
    "callback_within_10min",
    "mean_advisors_on_duty",
    "paid_advisor_hours",
    "paid_clinician_hours",
    "total_cost_gbp",
    "cost_per_call_gbp",
)


@dataclass(frozen=True)
class ContractPlan:
    """One contract of a structure, staffed: its areas, size, KPIs and whether it met them."""

    structure: str
    contract: str
    areas: tuple[str, ...]
    population: int
    met: bool
    iterations: int
    kpis: dict[str, float]
    scenario: Scenario


def contract_scenario(scenario: Scenario, members: list[int], name: str) -> Scenario:
    """The areas ``members`` of ``scenario`` as one single-area scenario named ``name``.

    Demand is the members' together: their population added up (the rest of
    their demand must be the same) and their independent day-to-day swings
    combined (coefficient of variation ``cv sqrt(sum p_k^2) / sum p_k``, as
    the areas draw them in a multi-area run). Staff rosters are added up, group
    by group (roster scales add: paid hours are linear in the scale).
    """
    areas = [scenario.area_scenarios[k] for k in members]
    first = areas[0]
    for k, area in zip(members[1:], areas[1:], strict=True):
        differ = _differences(first, area)
        if differ:
            raise ValueError(
                f"areas {scenario.areas[members[0]].name!r} and {scenario.areas[k].name!r} "
                f"differ in {', '.join(differ)}, not only in population and roster sizes: "
                "they cannot be one contract here"
            )
    data = first.to_data()
    data["name"] = name
    people = [a.demand.population for a in areas]
    data["demand"]["population"] = sum(people)
    # Each area's day-to-day swing is its own (its own stream in a multi-area run):
    # together they swing less, as the sum of independent factors does.
    together = math.sqrt(sum(p * p for p in people)) / sum(people)
    data["demand"]["overdispersion_cv"] = first.demand.overdispersion_cv * together
    staff = [(data["advisors"], [a.advisors for a in areas])]
    staff += [
        (group, [a.clinicians[g] for a in areas])
        for g, group in enumerate(data.get("clinicians", []))
    ]
    for group, members_groups in staff:
        group["roster_scale"] = sum(m.roster_scale for m in members_groups)
        for i, change in enumerate(group.get("staffing_changes", [])):  # the same dates
            change["roster_scale"] = sum(m.staffing_changes[i].roster_scale for m in members_groups)
    return scenario_from_data(data, name)


def _differences(a: Scenario, b: Scenario) -> list[str]:
    """The top-level tables in which two areas differ, population and roster scales aside."""

    def plain(area: Scenario) -> dict[str, object]:
        data = area.to_data()
        data.pop("name", None)
        data["demand"].pop("population", None)
        for group in [data["advisors"], *data.get("clinicians", [])]:
            group.pop("roster_scale", None)
            for change in group.get("staffing_changes", []):
                change.pop("roster_scale", None)
        return data

    da, db = plain(a), plain(b)
    return sorted(key for key in da.keys() | db.keys() if da.get(key) != db.get(key))


def contracts_of(scenario: Scenario, structure: str) -> dict[str, list[int]]:
    """``{contract: [area indices]}`` of a structure, in order of first area."""
    out: dict[str, list[int]] = {}
    for k, key in enumerate(pool_keys(scenario.areas, structure)):
        out.setdefault(key if structure != "all" else "england", []).append(k)
    return out


def plan_structure(
    scenario: Scenario,
    structure: str,
    targets: StaffingTargets | None = None,
    *,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> list[ContractPlan]:
    """Staff every contract of ``structure`` (advisors; clinicians as rostered)."""
    settings = execution_settings(execution, keywords)
    targets = targets or StaffingTargets()
    plans = []
    for name, members in contracts_of(scenario, structure).items():
        unit = contract_scenario(scenario, members, name)
        found = staff(unit, targets, clinicians=False, execution=settings)
        summary = found.result.summary
        kpis = {k: float(summary.loc[k, "mean"]) for k in PLAN_KPIS if k in summary.index}
        plans.append(
            ContractPlan(
                structure=structure,
                contract=name,
                areas=tuple(scenario.areas[k].name for k in members),
                population=unit.demand.population,
                met=found.met,
                iterations=found.iterations,
                kpis=kpis,
                scenario=found.scenario,
            )
        )
    return plans


def plans_frame(plans: list[ContractPlan]) -> pd.DataFrame:
    """One row per contract: structure, contract, areas, population, met, KPIs."""
    rows = [
        {
            "structure": p.structure,
            "contract": p.contract,
            "areas": len(p.areas),
            "population": p.population,
            "met": p.met,
            "iterations": p.iterations,
            **p.kpis,
        }
        for p in plans
    ]
    return pd.DataFrame(rows)


def structure_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per structure: contracts, all met, advisors, cost and cost per answered
    call of all its contracts together (pooled: total cost over calls answered)."""
    rows = []
    for structure, group in frame.groupby("structure", sort=False):
        answered = group["calls_answered"].sum()
        cost = group["total_cost_gbp"].sum()
        rows.append(
            {
                "structure": structure,
                "contracts": len(group),
                "all_met": bool(group["met"].all()),
                "population": int(group["population"].sum()),
                "mean_advisors_on_duty": group["mean_advisors_on_duty"].sum(),
                "paid_advisor_hours": group["paid_advisor_hours"].sum(),
                "total_cost_gbp": cost,
                "cost_per_call_gbp": cost / answered if answered else math.nan,
                "answered_within_60s": float(
                    (group["answered_within_60s"] * group["calls_answered"]).sum() / answered
                ),
            }
        )
    return pd.DataFrame(rows)
