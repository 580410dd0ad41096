"""The call-back feedback loop as a figure: the backlog, and callers ringing 111 again.

Callers promised a call-back that does not come ring 111 again; each repeat call
takes an advisor from new callers, so more calls queue, more need call-backs,
and the backlog feeds itself. The figure puts the two side by side over the
run's dates, from the per-call records and the step log of calls awaiting a
clinician (so the results must keep their records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim111.engine.calendar import run_days
from sim111.engine.records import RunRecords
from sim111.experiments.replications import ExperimentResult
from sim111.outputs.charts_axes import plain_text
from sim111.units import MINUTES_PER_HOUR

BACKLOG_SAMPLE_MIN = 10.0  # calls awaiting a clinician are read this often


def _awaiting(rec: RunRecords, times_min: np.ndarray) -> np.ndarray:
    log = rec.awaiting_clinician  # a step function: its level after every change at t
    return log.level[np.searchsorted(log.time_min, times_min, side="right") - 1]


def _repeat_calls_per_hour(rec: RunRecords, hours: int) -> np.ndarray:
    calls = rec.calls
    first = (calls.repeat_of >= 0) & (calls.attempt == 0)  # redials of them not counted again
    hour = (calls.arrival_min[first] // MINUTES_PER_HOUR).astype(int)
    return np.bincount(hour, minlength=hours)[:hours]


def _draw(axes: Sequence[Axes], result: ExperimentResult, name: str, style: dict) -> None:
    """One result's lines: backlog, abandoned calls per hour, repeat calls per hour."""
    if not result.records:
        raise ValueError(f"{name}: no per-call records; run with keep_records=True")
    run = result.scenario.run
    origin = pd.Timestamp(run.start_date)
    times = np.arange(0.0, run.horizon_min + BACKLOG_SAMPLE_MIN / 2, BACKLOG_SAMPLE_MIN)
    waiting = np.mean([_awaiting(rec, times) for rec in result.records], axis=0)
    axes[0].plot(origin + pd.to_timedelta(times, "min"), waiting, label=name, **style)
    width = max(MINUTES_PER_HOUR, run.interval_min)  # hourly, or each interval if longer
    intervals = result.intervals
    abandoned = intervals.groupby(intervals["interval_start_min"] // width * width)[
        "calls_abandoned"
    ].sum() / (result.replications * width / MINUTES_PER_HOUR)
    edges = np.append(abandoned.index, run.horizon_min)
    axes[1].stairs(abandoned, origin + pd.to_timedelta(edges, "min"), label=name, **style)
    hours = int(np.ceil(run.horizon_min / MINUTES_PER_HOUR))
    repeats = np.mean([_repeat_calls_per_hour(r, hours) for r in result.records], axis=0)
    if repeats.any():  # nobody rings again: no line on the floor of the panel
        edges = origin + pd.to_timedelta(np.arange(hours + 1) * MINUTES_PER_HOUR, "min")
        axes[2].stairs(repeats, edges, label=name, **style)


def _bank_holidays_and_days(ax: Axes, start: dt.date, days: int, shade_label: str) -> None:
    for day in run_days(start, days):
        if day.day_type == "bank_holiday":
            left = pd.Timestamp(day.date)
            ax.axvspan(
                left, left + pd.Timedelta(days=1), color="grey", alpha=0.15, label=shade_label
            )
            shade_label = "_"  # one legend entry
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, days // 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
    ax.grid(alpha=0.3)


PANELS = (  # y label, title
    ("calls awaiting a clinician", "Call-back backlog: calls waiting for a clinician"),
    ("abandoned calls per hour", "Calls abandoned waiting for a health advisor"),
    ("repeat calls per hour", "Repeat calls: callers ringing 111 again about a call-back"),
)


@plain_text
def callback_backlog(*results: ExperimentResult, labels: Sequence[str] | None = None) -> Figure:
    """The call-back feedback loop over the run's dates, one line per result.

    Top: calls waiting for a clinician (holding, queued, between or during
    call-back attempts), read every ``BACKLOG_SAMPLE_MIN`` minutes. Middle:
    calls abandoned waiting for an advisor, per hour. Bottom: repeat calls
    (callers ringing 111 again about a call-back; their redials not counted
    again) by hour of arrival. Means over replications; bank holidays shaded.
    Compare, say, callers who wait quietly with callers who ring again. Needs
    per-call records: ``run_experiment(..., keep_records=True)``.
    """
    names = list(labels) if labels is not None else [r.scenario.name for r in results]
    if not results or len(names) != len(results):
        raise ValueError("callback_backlog needs one or more results, and one label each")
    fig = Figure(figsize=(11, 8.5))
    axes = fig.subplots(len(PANELS), 1, sharex=True)
    for k, (result, name) in enumerate(zip(results, names, strict=True)):
        # earlier lines wider, so lines that coincide (the same callers) both show
        _draw(
            axes, result, name, {"color": f"C{k}", "linewidth": 1.2 + 0.8 * (len(results) - 1 - k)}
        )
    run = results[0].scenario.run
    for k, (ax, (ylabel, title)) in enumerate(zip(axes, PANELS, strict=True)):
        _bank_holidays_and_days(ax, run.start_date, run.calendar_days, "_" if k else "bank holiday")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10, loc="left")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(f"The call-back feedback loop (mean of {results[0].replications} replications)")
    fig.tight_layout()
    return fig
