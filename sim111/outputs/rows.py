"""Which KPI rows a table shows: none for a feature the scenario does not use.

A board reading the report should not meet "Bounced back by a full provider:
0" in a scenario with no overflow provider, nor "KPI penalties: £0.00" in a
contract without penalties. Each such KPI belongs to a feature; its row is
shown when the scenario uses the feature (a zero then means something). KPIs
undefined in every replication are left out as before; the JSON and CSV
outputs keep every KPI.
"""

from __future__ import annotations

from collections.abc import Callable

from sim111.kpi_keys import DOWNSTREAM_PREFIX, PER_CLASS_PREFIX, PROVIDER_PREFIX
from sim111.outputs.areas import is_area_key
from sim111.scenario import Scenario


def _waits_for_callbacks(s: Scenario) -> bool:
    return any(
        s.clinical.callback_patience(k).kind != "never" for k in range(len(s.clinical.priorities))
    )


def _clinical(s: Scenario) -> bool:
    return bool(s.clinicians) and s.triage.clinical_share > 0


# feature -> (is it used?, the KPI keys that belong to it)
FEATURES: dict[str, tuple[Callable[[Scenario], bool], tuple[str, ...]]] = {
    "overflow": (
        lambda s: bool(s.providers),
        ("overflowed", "overflow_lost", "overflow_bounced", "overflow_fees_gbp"),
    ),
    "clinical": (
        _clinical,
        (
            "warm_transfer_share",
            "callback_within_10min",
            "callback_reached_within_10min",
            "mean_callback_min",
            "p95_callback_min",
            "max_callback_min",
            "clinical_contacts",
            "callbacks_failed",
            "clinician_utilisation",
            "mean_awaiting_clinician",
            "cost_per_clinical_contact_gbp",
            "clinical_share",
            "mean_clinicians_on_duty",
            "clinical_calls",  # columns of the tables by period
            "callbacks",
        ),
    ),
    "waiting for call-backs": (
        _waits_for_callbacks,
        (
            "repeat_calls",
            "callbacks_abandoned",
            "callback_gave_up",
            "callback_went_to_ed",
            "callback_dialled_999",
            "self_referral_cost_gbp",
        ),
    ),
    "escalation": (lambda s: s.clinical.backlog.escalates, ("callbacks_escalated",)),
    "overtime": (
        lambda s: s.clinical.backlog.overtime,
        ("overtime_clinician_hours", "overtime_cost_gbp"),
    ),
    "penalties": (lambda s: bool(s.costs.penalties), ("penalties_gbp",)),
    "price": (
        lambda s: (
            s.costs.price_per_call_gbp is not None
            or s.costs.price_per_head_per_year_gbp is not None
        ),
        ("revenue_gbp", "margin_gbp", "margin_per_call_gbp"),
    ),
}
_FEATURE_OF = {key: name for name, (_, keys) in FEATURES.items() for key in keys}


def feature_of(key: str) -> str | None:
    """The feature a KPI key belongs to (``None``: every scenario has it)."""
    if key.startswith(PROVIDER_PREFIX):
        return "overflow"
    if key.startswith(PER_CLASS_PREFIX):
        return "clinical"
    if key.startswith(DOWNSTREAM_PREFIX) and key not in _FEATURE_OF:
        return None  # only present when the scenario has the service
    return _FEATURE_OF.get(key)


def used_features(scenario: Scenario) -> frozenset[str]:
    """The features of :data:`FEATURES` the scenario (or any of its areas) uses."""
    every = (scenario, *scenario.area_scenarios) if scenario.areas else (scenario,)
    return frozenset(name for name, (used, _) in FEATURES.items() if any(used(s) for s in every))


def shown_keys(scenario: Scenario, keys: list[str], defined: Callable[[str], bool]) -> list[str]:
    """The KPI keys a table shows, in order: defined in some replication, not an area's
    own key (areas have a table of their own), not of a feature the scenario lacks."""
    used = used_features(scenario)
    out = []
    for key in keys:
        feature = feature_of(key)
        if is_area_key(key) or not defined(key) or (feature is not None and feature not in used):
            continue
        out.append(key)
    return out
