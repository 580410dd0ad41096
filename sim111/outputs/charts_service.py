"""Charts of the call-answering service per half-hour: demand and advisors, targets.

The advisors the Erlang-A model (:func:`~sim111.measures.analytic.erlang_a`)
says each half-hour needs are worked out from that half-hour's simulated calls
offered (mean over replications, redials included), the scenario's mean
handling time and its callers' mean patience: the fewest advisors meeting both
the answered-within-60 s and the abandonment target in steady state, as
``sim111 staff`` plans them. Steady state ignores the queue carried from one
half-hour into the next, so it is a yardstick, not a roster.

A run of several areas draws it only when every area's calls go to one pool of
advisors with the same handling time, patience and targets: the half-hourly
data are pooled over areas, and areas answering their own calls (or pooled by
contract or region) need more advisors between them than their pooled calls
would suggest.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import ANSWER_TARGET_S
from sim111.measures.analytic import erlang_a
from sim111.outputs.charts_axes import (
    WIDE,
    band,
    by_time,
    counts,
    draw_band,
    headroom,
    interval_text,
    legend,
    shares,
    target_line,
    time_axis,
    title,
)
from sim111.scenario import Scenario
from sim111.scenario.areas import pool_keys
from sim111.units import MINUTES_PER_HOUR

MAX_ADVISORS = 100_000
SHARE_TOP = 1.08  # a share axis never runs higher (100% and headroom)


def advisors_needed(
    calls_per_hour: float,
    handle_min: float,
    patience_min: float,
    answered_within_60s: float,
    abandoned: float,
) -> int:
    """Fewest advisors for which Erlang-A meets both targets (0 without calls).

    Abandonment is all calls lost in the queue (Erlang-A has no 30 s grace), as
    in :mod:`sim111.planning.requirements`. Steps up doubling from the offered
    load until the targets are met, then halves back (more advisors never hurt).
    """
    if calls_per_hour <= 0:
        return 0
    load = calls_per_hour * handle_min / MINUTES_PER_HOUR

    def meets(n: int) -> bool:
        if n == 0 or (math.isinf(patience_min) and n <= load):
            return False  # callers who never hang up need load < n
        m = erlang_a(calls_per_hour, handle_min, patience_min, n)
        return (
            m.p_abandon <= abandoned and m.answered_within(ANSWER_TARGET_S) >= answered_within_60s
        )

    low, step = int(load), 1  # every n <= low fails (or is low itself)
    if meets(low):
        return low
    while not meets(low + step):
        low, step = low + step, step * 2
        if low > MAX_ADVISORS:
            raise ValueError(f"no staffing up to {MAX_ADVISORS:,} advisors meets the targets")
    high = low + step
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if meets(mid) else (mid, high)
    return high


def requirement_basis(scenario: Scenario) -> tuple[Scenario | None, str]:
    """The scenario whose handling time, patience and targets the Erlang-A requirement
    uses, or None and why it cannot be drawn (several areas not in one advisor pool)."""
    if not scenario.areas:
        return scenario, ""
    n = len(scenario.areas)
    pools = len(set(pool_keys(scenario.areas, scenario.sharing.advisors)))
    if pools > 1:
        return None, (
            f"no Erlang-A requirement: the {n} areas' calls go to {pools} separate pools of "
            "advisors, which need more than the pooled calls suggest"
        )
    areas = scenario.area_scenarios
    kinds = {
        (
            a.mean_advisor_handle_min,
            a.callers.patience.mean_min,
            a.targets.answered_within_60s,
            a.targets.abandoned_after_30s,
        )
        for a in areas
    }
    if len(kinds) > 1:
        return None, (
            f"no Erlang-A requirement: the {n} areas differ in handling time, patience or targets"
        )
    return areas[0], ""


def erlang_requirement(basis: Scenario, offered: pd.Series) -> pd.Series:
    """Erlang-A advisors needed per interval for the mean calls ``offered`` in it, at the
    handling time, patience and targets of ``basis``."""
    per_hour = offered * MINUTES_PER_HOUR / basis.run.interval_min
    handle = basis.mean_advisor_handle_min
    patience = basis.callers.patience.mean_min
    goals = basis.targets
    cache: dict[float, int] = {}
    out = []
    for exact in per_hour.to_numpy(dtype=float):
        rate = float(f"{exact:.3g}")  # to 3 significant figures: a few hundred rates at most
        if rate not in cache:
            cache[rate] = advisors_needed(
                rate, handle, patience, goals.answered_within_60s, goals.abandoned_after_30s
            )
        out.append(cache[rate])
    return pd.Series(out, index=offered.index, dtype=float)


def demand_and_advisors(result: ExperimentResult) -> Figure:
    """Calls offered, answered and abandoned per interval; advisors on duty, busy and needed."""
    data = by_time(
        result,
        ["calls_offered", "calls_answered", "calls_abandoned", "advisors_on_duty", "advisors_busy"],
    )
    fig = Figure(figsize=(11, 6.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(data.index, data["calls_offered"], label="offered", color="tab:blue")
    top.plot(data.index, data["calls_answered"], label="answered", color="tab:green", lw=1)
    top.plot(data.index, data["calls_abandoned"], label="abandoned", color="tab:red", lw=1)
    top.set_ylabel(f"calls per {interval_text(result)}")
    top.set_title(title(result, "demand"), fontsize=10, loc="left")
    headroom(top, data["calls_offered"], data["calls_answered"], data["calls_abandoned"])
    _advisors_panel(bottom, result, data)
    for k, ax in enumerate((top, bottom)):
        time_axis(ax, result, "_" if k else "bank holiday")
        counts(ax)
        legend(ax)
    fig.tight_layout()
    return fig


def _advisors_panel(ax: Axes, result: ExperimentResult, data: pd.DataFrame) -> None:
    """Advisors on duty and busy, and the Erlang-A requirement where it can be drawn."""
    ax.plot(data.index, data["advisors_on_duty"], label="on duty", color="tab:blue")
    ax.plot(data.index, data["advisors_busy"], label="busy", color="tab:blue", alpha=0.45)
    basis, why_not = requirement_basis(result.scenario)
    needed = pd.Series(dtype=float)
    if basis is not None:
        needed = erlang_requirement(basis, data["calls_offered"])
        edges = data.index.append(pd.DatetimeIndex([time_end(result)]))
        ax.stairs(needed, edges, label="needed (Erlang-A, both targets)", color="black", lw=1.2)
    else:  # the legend says why the line is missing
        ax.plot([], [], " ", label=textwrap.fill(why_not, 34))
    headroom(ax, data["advisors_on_duty"], data["advisors_busy"], needed)
    ax.set_ylabel("health advisors (people)")
    text = "Health advisors on duty"
    if result.scenario.areas:
        text += f" ({len(result.scenario.areas)} areas added up)"
    if basis is not None:
        text += " against the Erlang-A requirement"
    ax.set_title(text, fontsize=10, loc="left")


def time_end(result: ExperimentResult) -> pd.Timestamp:
    """When the run ends, as a date and time."""
    run = result.scenario.run
    return pd.Timestamp(run.start_date) + pd.Timedelta(minutes=run.horizon_min)


def abandonment(result: ExperimentResult) -> Figure:
    """Share of offered calls abandoned after 30 s per interval, against the target."""
    mean, low, high = band(result, "abandoned_after_30s", upper=1)
    every = by_time(result, ["abandoned"])["abandoned"]
    target = result.scenario.targets.abandoned_after_30s
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    draw_band(ax, mean, low, high, color="tab:red")
    ax.plot(mean.index, mean, color="tab:red", label="abandoned after 30 s")
    ax.plot(every.index, every, color="tab:red", lw=0.8, ls=":", label="abandoned at any wait")
    target_line(ax, target, f"target: at most {target:.0%}")
    top = headroom(ax, mean, high, every, at_least=2.5 * target, cap=SHARE_TOP)
    shares(ax, top=top)
    ax.set_ylabel("share of offered calls (%)")
    ax.set_title(title(result, "abandoned calls by half-hour offered"))
    time_axis(ax, result)
    legend(ax)
    fig.tight_layout()
    return fig


def service_level(result: ExperimentResult) -> Figure:
    """Answered within 60 s per interval with its 95% band and the scenario's target line."""
    mean, low, high = band(result, "answered_within_60s", upper=1)
    target = result.scenario.targets.answered_within_60s
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    draw_band(ax, mean, low, high)
    ax.plot(mean.index, mean, label="answered within 60 s")
    target_line(ax, target, f"target: at least {target:.0%}")
    shares(ax, top=SHARE_TOP)
    ax.set_ylabel("share of answered calls (%)")
    ax.set_title(title(result, "answered within 60 s by half-hour offered"))
    time_axis(ax, result)
    legend(ax)
    fig.tight_layout()
    return fig


def answer_times(result: ExperimentResult) -> Figure:
    """Mean, 90th and 95th percentile time to answer per interval."""
    data = by_time(result, ["mean_answer_s", "p90_answer_s", "p95_answer_s"])
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    for column, label in (
        ("mean_answer_s", "mean"),
        ("p90_answer_s", "90th percentile"),
        ("p95_answer_s", "95th percentile"),
    ):
        ax.plot(data.index, data[column], label=label)
    target_line(ax, ANSWER_TARGET_S, f"{ANSWER_TARGET_S:g} s standard")
    ax.set_ylabel("time to answer (s)")
    headroom(ax, data, at_least=ANSWER_TARGET_S)
    counts(ax)
    ax.set_title(title(result, "time to answer by half-hour offered"))
    time_axis(ax, result)
    legend(ax)
    fig.tight_layout()
    return fig
