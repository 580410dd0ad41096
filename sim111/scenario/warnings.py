"""Warnings for planners: what a scenario's data says before anything runs.

A warning is not an error: the run goes on (``--strict`` on the command line
turns warnings into exit status 2). This module holds the warning record and
the checks that need only the scenario's data: shares that were normalised
(the engine divides weights by their sum, so a mix adding up to 1.5 runs as
if it added up to 1), staff groups with no one rostered, runs shorter than a
day, and targets no staffing can meet (:func:`~sim111.scenario.targets.unattainable`).
Hours with calls and no one on duty need the engine's calendar and rosters:
:mod:`sim111.measures.coverage`; what a finished run says: :mod:`sim111.experiments.warnings`.
This package never prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim111.scenario.areas import Sharing, pool_keys
from sim111.scenario.staff import scaled_count, scaled_counts
from sim111.scenario.targets import unattainable
from sim111.units import MINUTES_PER_DAY
from sim111.vocabulary import DAY_TYPES

if TYPE_CHECKING:
    from sim111.scenario.staff import StaffGroup
    from sim111.scenario.top import Scenario

SHARE_TOLERANCE = 0.01  # shares typed as rounded percentages (3 x 0.333) are not worth a word


@dataclass(frozen=True)
class PlannerWarning:
    """One warning: a short ``code`` (stable, for scripts), a one-line ``message``
    naming the scenario key or KPI, and ``where`` it points (a key; '' for the run)."""

    code: str
    message: str
    where: str = ""

    def as_json(self) -> dict[str, str]:
        """``{"code", "message"}``, as the JSON output lists it."""
        return {"code": self.code, "message": self.message}


def _share_sums(scenario: Scenario) -> Iterator[tuple[str, float]]:
    """``(key, sum)`` of every list of shares (or weights) the engine normalises."""
    yield "triage.disposition", sum(scenario.triage.disposition.weights())
    clinical = scenario.clinical
    if scenario.clinicians:  # without clinicians the clinical stage never runs
        yield "clinical.disposition", sum(clinical.disposition.weights())
        yield "clinical.priorities", sum(p.share for p in clinical.priorities)
        if clinical.callers_may_stop_waiting:
            yield "clinical.waiting.then", sum(clinical.waiting.then.weights())
            for k, p in enumerate(clinical.priorities):
                if p.when_patience_runs_out is not None:
                    key = f"clinical.priorities.{k}.when_patience_runs_out"
                    yield key, sum(p.when_patience_runs_out.weights())
    for k, service in enumerate(scenario.downstream):
        yield f"downstream.{k}.classes", sum(c.share for c in service.classes)


def normalised_shares(
    scenario: Scenario, prefix: str = "", key_prefix: str = ""
) -> list[PlannerWarning]:
    """A warning for each list of shares not adding up to 1 (the engine rescales it).

    ``prefix`` starts each message (an area's name), ``key_prefix`` each key (``areas.3.``).
    """
    out = []
    for key, total in _share_sums(scenario):
        if abs(total - 1) > SHARE_TOLERANCE:
            out.append(
                PlannerWarning(
                    "shares-normalised",
                    f"{prefix}{key}: the shares add up to {total:g}, not 1; each was divided "
                    f"by {total:g} (normalised to 1)",
                    key_prefix + key,
                )
            )
    return out


def _nobody(group: StaffGroup) -> bool:
    """Whether ``group`` rosters no one on any day, whatever its date or day type."""
    scales = [group.roster_scale, *(c.roster_scale for c in group.staffing_changes)]
    if group.count is not None:
        return all(scaled_count(group.count, s) == 0 for s in scales)
    for day_type in DAY_TYPES:
        worked = [s for s in group.shifts if day_type in s.day_types]
        counts = tuple(s.count for s in worked)
        durations = tuple(s.duration_min for s in worked)
        if any(any(scaled_counts(counts, durations, s)) for s in scales):
            return False
    return True


def nobody_rostered(
    scenario: Scenario, prefix: str = "", key_prefix: str = ""
) -> list[PlannerWarning]:
    """A warning for advisors (or a clinician group needed) with no one rostered at all."""
    groups: list[tuple[str, StaffGroup, str]] = [
        ("advisors", scenario.advisors, "no call will be answered")
    ]
    needs_clinicians = scenario.triage.clinical_share > 0 or any(
        v is not None and v > 0 for v in vars(scenario.triage.clinical_share_by_day_type).values()
    )
    if needs_clinicians:
        groups += [
            (f"clinicians.{k}", g, f"{g.name} will make no call-back")
            for k, g in enumerate(scenario.clinicians)
        ]
    out = []
    for key, group, lost in groups:
        if _nobody(group):
            how = (
                f"roster_scale = {group.roster_scale:g}"
                if group.roster_scale == 0
                else ("count = 0" if group.count is not None else "every shift has count = 0")
            )
            out.append(
                PlannerWarning(
                    "nobody-rostered",
                    f"{prefix}{key}: {how}, so no one is rostered: {lost}",
                    f"{key_prefix}{key}",
                )
            )
    return out


def short_run(scenario: Scenario) -> list[PlannerWarning]:
    """A warning when the run is shorter than a day (part of the day's pattern only)."""
    run = scenario.run
    if run.horizon_min >= MINUTES_PER_DAY:
        return []
    return [
        PlannerWarning(
            "short-run",
            f"run lasts {run.length_text}, less than a day: its KPIs cover part of the "
            "daily pattern of calls and rosters only, not a day or a week",
            "run",
        )
    ]


def target_warnings(scenario: Scenario, keys: Iterable[str] | None = None) -> list[PlannerWarning]:
    """A warning for each target of ``scenario`` that no staffing can meet."""
    return [
        PlannerWarning("unattainable-target", text, f"targets.{key}")
        for key, text in unattainable(scenario, None if keys is None else set(keys))
    ]


def sharing_warnings(scenario: Scenario) -> list[PlannerWarning]:
    """A warning for each ``[sharing]`` setting that can change nothing in ``scenario``."""
    sharing = scenario.sharing
    if len(scenario.areas) < 2:  # [sharing] without [[areas]] is refused at load
        if sharing == Sharing() or not scenario.areas:
            return []
        text = "[sharing] is set, but the scenario has one area: there is no one to share with"
        return [PlannerWarning("sharing-unused", text, "sharing")]
    out = []
    pools = pool_keys(scenario.areas, sharing.advisors)
    if sharing.prefer_own_area_s > 0 and len(set(pools)) == len(pools):
        text = (
            f"sharing.prefer_own_area_s = {sharing.prefer_own_area_s:g}: no advisor pool "
            f"holds two areas (advisors = {sharing.advisors!r}), so no advisor has another "
            "area's calls to put second: it changes nothing"
        )
        out.append(PlannerWarning("sharing-unused", text, "sharing.prefer_own_area_s"))
    if sharing.mutual_aid is not None and len(set(pools)) == 1:
        text = (
            f"sharing.mutual_aid: every area is in one advisor pool (advisors = "
            f"{sharing.advisors!r}), and mutual aid sends a call only outside its own pool: "
            "it sends none (its KPIs stay 0)"
        )
        out.append(PlannerWarning("sharing-unused", text, "sharing.mutual_aid"))
    line = sharing.contingency
    if line is not None and not any(
        rule.provider == line for area in scenario.area_scenarios for rule in area.overflow
    ):
        text = (
            f"sharing.contingency = {line!r}: no [[overflow]] rule sends calls to it, so the "
            "line takes no calls (add one naming it), yet it runs every area together"
        )
        out.append(PlannerWarning("sharing-unused", text, "sharing.contingency"))
    return out


def data_warnings(scenario: Scenario) -> list[PlannerWarning]:
    """Every data-only warning of ``scenario``, each area's under its name (once each)."""
    base = normalised_shares(scenario)
    out = [*short_run(scenario), *target_warnings(scenario), *sharing_warnings(scenario), *base]
    if not scenario.areas:
        return out + nobody_rostered(scenario)
    said = {w.message for w in base}
    sharing = scenario.sharing
    alone = {  # staff answering their own area's calls only: with no one, no one answers
        "advisors": sharing.advisors == "area" and sharing.mutual_aid is None,
        "clinicians": sharing.clinicians == "area",
    }

    def own(key: str) -> bool:
        return alone[key.split(".")[2]]

    for k, area in enumerate(scenario.area_scenarios):  # the base itself is not run
        prefix, keys = f"areas.{k} ({area.name}): ", f"areas.{k}."
        out += [w for w in nobody_rostered(area, prefix, keys) if own(w.where)]
        shares = normalised_shares(area, prefix, keys)
        out += [w for w in shares if w.message[len(prefix) :] not in said]
    return unique(out)


def unique(warnings: Iterable[PlannerWarning]) -> list[PlannerWarning]:
    """``warnings`` without repeats, in order."""
    return list(dict.fromkeys(warnings))
