"""Charts of the call-answering service per half-hour: demand and advisors, targets.

The advisors the Erlang-A model (:func:`~sim111.measures.analytic.erlang_a`)
says each half-hour needs are worked out from that half-hour's simulated calls
offered (mean over replications, redials included), the scenario's mean
handling time and its callers' mean patience: the fewest advisors meeting both
the answered-within-60 s and the abandonment target in steady state, as
``sim111 staff`` plans them. Steady state ignores the queue carried from one
half-hour into the next, so it is a yardstick, not a roster.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import ANSWER_TARGET_S
from sim111.measures.analytic import erlang_a
from sim111.outputs.charts_axes import (
    WIDE,
    band,
    by_time,
    counts,
    interval_text,
    legend,
    shares,
    target_line,
    time_axis,
    title,
)
from sim111.units import MINUTES_PER_HOUR

MAX_ADVISORS = 100_000


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


def erlang_requirement(result: ExperimentResult, offered: pd.Series) -> pd.Series:
    """Erlang-A advisors needed per interval for the mean calls ``offered`` in it."""
    scenario = result.scenario
    per_hour = offered * MINUTES_PER_HOUR / scenario.run.interval_min
    handle = scenario.mean_advisor_handle_min
    patience = scenario.callers.patience.mean_min
    goals = scenario.targets
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
    needed = erlang_requirement(result, data["calls_offered"])
    fig = Figure(figsize=(11, 6.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(data.index, data["calls_offered"], label="offered", color="tab:blue")
    top.plot(data.index, data["calls_answered"], label="answered", color="tab:green", lw=1)
    top.plot(data.index, data["calls_abandoned"], label="abandoned", color="tab:red", lw=1)
    top.set_ylabel(f"calls per {interval_text(result)}")
    top.set_title(title(result, "demand"), fontsize=10, loc="left")
    bottom.plot(data.index, data["advisors_on_duty"], label="on duty", color="tab:blue")
    bottom.plot(data.index, data["advisors_busy"], label="busy", color="tab:blue", alpha=0.45)
    edges = data.index.append(pd.DatetimeIndex([time_end(result)]))
    bottom.stairs(needed, edges, label="needed (Erlang-A, both targets)", color="black", lw=1.2)
    bottom.set_ylabel("health advisors (people)")
    bottom.set_title(
        "Health advisors on duty against the Erlang-A requirement", fontsize=10, loc="left"
    )
    for k, ax in enumerate((top, bottom)):
        time_axis(ax, result, "_" if k else "bank holiday")
        counts(ax)
        ax.set_ylim(bottom=0)
        legend(ax, loc="upper left", ncols=4)
    fig.tight_layout()
    return fig


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
    ax.fill_between(mean.index, low, high, alpha=0.25, color="tab:red", label="95% CI")
    ax.plot(mean.index, mean, color="tab:red", label="abandoned after 30 s")
    ax.plot(every.index, every, color="tab:red", lw=0.8, ls=":", label="abandoned at any wait")
    target_line(ax, target, f"target: at most {target:.0%}")
    shares(ax, top=min(1.0, max(2.5 * target, float(np.nanmax(high.to_numpy(), initial=0)) * 1.05)))
    ax.set_ylabel("share of offered calls (%)")
    ax.set_title(title(result, "abandoned calls by half-hour offered"))
    time_axis(ax, result)
    legend(ax, loc="upper left", ncols=3)
    fig.tight_layout()
    return fig


def service_level(result: ExperimentResult) -> Figure:
    """Answered within 60 s per interval with its 95% band and the scenario's target line."""
    mean, low, high = band(result, "answered_within_60s", upper=1)
    target = result.scenario.targets.answered_within_60s
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    ax.fill_between(mean.index, low, high, alpha=0.25, label="95% CI")
    ax.plot(mean.index, mean, label="answered within 60 s")
    target_line(ax, target, f"target: at least {target:.0%}")
    shares(ax)
    ax.set_ylabel("share of answered calls (%)")
    ax.set_title(title(result, "answered within 60 s by half-hour offered"))
    time_axis(ax, result)
    legend(ax, loc="lower left", ncols=3)
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
    target_line(ax, ANSWER_TARGET_S, f"{ANSWER_TARGET_S:g} s")
    ax.set_ylabel("time to answer (s)")
    ax.set_ylim(bottom=0)
    counts(ax)
    ax.set_title(title(result, "time to answer by half-hour offered"))
    time_axis(ax, result)
    legend(ax, loc="upper left", ncols=5)
    fig.tight_layout()
    return fig
