"""Charts of the clinical stage, overflow providers, downstream services and head-count.

Each is drawn only when the scenario has what it shows: clinicians, overflow
providers, downstream services. Overflow and downstream charts read the
per-provider and per-service interval columns (:mod:`sim111.measures.intervals`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim111.engine.calendar import run_days
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import (
    CALLBACK_TARGET_MIN,
    DOWNSTREAM_PREFIX,
    PER_CLASS_PREFIX,
    PROVIDER_PREFIX,
)
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
from sim111.units import MINUTES_PER_DAY
from sim111.vocabulary import display_name

DAY_TYPE_NAMES = {
    "weekday": "Weekday",
    "saturday": "Saturday",
    "sunday": "Sunday",
    "bank_holiday": "Bank holiday",
}


def callback_queue(result: ExperimentResult) -> Figure:
    """Calls awaiting a clinician and call-back waits over time; call-backs within target."""
    fig = Figure(figsize=(11, 6.5))
    axes = fig.subplot_mosaic([["backlog", "classes"], ["waits", "classes"]], width_ratios=[3, 1])
    backlog, waits, classes = axes["backlog"], axes["waits"], axes["classes"]
    mean, low, high = band(result, "awaiting_clinician")
    draw_band(backlog, mean, low, high, color="tab:purple")
    backlog.plot(mean.index, mean, color="tab:purple", label="calls awaiting\na clinician")
    backlog.set_ylabel("calls waiting (mean)")
    backlog.set_title(title(result, "call-back backlog"), fontsize=10, loc="left")
    headroom(backlog, mean, high)
    data = by_time(result, ["mean_callback_min"])
    waits.plot(data.index, data["mean_callback_min"], color="tab:purple", label="mean wait")
    target_line(waits, CALLBACK_TARGET_MIN, f"{CALLBACK_TARGET_MIN:g} min standard")
    waits.set_ylabel("wait for a clinician (min)")
    waits.set_title("Mean call-back wait, by half-hour of the 111 call", fontsize=10, loc="left")
    headroom(waits, data["mean_callback_min"], at_least=CALLBACK_TARGET_MIN)
    for k, ax in enumerate((backlog, waits)):
        time_axis(ax, result, "_" if k else "bank holiday")
        counts(ax)
        legend(ax)
    priorities = result.scenario.clinical.priorities
    keys = [f"{PER_CLASS_PREFIX}{p.name}" for p in priorities]
    summary = result.summary
    values = [summary.loc[k, "mean"] if k in summary.index else np.nan for k in keys]
    classes.bar(range(len(keys)), values, color="tab:purple")
    classes.set_xticks(
        range(len(keys)),
        [f"{display_name(p.name)}\n({p.target_min:g} min)" for p in priorities],
        fontsize=8,
    )
    shares(classes)
    classes.set_ylabel("call-backs within the class's target (%)")
    classes.set_title("Within target, by priority", fontsize=10)
    fig.tight_layout()
    return fig


def overflow(result: ExperimentResult) -> Figure:
    """Calls sent to each overflow provider per interval."""
    names = [p.name for p in result.scenario.providers]
    columns = [f"{PROVIDER_PREFIX}{n}_calls" for n in names]
    data = by_time(result, columns)
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    for name, column in zip(names, columns, strict=True):
        ax.plot(data.index, data[column], label=f"to {display_name(name)}")
    ax.set_ylabel(f"calls per {interval_text(result)}")
    headroom(ax, data)
    counts(ax)
    ax.set_title(title(result, "calls sent to overflow providers"))
    time_axis(ax, result)
    legend(ax)
    fig.tight_layout()
    return fig


def downstream(result: ExperimentResult) -> Figure:
    """Referrals to each downstream service per interval, and cases waiting there."""
    names = [d.name for d in result.scenario.downstream]
    referrals = by_time(result, [f"{DOWNSTREAM_PREFIX}{n}_referrals" for n in names])
    waiting = by_time(result, [f"{DOWNSTREAM_PREFIX}{n}_waiting" for n in names])
    fig = Figure(figsize=(11, 6.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    for name in names:
        shown = display_name(name)
        top.plot(referrals.index, referrals[f"{DOWNSTREAM_PREFIX}{name}_referrals"], label=shown)
        bottom.plot(waiting.index, waiting[f"{DOWNSTREAM_PREFIX}{name}_waiting"], label=shown)
    top.set_ylabel(f"referrals per {interval_text(result)}")
    top.set_title(title(result, "referrals to downstream services"), fontsize=10, loc="left")
    bottom.set_ylabel("cases waiting to be seen (mean)")
    bottom.set_title("Cases waiting at each service", fontsize=10, loc="left")
    for k, (ax, data) in enumerate(((top, referrals), (bottom, waiting))):
        time_axis(ax, result, "_" if k else "bank holiday")
        headroom(ax, data)
        counts(ax)
        legend(ax)
    fig.tight_layout()
    return fig


def headcount_grid(result: ExperimentResult, column: str) -> pd.DataFrame:
    """Mean of ``column`` by day type (rows, in calendar order) and time of day (columns)."""
    run = result.scenario.run
    frame = result.intervals
    types = {d.index: d.day_type for d in run_days(run.start_date, run.calendar_days)}
    day = (frame["interval_start_min"] // MINUTES_PER_DAY).astype(int)
    clock = pd.to_datetime(frame["interval_start"]).dt.strftime("%H:%M")
    grid = frame.groupby([day.map(types).rename("day_type"), clock.rename("time")])[column].mean()
    table = grid.unstack("time")
    return table.reindex([t for t in DAY_TYPE_NAMES if t in table.index])


def headcount(result: ExperimentResult) -> Figure:
    """Advisors (and clinicians) on duty by time of day and day type, as a heat-map."""
    groups = [("advisors_on_duty", "Health advisors on duty")]
    if result.scenario.clinicians:
        groups.append(("clinicians_on_duty", "Clinicians on duty"))
    fig = Figure(figsize=(11, 1.3 + 1.6 * len(groups) + 0.35 * 4 * len(groups)))
    axes = np.atleast_1d(fig.subplots(len(groups), 1))
    run = result.scenario.run
    days = run_days(run.start_date, run.calendar_days)
    for ax, (column, label) in zip(axes, groups, strict=True):
        grid = headcount_grid(result, column)
        image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis")
        n_days = [sum(d.day_type == t for d in days) for t in grid.index]
        ax.set_yticks(
            range(len(grid)),
            [f"{DAY_TYPE_NAMES[t]} ({n})" for t, n in zip(grid.index, n_days, strict=True)],
        )
        step = max(1, len(grid.columns) // 24)
        ax.set_xticks(range(0, len(grid.columns), step), grid.columns[::step], rotation=90)
        ax.set_xlabel(f"time of day ({interval_text(result)} intervals)")
        ax.set_ylabel("day type (days in the run)")
        ax.set_title(f"{label} (people, mean)", fontsize=10, loc="left")
        bar = fig.colorbar(image, ax=ax, pad=0.01)
        bar.set_label("people")
        _annotate(ax, grid.to_numpy(dtype=float))
    fig.suptitle(title(result, "head-count by time of day and day type"))
    fig.tight_layout()
    return fig


def _annotate(ax: Axes, values: np.ndarray) -> None:
    """Each cell's head-count, rounded, in small type (white on dark cells)."""
    if values.shape[1] > 48:
        return
    top = np.nanmax(values, initial=0.0)
    for (row, col), value in np.ndenumerate(values):
        if np.isnan(value):
            continue
        colour = "white" if value < 0.6 * top else "black"
        ax.text(col, row, f"{value:,.0f}", ha="center", va="center", fontsize=6, color=colour)
