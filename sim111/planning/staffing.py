"""The cheapest roster that meets the KPIs: formula, integer programme, simulation.

1. **Requirements.** For every half-hour of every run day, the fewest people
   that meet the target in steady state at that half-hour's expected demand:
   Erlang-A for health advisors (answered within 60 s, with the callers'
   mean patience), Erlang-C for clinicians (call-backs within 10 min).
2. **Shift covering.** An integer programme (``scipy.optimize.milp``, HiGHS)
   chooses how many people start a shift of each allowed length at each
   half-hour, separately for each day type, so that every half-hour of every
   run day is covered at least cost, with unsocial-hours uplifts priced in
   (shifts are costed on the days they are actually worked).
3. **Simulation check.** The roster is simulated; half-hours that miss the
   target on average get one more person, and the programme is solved again,
   until the run-level KPIs meet their targets at the lower end of their 95%
   confidence interval (or the iteration limit is reached).

Pointwise-stationary formulas are poor when service times are 10-20 minutes
(Green et al. 2007): step 3 is what makes the answer trustworthy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from sim111.engine.calendar import run_days
from sim111.engine.demand import cumulative_intensity
from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.measures.analytic import erlang_a, erlang_c
from sim111.measures.costs import hourly_rate_gbp, uplift_by_minute
from sim111.scenario import (
    DAY_TYPES,
    MINUTES_PER_DAY,
    Scenario,
    Shift,
    StaffGroup,
    scenario_from_data,
)

log = logging.getLogger(__name__)

SLOT_MIN = 30
SLOTS_PER_DAY = MINUTES_PER_DAY // SLOT_MIN
MAX_PEOPLE = 10_000


@dataclass(frozen=True)
class StaffingTargets:
    """What the roster must achieve (fractions) and how hard to try."""

    answered_within_60s: float = 0.95
    abandoned_after_30s: float = 0.05
    callback_within_10min: float = 0.80
    shift_lengths_h: tuple[float, ...] = (4.0, 6.0, 8.0, 10.0)
    replications: int = 10
    max_iterations: int = 8
    seed: int = 1


def _slot_rates_per_hour(scenario: Scenario) -> np.ndarray:
    """Expected first-attempt calls per hour in each half-hour of each run day."""
    run = scenario.run
    days = run_days(run.start_date, run.days)
    t, cum = cumulative_intensity(scenario.demand, days, np.ones(len(days)))
    edges = np.arange(run.days * SLOTS_PER_DAY + 1, dtype=float) * SLOT_MIN
    per_slot = np.diff(np.interp(edges, t, cum))
    return per_slot.reshape(run.days, SLOTS_PER_DAY) * (60 / SLOT_MIN)


def _smallest(meets: Callable[[int], bool], start: int) -> int:
    n = max(start, 0)
    while not meets(n):
        n += 1
        if n > MAX_PEOPLE:
            raise ValueError("no staffing up to 10,000 people meets the target")
    return n


def advisor_requirements(scenario: Scenario, targets: StaffingTargets) -> np.ndarray:
    """Erlang-A advisors needed per (run day, half-hour)."""
    triage = scenario.triage
    handle = scenario.advisors.handle_time.mean_min
    if triage.untriaged_handle_time is not None:
        handle = (
            triage.triaged_share * handle
            + (1 - triage.triaged_share) * triage.untriaged_handle_time.mean_min
        )
    patience = scenario.callers.patience.mean_min
    rates = _slot_rates_per_hour(scenario)
    out = np.zeros(rates.shape, dtype=int)
    cache: dict[float, int] = {}

    def meets(rate: float, n: int) -> bool:
        if n == 0:
            return False
        m = erlang_a(rate, handle, patience, n)
        return (
            m.p_abandon <= targets.abandoned_after_30s
            and m.answered_within(60) >= targets.answered_within_60s
        )

    for idx, rate in np.ndenumerate(rates):
        key = round(float(rate), 6)
        if key not in cache:
            load = rate * handle / 60
            cache[key] = 0 if rate <= 0 else _smallest(partial(meets, float(rate)), int(load))
        out[idx] = cache[key]
    return out


def clinician_requirements(scenario: Scenario, targets: StaffingTargets) -> np.ndarray:
    """Erlang-C clinicians needed per (run day, half-hour) for call-backs in 10 min."""
    if not scenario.clinicians:
        return np.zeros((scenario.run.days, SLOTS_PER_DAY), dtype=int)
    ceiling = 1 - scenario.clinical.callback_no_answer_share
    if targets.callback_within_10min > ceiling:
        raise ValueError(
            f"a call-back target of {targets.callback_within_10min:.0%} within 10 min is out of "
            f"reach: {scenario.clinical.callback_no_answer_share:.0%} of first attempts go "
            f"unanswered and are retried later, so at most {ceiling:.0%} can be met"
        )
    consult = scenario.clinicians[0].handle_time.mean_min
    days = run_days(scenario.run.start_date, scenario.run.days)
    share = np.array([scenario.triage.clinical_share_on(d.day_type) for d in days])
    rates = _slot_rates_per_hour(scenario) * share[:, None]
    out = np.zeros(rates.shape, dtype=int)

    def meets(rate: float, n: int) -> bool:
        return (
            n > rate * consult / 60
            and erlang_c(rate, consult, n).answered_within(600) >= targets.callback_within_10min
        )

    for idx, rate in np.ndenumerate(rates):
        if rate > 0:
            out[idx] = _smallest(partial(meets, float(rate)), int(rate * consult / 60))
    return out


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift of ``length_min`` starting at ``start_min`` after midnight on ``day_type``."""

    day_type: str
    start_min: int
    length_min: int


def shift_templates(day_types: set[str], lengths_h: tuple[float, ...]) -> list[ShiftTemplate]:
    """Every allowed (day type, start half-hour, length) combination."""
    return [
        ShiftTemplate(d, s * SLOT_MIN, round(h * 60))
        for d in DAY_TYPES
        if d in day_types
        for s in range(SLOTS_PER_DAY)
        for h in lengths_h
    ]


def cover_requirements(
    requirement: np.ndarray,
    day_types: list[str],
    templates: list[ShiftTemplate],
    cost_of: Callable[[ShiftTemplate, int], float],
) -> np.ndarray:
    """Integer programme: how many people on each template, at least cost.

    ``requirement[k, j]`` people are needed in half-hour ``j`` of run day ``k``
    (``day_types[k]`` its type; ``day_types[-1]`` is the day before the run);
    ``cost_of(template, k)`` is the cost of one
    person working that template on day ``k`` (``k = -1``: the day before the
    run, whose night shifts reach into it). Returns counts per template.
    """
    n_days, n_slots = requirement.shape
    n_vars = len(templates)
    rows = n_days * n_slots
    cover = np.zeros((rows, n_vars))
    cost = np.zeros(n_vars)
    for v, tpl in enumerate(templates):
        first, n = tpl.start_min // SLOT_MIN, tpl.length_min // SLOT_MIN
        for k in range(-1, n_days):
            if day_types[k] != tpl.day_type:  # day_types[-1] is the lead day
                continue
            if k >= 0:
                cost[v] += cost_of(tpl, k)
            slots = k * n_slots + first + np.arange(n)
            slots = slots[(slots >= 0) & (slots < rows)]
            cover[slots, v] += 1
    needed = requirement.reshape(-1).astype(float)
    result = milp(
        c=cost,
        constraints=LinearConstraint(cover, lb=needed, ub=np.inf),
        integrality=np.ones(n_vars),
        bounds=Bounds(0, np.inf),
        options={"time_limit": 60.0},
    )
    if result.x is None:
        raise ValueError(f"the shift-covering programme failed: {result.message}")
    return np.round(result.x).astype(int)


def _template_cost(group: StaffGroup, scenario: Scenario) -> Callable[[ShiftTemplate, int], float]:
    run, costs = scenario.run, scenario.costs
    if group.pay is None:
        return lambda tpl, k: tpl.length_min / 60  # cheapest by hours when unpaid
    uplift = uplift_by_minute(group.pay, run.start_date, run.days + 1)  # +1: spill past the end
    cum = np.concatenate([[0.0], np.cumsum(1 + uplift)])
    rate = hourly_rate_gbp(group.pay, costs) * (1 + costs.on_cost_share) / (1 - costs.shrinkage)

    def cost(tpl: ShiftTemplate, k: int) -> float:
        start = k * MINUTES_PER_DAY + tpl.start_min
        end = min(start + tpl.length_min, run.days * MINUTES_PER_DAY)  # paid inside the run
        return rate * (cum[end] - cum[start]) / 60

    return cost


def roster_from_counts(templates: list[ShiftTemplate], counts: np.ndarray) -> tuple[Shift, ...]:
    """Scenario shifts for the templates with people on them."""
    shifts = []
    for tpl, n in zip(templates, counts, strict=True):
        if n <= 0:
            continue
        end = (tpl.start_min + tpl.length_min) % MINUTES_PER_DAY
        start_text = f"{tpl.start_min // 60:02d}:{tpl.start_min % 60:02d}"
        end_text = f"{end // 60:02d}:{end % 60:02d}"
        shifts.append(
            Shift(
                start=start_text,
                end=end_text,
                count=int(n),
                day_types=(tpl.day_type,),
                name=f"{tpl.day_type} {start_text} {tpl.length_min / 60:g}h",
            )
        )
    return tuple(shifts)


@dataclass
class StaffingResult:
    """The staffed scenario, its simulated result and how it was found."""

    scenario: Scenario
    result: ExperimentResult
    iterations: int
    met: bool
    history: list[dict[str, float]] = field(default_factory=list)
    note: str = ""


def _checks(
    summary: pd.DataFrame, targets: StaffingTargets, clinicians: bool
) -> list[tuple[str, float, float, float, bool]]:
    """(KPI, mean, worst end of the CI, target, higher is better) for each target."""
    rows = [
        ("answered_within_60s", targets.answered_within_60s, True),
        ("abandoned_after_30s", targets.abandoned_after_30s, False),
    ]
    if clinicians:
        rows.append(("callback_within_10min", targets.callback_within_10min, True))
    out = []
    for key, target, higher in rows:
        row = summary.loc[key]
        worst = row["ci_low"] if higher else row["ci_high"]
        out.append((key, float(row["mean"]), float(worst), target, higher))
    return out


def _ok(value: float, target: float, higher: bool) -> bool:
    return bool(value >= target if higher else value <= target)


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


def staff(
    scenario: Scenario,
    targets: StaffingTargets | None = None,
    clinicians: bool = True,
    workers: int = 1,
) -> StaffingResult:
    """Find the cheapest roster of advisors (and of clinician group 0) meeting ``targets``."""
    targets = targets or StaffingTargets()
    run = scenario.run
    days = [d.day_type for d in run_days(run.start_date, run.days)]
    lead_type = run_days(run.start_date, 0, lead_days=1)[0].day_type
    day_types_all = [*days, lead_type]  # index -1 is the lead day
    templates = shift_templates(set(day_types_all), targets.shift_lengths_h)
    staff_clinicians = clinicians and bool(scenario.clinicians)
    need_a = advisor_requirements(scenario, targets)
    need_c = clinician_requirements(scenario, targets) if staff_clinicians else None
    history: list[dict[str, float]] = []
    current = scenario
    result: ExperimentResult | None = None
    for iteration in range(1, targets.max_iterations + 1):
        counts = cover_requirements(
            need_a, day_types_all, templates, _template_cost(scenario.advisors, scenario)
        )
        data = current.to_data()
        data["advisors"].pop("count", None)
        data["advisors"]["shifts"] = [_shift_data(s) for s in roster_from_counts(templates, counts)]
        if need_c is not None:
            group = scenario.clinicians[0]
            c_counts = cover_requirements(
                need_c, day_types_all, templates, _template_cost(group, scenario)
            )
            data["clinicians"][0].pop("count", None)
            data["clinicians"][0]["shifts"] = [
                _shift_data(s) for s in roster_from_counts(templates, c_counts)
            ]
        current = scenario_from_data(data, f"{scenario.name} (staffed)")
        result = run_experiment(current, targets.replications, targets.seed, workers=workers)
        checks = _checks(result.summary, targets, staff_clinicians)
        met = all(_ok(worst, target, higher) for _, _, worst, target, higher in checks)
        history.append(
            {"iteration": iteration, **{k: mean for k, mean, *_ in checks}, "met": float(met)}
        )
        if "total_cost_gbp" in result.summary.index:
            history[-1]["total_cost_gbp"] = float(result.summary.loc["total_cost_gbp", "mean"])
        log.info("staffing iteration %d: %s", iteration, history[-1])
        if met:
            return StaffingResult(current, result, iteration, True, history)
        more_a = _missed_slots(result, "answered_within_60s", targets.answered_within_60s, run.days)
        more_c = np.zeros_like(more_a)
        if need_c is not None:
            # Clinicians control when a call-back is first tried; unanswered first
            # attempts are retried later whatever the staffing.
            ceiling = 1 - scenario.clinical.callback_no_answer_share
            more_c = _missed_slots(
                result,
                "callback_first_attempt_within_10min",
                targets.callback_within_10min / ceiling,
                run.days,
            )
            need_c = need_c + more_c
        need_a = need_a + more_a
        if not more_a.any() and not more_c.any():
            note = (
                "no half-hour misses its target on average, so more people would not help; "
                "the run-level intervals are too wide: run more replications"
            )
            return StaffingResult(current, result, iteration, False, history, note)
    assert result is not None
    note = f"targets not met after {targets.max_iterations} iterations"
    return StaffingResult(current, result, targets.max_iterations, False, history, note)


def _shift_data(shift: Shift) -> dict[str, object]:
    return {
        "name": shift.name,
        "start": shift.start,
        "end": shift.end,
        "count": shift.count,
        "day_types": list(shift.day_types),
    }
