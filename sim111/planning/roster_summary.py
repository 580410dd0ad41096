"""A roster as a manager reads it: people on duty by half-hour and day type, and a header.

:func:`headcount_by_half_hour` is the table (one row per half-hour, one column
per staff group and day type), ready for a heat-map; :func:`headcount_text`
prints it; :func:`roster_header` says in words what a staffed roster was
asked for and what it achieved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim111.engine.calendar import run_days
from sim111.engine.roster import rostered_count, shift_blocks
from sim111.kpi_keys import kpi_info
from sim111.planning.targets import SLOT_MIN, SLOTS_PER_DAY
from sim111.scenario import DAY_TYPES, Scenario, StaffGroup
from sim111.scenario.shift_rules import ShiftRules
from sim111.scenario.targets import kpi_targets
from sim111.units import clock_text

if TYPE_CHECKING:
    from sim111.planning.staffing import StaffingResult

ADVISORS = "health advisors"
HEADCOUNT_TITLE = "People on duty by half-hour (rostered; mean over the run's days of each type)"


def staff_groups(scenario: Scenario) -> dict[str, StaffGroup]:
    """The scenario's staff groups by the name reports give them (advisors first)."""
    return {ADVISORS: scenario.advisors, **{g.name: g for g in scenario.clinicians}}


def headcount_by_half_hour(scenario: Scenario) -> pd.DataFrame:
    """People rostered at the start of each half-hour, by staff group and day type.

    Index ``time`` (``"00:00"`` to ``"23:30"``); columns a MultiIndex (group, day
    type) of the day types the run has, in :data:`~sim111.vocabulary.DAY_TYPES`
    order. Each value is the mean over the run's days of that type (a night
    shift counts on the day it reaches into, so Monday's small hours hold
    Sunday's night shift), with each day's roster scale and dated changes applied.
    """
    run = scenario.run
    days = run_days(run.start_date, run.calendar_days)
    types = [d for d in DAY_TYPES if any(day.day_type == d for day in days)]
    offsets = np.arange(SLOTS_PER_DAY) * SLOT_MIN
    columns: dict[tuple[str, str], np.ndarray] = {}
    for name, group in staff_groups(scenario).items():
        blocks = shift_blocks(group, run.start_date, run.calendar_days)
        by_day = {d.index: rostered_count(blocks, d.start_min + offsets) for d in days}
        for day_type in types:
            rows = [by_day[d.index] for d in days if d.day_type == day_type]
            columns[(name, day_type)] = np.mean(rows, axis=0)
    frame = pd.DataFrame(columns, index=pd.Index([clock_text(int(m)) for m in offsets]))
    frame.index.name = "time"
    frame.columns.names = ["group", "day_type"]
    return frame


def _people(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def headcount_text(frame: pd.DataFrame) -> str:
    """:func:`headcount_by_half_hour` as a plain-text table, one block of columns per group."""
    groups = list(dict.fromkeys(frame.columns.get_level_values(0)))
    width = max(len(str(d)) for d in frame.columns.get_level_values(1)) + 1
    blocks = {g: list(frame[g].columns) for g in groups}
    spans = {g: max(len(g), width * len(blocks[g])) for g in groups}
    top = "time  " + " | ".join(g.rjust(spans[g]) for g in groups)
    second = "      " + " | ".join(
        "".join(str(d).replace("_", " ").rjust(width) for d in blocks[g]).rjust(spans[g])
        for g in groups
    )
    lines = [HEADCOUNT_TITLE, top, second, "-" * len(second)]
    for time, row in frame.iterrows():
        cells = [
            "".join(_people(row[(g, d)]).rjust(width) for d in blocks[g]).rjust(spans[g])
            for g in groups
        ]
        lines.append(f"{time}  " + " | ".join(cells))
    return "\n".join(lines)


def headcount_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`headcount_by_half_hour` for a CSV: columns time, group, then one per day type."""
    parts = []
    for group in dict.fromkeys(frame.columns.get_level_values(0)):
        part = frame[group].reset_index()
        part.insert(1, "group", group)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.columns.name = None
    return out


def _share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def result_text(scenario: Scenario, means: Mapping[str, float]) -> list[str]:
    """Each target of ``scenario`` in words, with its mean: ``95.3% answered within 60 s
    (of answered) (target >= 95%)``; then cost per answered call and total cost if costed."""
    parts = [
        f"{_share(means.get(key, math.nan))} {kpi_info(key).label[0].lower()}"
        f"{kpi_info(key).label[1:]} (target {target.text()})"
        for key, target in kpi_targets(scenario).items()
    ]
    if "cost_per_call_gbp" in means and not math.isnan(means["cost_per_call_gbp"]):
        parts.append(
            f"£{means['cost_per_call_gbp']:,.2f} per answered call "
            f"(£{means['total_cost_gbp']:,.0f} for the {scenario.run.length_text})"
        )
    return parts


def roster_header(
    found: StaffingResult, met: bool, base: str, targets: str, command: str, when: str
) -> str:
    """What a staffed roster is, in words: the base scenario, the ``targets`` (as the
    command words them: which were steered to), the result, the shift lines and rules,
    and the command and time that made it."""
    scenario, result = found.scenario, found.result
    means = {k: float(v) for k, v in result.summary["mean"].items()}
    groups = staff_groups(scenario)
    lines = ", ".join(f"{len(g.shifts)} {name}" for name, g in groups.items() if g.shifts)
    rules = "; ".join(
        f"{name}: {(g.shift_rules or ShiftRules()).text()}" for name, g in groups.items()
    )
    verdict = "all targets met" if met else "targets NOT met"
    return "\n".join(
        [
            f"{scenario.name}: the roster sim111 staff found for {base} on {when}.",
            f"Command: {command}",
            f"Targets: {targets}",
            f"Result ({verdict} after {found.iterations} iteration(s); mean of "
            f"{result.replications} replications, {scenario.run.length_text} from "
            f"{scenario.run.start_date}, seed {result.seed}):",
            *(f"  {part}" for part in result_text(scenario, means)),
            f"Shift lines: {lines}.",
            f"Shift rules: {rules}.",
            *([f"Note: {found.note}."] if found.note else []),
        ]
    )
