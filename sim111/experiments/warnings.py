"""Warnings for planners, all of them: a scenario's before it runs, a result's after.

:func:`scenario_warnings` gathers what a scenario's data says
(:mod:`sim111.scenario.warnings`) and the hours with calls and no one on duty
(:mod:`sim111.measures.coverage`). :func:`result_warnings` says what a finished
run says about itself: too few replications or intervals too wide to judge a
target by, no calls measured, or so many calls never answered that "answered
within 60 s" (a share of answered calls) is over a small part of the calls.
Nothing here prints or stops a run; the command line does (``--strict``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.experiments.sweep import SweepResult
from sim111.kpi_keys import kpi_info
from sim111.measures.coverage import coverage_warnings
from sim111.scenario import Scenario
from sim111.scenario.targets import kpi_targets
from sim111.scenario.warnings import PlannerWarning, data_warnings, unique

MIN_REPLICATIONS = 5  # fewer: the t-interval's width itself is too uncertain to plan on
MAX_HALF_WIDTH = 0.05  # a target KPI's 95% interval wider than +-5 points, across its
# target, cannot say whether the target is met (one well clear of it can)
ABANDONED_TIMES_TARGET = 2.0  # abandoned (all) above this times its target...
ABANDONED_FLOOR = 0.05  # ...and above this share of offered calls
NOBODY_COVERS = {"advisors": "no-advisor-on-duty", "clinicians": "no-clinician-on-duty"}


def scenario_warnings(scenario: Scenario) -> tuple[PlannerWarning, ...]:
    """Every warning ``scenario`` raises before it runs (none: ``()``).

    Hours with no one on duty are left out for a group that rosters no one at
    all: that warning says more.
    """
    data = data_warnings(scenario)
    nobody = {w.where for w in data if w.code == "nobody-rostered"}
    gaps = [
        w
        for w in coverage_warnings(scenario)
        if not (w.code == NOBODY_COVERS["advisors"] and w.where in nobody)
    ]
    return tuple(unique([*data, *gaps]))


def sweep_scenario_warnings(
    scenario: Scenario, points: Sequence[dict[str, Any]]
) -> tuple[PlannerWarning, ...]:
    """The base scenario's warnings, then each point's own (those the base does not raise)."""
    base = scenario_warnings(scenario)
    said = {w.message for w in base}
    out = list(base)
    for i, point in enumerate(points):
        at = scenario.with_overrides(point, source=f"sweep point {i} {point}")
        prefix = f"point {i} {point}: "
        out += [
            PlannerWarning(w.code, prefix + w.message, w.where)
            for w in scenario_warnings(at)
            if w.message not in said
        ]
    return tuple(out)


def _mean(summary: pd.DataFrame, key: str) -> float:
    if key not in summary.index:
        return math.nan
    return float(summary.loc[key, "mean"])


def _few(replications: int) -> list[PlannerWarning]:
    if replications >= MIN_REPLICATIONS:
        return []
    why = (
        "no confidence interval can be given"
        if replications < 2
        else "the 95% intervals are themselves uncertain"
    )
    return [
        PlannerWarning(
            "few-replications",
            f"only {replications} replication{'' if replications == 1 else 's'}: {why}; "
            f"run {MIN_REPLICATIONS} or more "
            "(-n) before judging a target",
            "run.replications",
        )
    ]


def _wide(scenario: Scenario, summary: pd.DataFrame, replications: int) -> list[PlannerWarning]:
    out = []
    for key, target in kpi_targets(scenario).items():
        if key not in summary.index or kpi_info(key).unit != "fraction":
            continue
        low, high = float(summary.loc[key, "ci_low"]), float(summary.loc[key, "ci_high"])
        half = (high - low) / 2
        if half > MAX_HALF_WIDTH and target.within(low, high):
            out.append(
                PlannerWarning(
                    "wide-interval",
                    f"the 95% interval of {kpi_info(key).label} is +-{100 * half:.1f} points "
                    f"with {replications} replications and holds the target "
                    f"({target.text()}): too wide to say whether it is met; run "
                    "more replications (-n) or a longer run",
                    key,
                )
            )
    return out


def _unanswered(scenario: Scenario, summary: pd.DataFrame) -> list[PlannerWarning]:
    offered = _mean(summary, "calls_offered")
    if not offered > 0:
        run = scenario.run
        return [
            PlannerWarning(
                "no-calls",
                f"no calls were offered after the warm-up (run.warmup_min = {run.warmup_min:g} "
                f"of {run.horizon_min:g} min): every KPI is empty",
                "run.warmup_min",
            )
        ]
    abandoned = _mean(summary, "abandoned")
    target = scenario.targets.abandoned_after_30s
    limit = max(ABANDONED_TIMES_TARGET * target, ABANDONED_FLOOR)
    if not abandoned > limit:
        return []
    answered = _mean(summary, "calls_answered") / offered
    within = _mean(summary, "answered_within_60s")
    shown = "" if math.isnan(within) else f" ({100 * within:.1f}%)"
    return [
        PlannerWarning(
            "calls-not-answered",
            f"{100 * abandoned:.1f}% of offered calls were abandoned (target for abandoned "
            f"after 30 s: at most {100 * target:.3g}%): 'Answered within 60 s'{shown} is a "
            f"share of the {100 * answered:.1f}% of calls answered, not of all calls",
            "abandoned",
        )
    ]


def summary_warnings(
    scenario: Scenario, summary: pd.DataFrame, replications: int
) -> list[PlannerWarning]:
    """The warnings a summary (indexed by KPI key) of ``replications`` gives."""
    return [
        *_few(replications),
        *_wide(scenario, summary, replications),
        *_unanswered(scenario, summary),
    ]


def result_warnings(result: ExperimentResult) -> tuple[PlannerWarning, ...]:
    """Every warning a finished run raises about itself (none: ``()``)."""
    if result.replications == 0:
        return ()
    return tuple(summary_warnings(result.scenario, result.summary, result.replications))


def sweep_result_warnings(scenario: Scenario, result: SweepResult) -> tuple[PlannerWarning, ...]:
    """Each point's result warnings, told once if every point raises the same."""
    if result.kpis.empty:
        return ()
    counts = result.kpis.groupby("point").size()
    out: list[PlannerWarning] = []
    for i, point in enumerate(result.points):
        rows = result.summary[result.summary["point"] == i]
        if rows.empty:
            continue
        at = scenario.with_overrides(point, source=f"sweep point {i} {point}")
        prefix = f"point {i} {point}: "
        for w in summary_warnings(at, rows.set_index("kpi"), int(counts.get(i, 0))):
            shared = w.code == "few-replications"
            out.append(w if shared else PlannerWarning(w.code, prefix + w.message, w.where))
    return tuple(unique(out))
