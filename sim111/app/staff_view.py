"""What the Staff & price page shows of a staffing search: verdict, tables, heat-map, files.

Pure functions of a :class:`~sim111.planning.staffing.StaffingResult` (no
Streamlit here), judged and worded as ``sim111 staff`` judges and words them:
the targets are met only if the search met those it steered to *and* the KPI
table marks none MISSED; the files are those the command writes.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim111.experiments.marks import target_marks
from sim111.kpi_keys import kpi_info
from sim111.outputs.charts_axes import plain_text
from sim111.outputs.files import scenario_toml
from sim111.outputs.formatting import _fmt
from sim111.outputs.rows import shown_keys
from sim111.planning.roster_files import roster_toml
from sim111.planning.roster_summary import (
    headcount_by_half_hour,
    headcount_rows,
    roster_header,
    staff_groups,
)
from sim111.planning.staffing import StaffingResult
from sim111.planning.verdict import targets_text, verdict

COMMAND = "sim111 app, Staff & price page"
UNITLESS = ("fraction", "calls", "GBP")  # units the formatted value already shows
HALF_HOURS_PER_TICK = 4  # a tick every two hours on the heat-map


def kpi_rows(found: StaffingResult) -> pd.DataFrame:
    """The staffed scenario's KPI table as text cells: KPI, mean, 95% CI, target, mark."""
    result = found.result
    summary, marks = result.summary, target_marks(result)
    rows = []
    for key in shown_keys(result.scenario, list(summary.index), lambda k: summary.loc[k, "n"] > 0):
        kpi, row = kpi_info(key), summary.loc[key]
        ci = "-" if math.isnan(row["ci_low"]) else f"{_fmt(kpi, row['ci_low'])} .. "
        ci += "" if ci == "-" else _fmt(kpi, row["ci_high"])
        target, mark = marks.get(key, (None, ""))
        unit = "" if kpi.unit in UNITLESS else f" ({kpi.unit})"
        rows.append(
            {
                "KPI": kpi.label + unit,
                "mean": _fmt(kpi, row["mean"]),
                "95% CI": ci,
                "target": "" if target is None else target.text(),
                "": mark,
            }
        )
    return pd.DataFrame(rows)


def mean_of(found: StaffingResult, key: str) -> float:
    """The staffed scenario's mean of ``key`` (NaN if the run has no such KPI)."""
    summary = found.result.summary
    return float(summary.loc[key, "mean"]) if key in summary.index else math.nan


def shift_lines(found: StaffingResult) -> dict[str, int]:
    """Shift lines of each rostered staff group of the staffed scenario."""
    return {name: len(g.shifts) for name, g in staff_groups(found.scenario).items() if g.shifts}


def staffed_files(found: StaffingResult, base: str, clinicians: bool) -> dict[str, bytes]:
    """``roster.toml``, ``scenario.toml`` and ``headcount.csv``, as ``sim111 staff`` writes
    them (the header names this page instead of a command line)."""
    met, _ = verdict(found)
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = roster_header(found, met, base, targets_text(found), COMMAND, when)
    headcounts = headcount_by_half_hour(found.scenario)
    return {
        "roster.toml": roster_toml(found.scenario, header, clinicians).encode(),
        "scenario.toml": scenario_toml(found.scenario, header).encode(),
        "headcount.csv": headcount_rows(headcounts).to_csv(index=False).encode(),
    }


@plain_text
def headcount_figure(frame: pd.DataFrame) -> Figure:
    """People on duty by half-hour (across) and day type (down), one panel per staff group."""
    groups = list(dict.fromkeys(frame.columns.get_level_values(0)))
    fig = Figure(figsize=(10, 1.2 + 1.6 * len(groups)))
    axes = np.atleast_1d(fig.subplots(len(groups), 1, squeeze=False)[:, 0])
    ticks = list(range(0, len(frame.index), HALF_HOURS_PER_TICK))
    for ax, group in zip(axes, groups, strict=True):
        part = frame[group]
        image = ax.imshow(part.to_numpy(float).T, aspect="auto", cmap="viridis")
        fig.colorbar(image, ax=ax, label="people")
        ax.set_yticks(range(len(part.columns)), [str(c).replace("_", " ") for c in part.columns])
        ax.set_xticks(ticks, [str(frame.index[i]) for i in ticks])
        ax.set_title(f"{group}: people on duty by half-hour", loc="left", fontsize=10)
    fig.tight_layout()
    return fig
