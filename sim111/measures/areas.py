"""KPIs of a multi-area run: every area's, the whole's, and the spread between areas.

The whole is measured on the pooled records of all areas — counts pooled, not
means of the areas' percentages — so national "answered within 60 s" is all
areas' calls answered within 60 s over all their answered calls. Money adds
up across areas and the ratios are worked out again from the sums; mutual-aid
fees move money between areas and cancel out in the whole. The spread says
how far apart the areas are: for each KPI with a target, the worst area's
value and how many areas miss it.

Keys: the whole's KPIs under their usual keys; an area's as
``area.<name>.<key>``; the spread as ``areas_missing.<key>`` and
``worst_area.<key>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim111.engine.memory import release_freed_memory
from sim111.engine.records import RunRecords
from sim111.kpi_keys import AREA_PREFIX, MISSING_PREFIX, WORST_PREFIX
from sim111.measures.backlog import ratio
from sim111.measures.costs import cost_kpis, kpi_years
from sim111.measures.kpis import disposition_counts, replication_kpis
from sim111.measures.pooling import pooled_records
from sim111.measures.spans import advisor_spans, busy_integral_to
from sim111.scenario import Scenario
from sim111.scenario.areas import pool_keys
from sim111.scenario.targets import kpi_targets

# money and hours that add up across areas (ratios are worked out again)
SUMMED = (
    "paid_advisor_hours",
    "paid_clinician_hours",
    "staff_cost_gbp",
    "overhead_gbp",
    "overtime_cost_gbp",
    "overflow_fees_gbp",
    "total_cost_gbp",
    "revenue_gbp",
    "penalties_gbp",
    "margin_gbp",
    "downstream_cost_gbp",
    "self_referral_cost_gbp",
)


def area_key(area: str, key: str) -> str:
    """The KPI key of ``key`` for one area."""
    return f"{AREA_PREFIX}{area}.{key}"


def mutual_aid_counts(scenario: Scenario, records: Sequence[RunRecords]) -> np.ndarray:
    """``counts[a, b]``: area a's calls (offered after the warm-up) answered by area
    b's advisors under mutual aid (b outside a's advisor pool)."""
    n = len(records)
    counts = np.zeros((n, n), dtype=np.int64)
    pools = pool_keys(scenario.areas, scenario.sharing.advisors)
    for a, rec in enumerate(records):
        calls = rec.calls
        helped = calls.advisor_area[
            (calls.advisor_area >= 0) & (calls.arrival_min >= rec.warmup_min)
        ]
        for b, count in zip(*np.unique(helped, return_counts=True), strict=True):
            if pools[int(b)] != pools[a]:
                counts[a, int(b)] = count
    return counts


def own_staff_utilisation(records: Sequence[RunRecords]) -> list[float]:
    """Each area's advisors' utilisation: the calls *they* answered (their own area's,
    and other areas' lent to them) over their time on duty.

    Each area's answered calls are sorted by whose advisor answered, and only their
    rows are kept (4 bytes an answered call); each area's advisors' spans are then
    gathered from every area's records, one area at a time (a year of England is 13
    million calls: their spans at once would be 16 bytes each).
    """
    pieces: list[list[tuple[int, np.ndarray]]] = [[] for _ in records]
    for k, rec in enumerate(records):
        served = np.flatnonzero(~np.isnan(rec.calls.answer_min)).astype(np.int32)
        lender = rec.calls.advisor_area[served]
        staff = np.where(lender >= 0, lender, k)  # whose advisor answered
        del lender
        order = np.argsort(staff, kind="stable")
        bounds = np.cumsum(np.bincount(staff, minlength=len(records)))
        del staff
        rows = served[order]
        del served, order
        for lender_k in np.flatnonzero(np.diff(bounds, prepend=0)):
            mine = slice(bounds[lender_k - 1] if lender_k else 0, bounds[lender_k])
            pieces[lender_k].append((k, rows[mine]))  # views of this area's rows
        release_freed_memory()  # (as in areas_kpis' loop over the areas)
    out = []
    for k, rec in enumerate(records):
        window = np.array([rec.warmup_min, rec.horizon_min])
        start, end = _spans_of([(records[j], rows) for j, rows in pieces[k]])
        pieces[k] = []
        busy = busy_integral_to(start, end, window, owned=True)
        on_duty = rec.advisors.integral_to(window)
        out.append(ratio(max(float(busy[1] - busy[0]), 0.0), float(on_duty[1] - on_duty[0])))
        release_freed_memory()
    return out


def _spans_of(parts: list[tuple[RunRecords, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The advisor spans of the answered calls ``rows`` of each area's records,
    concatenated in order."""
    if not parts:
        return np.empty(0), np.empty(0)
    spans = [advisor_spans(rec, rows) for rec, rows in parts]
    return np.concatenate([s for s, _ in spans]), np.concatenate([e for _, e in spans])


def _helped(rec: RunRecords) -> dict[str, float]:
    """Shares of an area's calls that another area's staff answered or assessed."""
    calls = rec.calls
    counted = calls.arrival_min >= rec.warmup_min
    answered = counted & ~np.isnan(calls.answer_min)
    assessed = counted & ~np.isnan(calls.contact_min)
    return {
        "answered_by_other_area": ratio(
            float((answered & (calls.advisor_area >= 0)).sum()), float(answered.sum())
        ),
        "assessed_by_other_area": ratio(
            float((assessed & (calls.clinician_area >= 0)).sum()), float(assessed.sum())
        ),
    }


def _with_mutual_aid(
    kpis: dict[str, float], sent: int, taken: int, fee: float, years: float
) -> None:
    """An area's KPIs with its mutual-aid calls and fees (paid: cost; received: revenue)."""
    paid, received = sent * fee, taken * fee
    kpis["mutual_aid_calls_sent"] = float(sent)
    kpis["mutual_aid_calls_taken"] = float(taken)
    kpis["mutual_aid_fees_gbp"] = paid
    kpis["mutual_aid_income_gbp"] = received
    if "total_cost_gbp" in kpis:
        kpis["total_cost_gbp"] += paid
        kpis["revenue_gbp"] += received
        kpis["margin_gbp"] += received - paid
        _ratios(kpis, kpis["population"], years)


def _ratios(kpis: dict[str, float], population: float, years: float) -> None:
    """The cost ratios worked out again from the sums."""
    answered = kpis.get("calls_answered", math.nan)
    spent = kpis["total_cost_gbp"] + kpis["penalties_gbp"]
    kpis["cost_per_call_gbp"] = ratio(kpis["total_cost_gbp"], answered)
    kpis["margin_per_call_gbp"] = ratio(kpis["margin_gbp"], answered)
    kpis["break_even_price_per_call_gbp"] = ratio(spent, answered)
    kpis["downstream_cost_per_call_gbp"] = ratio(kpis["downstream_cost_gbp"], answered)
    kpis["break_even_price_per_head_per_year_gbp"] = ratio(spent, population * years)


def _whole_costs(per_area: list[dict[str, float]], population: float) -> dict[str, float]:
    """Costs of all areas together: sums, less the money areas pay each other."""
    if not all("total_cost_gbp" in k for k in per_area):
        return {}
    out = {key: sum(k[key] for k in per_area) for key in SUMMED}
    transfers = sum(k.get("mutual_aid_fees_gbp", 0.0) for k in per_area)
    out["total_cost_gbp"] -= transfers
    out["revenue_gbp"] -= transfers
    contacts = [k.get("clinical_contacts", 0.0) for k in per_area]
    per_contact = [k.get("cost_per_clinical_contact_gbp", math.nan) for k in per_area]
    out["cost_per_clinical_contact_gbp"] = ratio(
        sum(c * p for c, p in zip(contacts, per_contact, strict=True) if c), sum(contacts)
    )
    return out


def spread_kpis(scenario: Scenario, per_area: list[dict[str, float]]) -> dict[str, float]:
    """For each KPI with a target: the worst area's value, and how many areas miss
    their own target (an area may set its own ``[targets]``)."""
    out: dict[str, float] = {}
    own = [kpi_targets(area) for area in scenario.area_scenarios]
    for key, target in kpi_targets(scenario).items():
        values = [k.get(key, math.nan) for k in per_area]
        known = [v for v in values if not math.isnan(v)]
        worst = min if target.higher else max
        out[WORST_PREFIX + key] = worst(known) if known else math.nan
        out[MISSING_PREFIX + key] = float(
            sum(
                targets.get(key, target).meets(v) is False
                for targets, v in zip(own, values, strict=True)
            )
        )
    return out


def areas_kpis(
    scenario: Scenario,
    records: Sequence[RunRecords],
    pooled: RunRecords | None = None,
    consume: bool = False,
) -> dict[str, float]:
    """The KPI row of one replication of a multi-area scenario (see the module).

    ``pooled``: the areas' :func:`pooled_records`, if already made. With
    ``consume`` (``records`` a list), the areas' records are dropped from it once
    measured, before the whole is: their staffing logs go (on a year of England
    28 bytes a call) unless held elsewhere.
    """
    per_area: list[dict[str, float]] = []
    utilisation = own_staff_utilisation(records)
    for k, (area, rec) in enumerate(zip(scenario.area_scenarios, records, strict=True)):
        kpis = replication_kpis(rec)
        kpis["advisor_utilisation"] = utilisation[k]
        kpis.update(_helped(rec))
        kpis.update(cost_kpis(area, kpis, disposition_counts(rec)))
        kpis["population"] = float(area.demand.population)
        per_area.append(kpis)
        # each area's temporaries are of its own size: freed blocks the allocator
        # would keep add up over the areas (on a year of England, 0.4 GB by the last)
        release_freed_memory()
    years = kpi_years(scenario)
    aid = scenario.sharing.mutual_aid
    if aid is not None:
        counts = mutual_aid_counts(scenario, records)
        for k, kpis in enumerate(per_area):
            sent, taken = int(counts[k].sum()), int(counts[:, k].sum())
            _with_mutual_aid(kpis, sent, taken, aid.fee_per_call_gbp, years)
    population = float(sum(a.demand.population for a in scenario.area_scenarios))
    pooled = pooled_records(records) if pooled is None else pooled
    if consume:
        assert isinstance(records, list), "consume needs the records as a list"
        records.clear()
    # the areas' measures left freed megabytes the allocator would keep, under the
    # whole's (on a year of England 0.7 GB more at the peak)
    release_freed_memory()
    whole = replication_kpis(pooled)
    whole.update(_helped(pooled))
    whole.update(_whole_costs(per_area, population))
    whole["population"] = population
    if "total_cost_gbp" in whole:
        _ratios(whole, population, years)
    whole.update(spread_kpis(scenario, per_area))
    for spec, kpis in zip(scenario.areas, per_area, strict=True):
        whole.update({area_key(spec.name, key): value for key, value in kpis.items()})
    return whole
