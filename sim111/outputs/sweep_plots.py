"""Figures of a sweep: a KPI against one swept parameter (with its 95% band), or a heat-map of two.

Built from :attr:`SweepResult.summary <sim111.experiments.sweep.SweepResult>` only
(object-oriented matplotlib: no pyplot state). The target of the KPI, when the
scenario sets one, is drawn as a dashed line: a horizontal line on a line chart,
the contour where the mean crosses it on a heat-map.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim111.experiments.sweep import SweepResult
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.formatting import _fmt
from sim111.scenario.targets import Target

TARGET_STYLE: dict[str, Any] = {"color": "tab:red", "linestyle": "--", "linewidth": 1.5}


def varied_parameters(result: SweepResult) -> list[str]:
    """The swept keys that take more than one value across the points, sorted."""
    keys = sorted({k for p in result.points for k in p})
    return [k for k in keys if len({repr(p.get(k)) for p in result.points}) > 1]


def _unit(kpi: Kpi) -> str:
    return {"fraction": "share", "GBP": "£", "calls": "calls"}.get(kpi.unit, kpi.unit)


def _axis_format(ax: Axes, kpi: Kpi) -> None:
    if kpi.unit == "fraction":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def line_figure(result: SweepResult, key: str, parameter: str, target: Target | None) -> Figure:
    """The mean of ``key`` at each value of ``parameter`` with its 95% CI as a band."""
    kpi = kpi_info(key)
    part = result.summary[result.summary["kpi"] == key]
    numeric = all(isinstance(v, Real) for v in part[parameter])
    part = part.sort_values(parameter) if numeric else part
    x = part[parameter].to_numpy(float) if numeric else np.arange(len(part))
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    ax.fill_between(x, part["ci_low"], part["ci_high"], alpha=0.25, label="95% CI")
    ax.plot(x, part["mean"], marker="o", label="mean")
    if not numeric:
        ax.set_xticks(x, [str(v) for v in part[parameter]])
    if target is not None:
        ax.axhline(target.value, **TARGET_STYLE, label=f"target {target.text()}")
    _axis_format(ax, kpi)
    ax.set_xlabel(parameter)
    ax.set_ylabel(_unit(kpi))
    ax.set_title(kpi.label, loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _grid(result: SweepResult, key: str, x: str, y: str) -> pd.DataFrame:
    part = result.summary[result.summary["kpi"] == key]
    return part.pivot_table(index=y, columns=x, values="mean", aggfunc="mean", dropna=False)


def heatmap_figure(result: SweepResult, key: str, x: str, y: str, target: Target | None) -> Figure:
    """The mean of ``key`` over the grid of ``x`` and ``y``; the target as a dashed contour."""
    kpi = kpi_info(key)
    grid = _grid(result, key, x, y)
    values = np.ma.masked_invalid(grid.to_numpy(float))
    cmap = {"higher": "RdYlGn", "lower": "RdYlGn_r"}.get(kpi.better, "viridis")
    fig = Figure(figsize=(7, 0.5 * len(grid) + 2.4))
    ax = fig.subplots()
    image = ax.imshow(values, cmap=cmap, aspect="auto", origin="lower")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(_unit(kpi))
    if kpi.unit == "fraction":
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    for (i, j), v in np.ndenumerate(grid.to_numpy(float)):
        ax.text(j, i, _fmt(kpi, v), ha="center", va="center", fontsize=8)
    finite = values.compressed()
    if (
        target is not None
        and min(values.shape) >= 2
        and finite.size
        and finite.min() < target.value < finite.max()
    ):
        ax.contour(values, levels=[target.value], colors=TARGET_STYLE["color"], linestyles="--")
    ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    shown = "" if target is None else f" (dashed: target {target.text()})"
    ax.set_title(f"{kpi.label}{shown}", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def sweep_figure(result: SweepResult, key: str, target: Target | None) -> Figure | None:
    """A line chart (one parameter varied), a heat-map (two), or ``None`` (more, or none)."""
    varied = varied_parameters(result)
    if len(varied) == 1:
        return line_figure(result, key, varied[0], target)
    if len(varied) == 2:
        return heatmap_figure(result, key, varied[0], varied[1], target)
    return None
