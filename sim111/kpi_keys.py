"""The KPI contract: every KPI key, its label, unit, which way is better and NHS target.

What a run is marked against (met, MISSED) is the scenario's ``[targets]``
(:mod:`sim111.scenario.targets`); the NHS targets here are the published ones,
for reference and as the defaults of the answer and abandonment targets.

The NHS definitions (what each key counts, over what) are in one place, here,
and the pure functions that compute them are in :mod:`sim111.measures.kpis`.
Scenario files name KPI keys (contract penalties), so this module sits below
the scenario package and imports nothing of sim111 but its vocabulary.

Definitions follow NHS England's 111 statistics and service specification
(``docs/domain.md`` §2):

- ``answered_within_60s``: calls answered within 60 s ÷ calls **answered**;
- ``abandoned_after_30s``: calls abandoned after waiting more than 30 s ÷ calls
  **offered**; ``abandoned`` counts every abandonment ÷ offered;
- ``callback_within_10min`` (the NHS headline): call-backs **made** within
  10 min of the end of the advisor call ÷ call-backs offered. "Made" is the
  first call-back attempt, whether or not the caller picked up; call-backs are
  clinical calls not put through live (warm-transferred);
- ``callback_reached_within_10min`` (supporting): call-backs **reaching** a
  clinician (clinician contact) within 10 min of the end of the advisor call
  ÷ call-backs offered; unanswered attempts and their retries count against it;
- ``callback_within_target_<class>`` (supporting): call-backs of the class
  **reaching** a clinician within the class's own target ÷ call-backs of the class;
- ``mean_callback_min``, ``p95_callback_min``, ``max_callback_min``: end of the
  advisor call → clinician contact, over call-backs that reached a clinician;
- answer times are waits of answered calls, in seconds.

Only calls offered at or after the warm-up are counted; utilisations are busy
person-time ÷ on-duty person-time between the warm-up and the end of the run.
A call-back counts in a "within T" denominator only if its advisor call ended
at least T before the end of the run (it had the whole of T to be made or reached).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sim111.vocabulary import DISPOSITIONS, display_name

ANSWER_TARGET_S = 60.0
ABANDON_GRACE_S = 30.0
CALLBACK_TARGET_MIN = 10.0
ANSWERED_WITHIN_60S_TARGET = 0.95  # NHS target share of answered calls
ABANDONED_AFTER_30S_TARGET = 0.05  # NHS target share of offered calls (at most)
PER_CLASS_PREFIX = "callback_within_target_"
PROVIDER_PREFIX = "provider_"
DOWNSTREAM_PREFIX = "downstream_"
DOWNSTREAM_KEYS = {
    "cases": ("cases referred", "calls", ""),
    "mean_wait_min": ("mean wait to be seen", "min", "lower"),
    "within_target": ("seen within target", "fraction", "higher"),
}
PROVIDER_KEYS = {
    "calls": ("calls taken", "calls", ""),
    "mean_wait_s": ("mean wait there", "s", "lower"),
    "lost": ("calls lost there", "calls", "lower"),
}


@dataclass(frozen=True)
class Kpi:
    """What a KPI key means: label, unit, which way is better, the published NHS target.

    ``nhs_target`` documents the national target; the tables mark KPIs against
    the scenario's ``[targets]`` (:mod:`sim111.scenario.targets`), never this.
    """

    key: str
    label: str
    unit: str
    better: str  # "higher", "lower" or "" (neither)
    nhs_target: float | None = None
    lower: float | None = 0.0  # smallest possible value (None: unbounded, e.g. a margin)


KPIS: tuple[Kpi, ...] = (
    Kpi("calls_offered", "Calls offered (incl. redials)", "calls", ""),
    Kpi("unique_callers", "Unique callers", "calls", ""),
    Kpi("redials", "Redials", "calls", ""),
    Kpi("calls_answered", "Calls answered", "calls", ""),
    Kpi(
        "answered_within_60s",
        "Answered within 60 s (of answered)",
        "fraction",
        "higher",
        ANSWERED_WITHIN_60S_TARGET,
    ),
    Kpi(
        "abandoned_after_30s",
        "Abandoned after 30 s (of offered)",
        "fraction",
        "lower",
        ABANDONED_AFTER_30S_TARGET,
    ),
    Kpi("abandoned", "Abandoned, all (of offered)", "fraction", "lower"),
    Kpi("mean_answer_s", "Mean time to answer", "s", "lower"),
    Kpi("p90_answer_s", "90th percentile time to answer", "s", "lower"),
    Kpi("p95_answer_s", "95th percentile time to answer", "s", "lower"),
    Kpi("advisor_utilisation", "Health advisor utilisation", "fraction", ""),
    Kpi("mean_queue_length", "Mean calls waiting for an advisor", "calls waiting", "lower"),
    Kpi("overflowed", "Sent to an overflow provider (of offered)", "fraction", ""),
    Kpi("overflow_lost", "Lost at a full overflow provider (of offered)", "fraction", "lower"),
    Kpi("overflow_bounced", "Bounced back by a full provider", "calls", ""),
    Kpi("clinical_share", "Needing clinical input (of answered)", "fraction", ""),
    Kpi("warm_transfer_share", "Warm transfers (of clinical)", "fraction", "higher"),
    Kpi("callback_within_10min", "Call-backs made within 10 min (NHS)", "fraction", "higher", 1.0),
    Kpi(
        "callback_reached_within_10min",
        "Call-backs reaching a clinician within 10 min",
        "fraction",
        "higher",
    ),
    Kpi("mean_callback_min", "Mean call-back wait to clinician contact", "min", "lower"),
    Kpi("p95_callback_min", "95th percentile call-back wait to contact", "min", "lower"),
    Kpi("max_callback_min", "Longest call-back wait to contact", "min", "lower"),
    Kpi("clinical_contacts", "Calls assessed by a clinician", "calls", ""),
    Kpi("callbacks_failed", "Call-backs never answered (of call-backs)", "fraction", "lower"),
    # callers who stopped waiting for a call-back (sim111.measures.backlog)
    Kpi("repeat_calls", "Repeat calls chasing a call-back (of offered)", "fraction", "lower"),
    Kpi(
        "callbacks_abandoned",
        "Call-backs abandoned: caller stopped waiting (of call-backs)",
        "fraction",
        "lower",
    ),
    Kpi("callback_gave_up", "Gave up waiting for a call-back", "calls", "lower"),
    Kpi("callback_went_to_ed", "Went to A&E while waiting for a call-back", "calls", "lower"),
    Kpi("callback_dialled_999", "Dialled 999 while waiting for a call-back", "calls", "lower"),
    Kpi(
        "callbacks_escalated", "Call-backs escalated to a provider (of call-backs)", "fraction", ""
    ),
    Kpi("overtime_clinician_hours", "Clinician overtime hours", "h", ""),
    Kpi("clinician_utilisation", "Clinician utilisation", "fraction", ""),
    Kpi("mean_awaiting_clinician", "Mean calls awaiting a clinician", "calls waiting", "lower"),
    *(Kpi(f"{d}_share", f"Disposition: {display_name(d)}", "fraction", "") for d in DISPOSITIONS),
    Kpi("paid_advisor_hours", "Paid health advisor hours", "h", ""),
    Kpi("paid_clinician_hours", "Paid clinician hours", "h", ""),
    Kpi("staff_cost_gbp", "Direct staff cost", "GBP", "lower"),
    Kpi("overhead_gbp", "Overheads", "GBP", "lower"),
    Kpi("overtime_cost_gbp", "Clinician overtime pay", "GBP", "lower"),
    Kpi("overflow_fees_gbp", "Fees paid to overflow providers", "GBP", "lower"),
    Kpi("total_cost_gbp", "Total cost", "GBP", "lower"),
    Kpi("cost_per_call_gbp", "Cost per answered call", "GBP", "lower"),
    Kpi("cost_per_clinical_contact_gbp", "Clinician cost per clinical contact", "GBP", "lower"),
    Kpi("revenue_gbp", "Contract revenue", "GBP", "higher"),
    Kpi("penalties_gbp", "KPI penalties", "GBP", "lower"),
    Kpi("margin_gbp", "Margin (revenue - cost - penalties)", "GBP", "higher", lower=None),
    Kpi("margin_per_call_gbp", "Margin per answered call", "GBP", "higher", lower=None),
    Kpi("break_even_price_per_call_gbp", "Break-even price per answered call", "GBP", ""),
    Kpi(
        "break_even_price_per_head_per_year_gbp",
        "Break-even price per head per year",
        "GBP",
        "",
    ),
    Kpi(
        "downstream_cost_gbp",
        "Downstream NHS cost of dispositions and of A&E / 999 while waiting",
        "GBP",
        "",
    ),
    Kpi("self_referral_cost_gbp", "NHS cost of A&E / 999 while waiting for a call-back", "GBP", ""),
    Kpi("downstream_cost_per_call_gbp", "Downstream NHS cost per answered call", "GBP", ""),
    Kpi("calls_in_system_at_end", "Calls still in the system at the end", "calls", ""),
    Kpi("mean_advisors_on_duty", "Mean health advisors on duty", "people", ""),
    Kpi("mean_clinicians_on_duty", "Mean clinicians on duty", "people", ""),
)
# only with several contract areas ([[areas]]): sharing between them
AREA_KPIS = (
    Kpi("population", "Population served", "people", ""),
    Kpi("answered_by_other_area", "Answered by another area's advisor", "fraction", ""),
    Kpi("assessed_by_other_area", "Assessed by another area's clinician", "fraction", ""),
    Kpi("mutual_aid_calls_sent", "Calls answered by other areas (mutual aid)", "calls", ""),
    Kpi("mutual_aid_calls_taken", "Other areas' calls answered (mutual aid)", "calls", ""),
    Kpi("mutual_aid_fees_gbp", "Mutual-aid fees paid", "GBP", "lower"),
    Kpi("mutual_aid_income_gbp", "Mutual-aid fees received", "GBP", "higher"),
)
# computed from the others after a replication (sim111.measures.costs): a penalty,
# judged before them, cannot name one
_ORDER = [k.key for k in KPIS]
COST_KEYS = frozenset(
    _ORDER[_ORDER.index("paid_advisor_hours") : _ORDER.index("downstream_cost_per_call_gbp") + 1]
)
AREA_PREFIX = "area."  # area.<name>.<key>: one area's KPI
WORST_PREFIX = "worst_area."  # worst_area.<key>: the worst area's value
MISSING_PREFIX = "areas_missing."  # areas_missing.<key>: areas missing their target
KPI_BY_KEY = {k.key: k for k in KPIS + AREA_KPIS}


def kpi_info(key: str) -> Kpi:
    """The registry entry for ``key``, including per-class, per-area and spread keys."""
    if key in KPI_BY_KEY:
        return KPI_BY_KEY[key]
    if key.startswith(AREA_PREFIX) and key.count(".") >= 2:
        area, inner = key.removeprefix(AREA_PREFIX).split(".", 1)
        kpi = kpi_info(inner)
        return Kpi(key, f"{area}: {kpi.label}", kpi.unit, kpi.better)
    if key.startswith(WORST_PREFIX):
        kpi = kpi_info(key.removeprefix(WORST_PREFIX))
        return Kpi(key, f"Worst area: {kpi.label}", kpi.unit, kpi.better)
    if key.startswith(MISSING_PREFIX):
        kpi = kpi_info(key.removeprefix(MISSING_PREFIX))
        return Kpi(key, f"Areas missing the target: {kpi.label}", "areas", "lower")
    if key.startswith(PER_CLASS_PREFIX):
        name = key.removeprefix(PER_CLASS_PREFIX)
        return Kpi(
            key,
            f"Call-backs reaching a clinician within target: {display_name(name)}",
            "fraction",
            "higher",
        )
    if key.startswith(DOWNSTREAM_PREFIX):
        for suffix, (label, unit, better) in DOWNSTREAM_KEYS.items():
            if key.endswith("_" + suffix):
                name = key.removeprefix(DOWNSTREAM_PREFIX).removesuffix("_" + suffix)
                return Kpi(key, f"{display_name(name)}: {label}", unit, better)
    if key.startswith(PROVIDER_PREFIX):
        for suffix, (label, unit, better) in PROVIDER_KEYS.items():
            if key.endswith("_" + suffix):
                name = key.removeprefix(PROVIDER_PREFIX).removesuffix("_" + suffix)
                return Kpi(key, f"Overflow to {display_name(name)}: {label}", unit, better)
    return Kpi(key, key, "", "")


def penalty_kpis(
    classes: Iterable[str] = (), providers: Iterable[str] = (), services: Iterable[str] = ()
) -> tuple[str, ...]:
    """The KPI keys a contract penalty may name in a scenario with these priority
    ``classes``, overflow ``providers`` and downstream ``services``: the operational
    KPIs (not :data:`COST_KEYS`) and those of its own classes, providers and services."""
    keys = [k.key for k in KPIS if k.key not in COST_KEYS]
    keys += [f"{PER_CLASS_PREFIX}{name}" for name in classes]
    keys += [f"{PROVIDER_PREFIX}{name}_{suffix}" for name in providers for suffix in PROVIDER_KEYS]
    keys += [f"{DOWNSTREAM_PREFIX}{name}_{s}" for name in services for s in DOWNSTREAM_KEYS]
    return tuple(keys)
