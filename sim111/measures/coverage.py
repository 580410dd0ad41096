"""Hours with calls and no one on duty to take them, before anything runs.

For each half-hour of the run, the calls expected then (the engine's demand
before its random day factor, :mod:`sim111.engine.demand`) against who is on
duty at some moment of it (the engine's rosters, :mod:`sim111.engine.roster`).
A half-hour with calls and no advisor on duty, and no overflow rule sending
calls to a provider with staff on duty then, is a gap: its calls wait for the
next shift or hang up. Clinicians the same, on day types with a clinical share
and unless the backlog rules can bring someone in (overtime or escalation).
With ``[[areas]]``, staff answer the calls of their pool (``[sharing]``, and
any area's with mutual aid). The gaps come back as planner warnings, their
hours told compactly: "no advisor on duty 16:00-08:00 on weekdays".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim111.engine.calendar import Day, run_days
from sim111.engine.demand import BIN_MIN, BINS_PER_DAY, day_shares, expected_calls_per_day
from sim111.engine.roster import shift_blocks
from sim111.scenario import Scenario, StaffGroup
from sim111.scenario.areas import pool_keys
from sim111.scenario.warnings import PlannerWarning
from sim111.units import MINUTES_PER_HOUR, per_minute

DAY_TYPE_PLURALS = {
    "weekday": "weekdays",
    "saturday": "Saturdays",
    "sunday": "Sundays",
    "bank_holiday": "bank holidays",
}


def expected_calls(scenario: Scenario, days: Sequence[Day]) -> np.ndarray:
    """Expected calls per half-hour, ``(days, 48)``, before the random day factor.

    Half-hours after the end of the run (a run given in hours) expect none.
    """
    demand = scenario.demand
    if demand.kind == "stationary":
        assert demand.calls_per_hour is not None
        calls = np.full((len(days), BINS_PER_DAY), per_minute(demand.calls_per_hour) * BIN_MIN)
    else:
        per_day = expected_calls_per_day(demand, tuple(days))
        dated = {d.date: e for e in demand.dates for d in days if e.date <= d.date <= e.last_date}
        calls = np.array(
            [per_day[k] * day_shares(demand, day, dated) for k, day in enumerate(days)]
        )
    starts = _bin_starts_min(len(days))
    inside = np.clip((scenario.run.horizon_min - starts) / BIN_MIN, 0, 1)
    return calls * inside


def _bin_starts_min(n_days: int) -> np.ndarray:
    """Run minute at which each half-hour starts, ``(days, 48)``."""
    return np.arange(n_days * BINS_PER_DAY, dtype=float).reshape(n_days, BINS_PER_DAY) * BIN_MIN


def on_duty(group: StaffGroup, scenario: Scenario, n_days: int) -> np.ndarray:
    """Whether someone of ``group`` is on duty at some moment of each half-hour, ``(days, 48)``."""
    n_bins = n_days * BINS_PER_DAY
    blocks = shift_blocks(group, scenario.run.start_date, n_days)
    starts = np.array([b.start_min for b in blocks], dtype=float)
    ends = np.minimum([b.end_min for b in blocks], n_bins * BIN_MIN)
    # half-hour k overlaps [start, end) when k * BIN_MIN < end and (k + 1) * BIN_MIN > start
    first = np.clip(np.floor(starts / BIN_MIN), 0, n_bins).astype(int)
    last = np.clip(np.ceil(ends / BIN_MIN), 0, n_bins).astype(int)  # exclusive
    steps = np.zeros(n_bins + 1, dtype=int)
    np.add.at(steps, first, 1)
    np.add.at(steps, last, -1)
    return (np.cumsum(steps)[:n_bins] > 0).reshape(n_days, BINS_PER_DAY)


def _in_window(start_min: int, end_min: int) -> np.ndarray:
    """Which half-hours of a day overlap the clock window (end before start: overnight)."""
    starts = np.arange(BINS_PER_DAY) * BIN_MIN
    ends = starts + BIN_MIN
    if start_min < end_min:
        return (starts < end_min) & (ends > start_min)
    if start_min == end_min:
        return np.ones(BINS_PER_DAY, dtype=bool)
    return (ends > start_min) | (starts < end_min)


def overflow_cover(scenario: Scenario, days: Sequence[Day]) -> np.ndarray:
    """Half-hours in which an overflow rule may send calls to a provider with staff on duty."""
    out = np.zeros((len(days), BINS_PER_DAY), dtype=bool)
    providers = {p.name: p for p in scenario.providers}
    for rule in scenario.overflow:
        staffed = on_duty(providers[rule.provider], scenario, len(days))
        window = _in_window(*rule.window_min)
        applies = np.array([d.day_type in rule.day_types for d in days])
        out |= staffed & window[None, :] & applies[:, None]
    return out


def advisor_cover(scenario: Scenario, days: Sequence[Day]) -> np.ndarray:
    """Half-hours with an advisor on duty, or an overflow provider to send calls to."""
    return on_duty(scenario.advisors, scenario, len(days)) | overflow_cover(scenario, days)


def clinician_need(scenario: Scenario, days: Sequence[Day]) -> np.ndarray:
    """Days whose calls go to clinicians with no one to bring in when none is on duty."""
    backlog = scenario.clinical.backlog
    if not scenario.clinicians or backlog.overtime or backlog.escalates:
        return np.zeros(len(days), dtype=bool)
    return np.array([scenario.triage.clinical_share_on(d.day_type) > 0 for d in days])


def clinician_cover(scenario: Scenario, days: Sequence[Day]) -> np.ndarray:
    """Half-hours with a clinician of some group on duty."""
    out = np.zeros((len(days), BINS_PER_DAY), dtype=bool)
    for group in scenario.clinicians:
        out |= on_duty(group, scenario, len(days))
    return out


def clock(minute: int) -> str:
    """``HH:MM`` of a minute of the day (1440: ``24:00``)."""
    return f"{minute // MINUTES_PER_HOUR:02d}:{minute % MINUTES_PER_HOUR:02d}"


def hours_text(bins: Sequence[int]) -> str:
    """Half-hours of a day as clock ranges, one over midnight joined: ``16:00-08:00``."""
    if len(bins) == BINS_PER_DAY:
        return "all day"
    runs: list[list[int]] = []
    for b in sorted(bins):
        if runs and b == runs[-1][1]:
            runs[-1][1] = b + 1
        else:
            runs.append([b, b + 1])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][1] == BINS_PER_DAY:
        runs[0][0] = runs.pop()[0] - BINS_PER_DAY
    return ", ".join(f"{clock((a % BINS_PER_DAY) * BIN_MIN)}-{clock(b * BIN_MIN)}" for a, b in runs)


def _date_text(dates: list[Day]) -> str:
    if len(dates) <= 3:
        return ", ".join(str(d.date) for d in dates)
    return f"{dates[0].date}..{dates[-1].date} ({len(dates)} days)"


def gaps_text(gaps: np.ndarray, days: Sequence[Day]) -> str:
    """The half-hours of ``gaps`` (``(days, 48)``) as ranges by day type, compactly.

    Days of one type with the same gaps are told once ("on weekdays"); when only
    some days of a type have them, their dates are named instead.
    """
    groups: dict[tuple[str, tuple[int, ...]], list[Day]] = {}
    for k, day in enumerate(days):
        bins = tuple(int(b) for b in np.flatnonzero(gaps[k]))
        if bins:
            groups.setdefault((day.day_type, bins), []).append(day)
    by_hours: dict[str, list[str]] = {}
    for (day_type, bins), these in groups.items():
        every = len(these) == sum(d.day_type == day_type for d in days)
        name = DAY_TYPE_PLURALS[day_type] if every else _date_text(these)
        by_hours.setdefault(hours_text(bins), []).append(name)
    parts = []
    kinds = {d.day_type for d in days}
    for hours, names in by_hours.items():
        if len(names) == len(kinds) and set(names) == {DAY_TYPE_PLURALS[t] for t in kinds}:
            parts.append(f"{hours} every day")
        else:
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{hours} on {joined}")
    return "; ".join(parts)


GAP_KINDS = (  # code, who, key, what happens to the calls then
    ("no-advisor-on-duty", "advisor", "advisors", "they wait for the next shift or hang up"),
    (
        "no-clinician-on-duty",
        "clinician",
        "clinicians",
        "their call-backs wait for the next clinician's shift",
    ),
)


def _gap_warning(
    kind: int, gaps: np.ndarray, calls: np.ndarray, days: Sequence[Day], prefix: str, where: str
) -> list[PlannerWarning]:
    """The warning of one kind of gap, or none."""
    if not gaps.any():
        return []
    code, who, _, then = GAP_KINDS[kind]
    share = float(calls[gaps].sum() / calls.sum())
    return [
        PlannerWarning(
            code,
            f"{prefix}no {who} on duty {gaps_text(gaps, days)}, when {100 * share:.3g}% of "
            f"the run's expected calls arrive: {then} ({where})",
            where,
        )
    ]


def _pools(scenario: Scenario, level: str) -> list[tuple[list[int], str, str]]:
    """``(area indices, prefix, key prefix)`` of each pool of areas sharing staff at ``level``."""
    areas = scenario.areas
    pools: dict[str, list[int]] = {}
    for k, key in enumerate(pool_keys(areas, level)):
        pools.setdefault(key, []).append(k)
    out = []
    for key, members in pools.items():
        if len(members) == 1:
            k = members[0]
            out.append((members, f"areas.{k} ({areas[k].name}): ", f"areas.{k}."))
        elif len(members) == len(areas):
            out.append((members, f"all {len(areas)} areas together: ", ""))
        else:
            names = ", ".join(areas[k].name for k in members)
            out.append((members, f"{level} {key} (areas {names}): ", ""))
    return out


def coverage_warnings(scenario: Scenario) -> list[PlannerWarning]:
    """A warning for the half-hours with calls and no advisor (clinician) on duty.

    With ``[[areas]]``, per pool of areas whose staff answer each other's calls.
    """
    run = scenario.run
    days = run_days(run.start_date, run.calendar_days)
    parts = scenario.area_scenarios or (scenario,)
    calls = [expected_calls(s, days) for s in parts]
    clinical = [c * clinician_need(s, days)[:, None] for c, s in zip(calls, parts, strict=True)]
    needs = (calls, clinical)
    covers = ([advisor_cover(s, days) for s in parts], [clinician_cover(s, days) for s in parts])
    sharing = scenario.sharing
    levels = ("all" if sharing.mutual_aid else sharing.advisors, sharing.clinicians)
    out: list[PlannerWarning] = []
    for kind in range(len(GAP_KINDS)):
        pools = _pools(scenario, levels[kind]) if scenario.areas else [([0], "", "")]
        for members, prefix, key_prefix in pools:
            need = np.sum([needs[kind][k] for k in members], axis=0)
            cover = np.logical_or.reduce([covers[kind][k] for k in members])
            gaps = (need > 0) & ~cover
            where = key_prefix + GAP_KINDS[kind][2]
            pool_calls = np.sum([calls[k] for k in members], axis=0)
            out += _gap_warning(kind, gaps, pool_calls, days, prefix, where)
    return out
