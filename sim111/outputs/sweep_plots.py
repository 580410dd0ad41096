"""Figures of a sweep: a KPI against one swept parameter (with its 95% band), or a heat-map of two.

Built from :attr:`SweepResult.summary <sim111.experiments.sweep.SweepResult>` only
(object-oriented matplotlib: no pyplot state). A :class:`Reference` (the KPI's
target, or the contract price for cost per answered call) is drawn as a dashed
line: a horizontal line on a line chart, the contour where the mean crosses it on
a heat-map. Axes name swept keys in words with the key after them
(:func:`parameter_label`).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim111.experiments.sweep import SweepResult
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.charts_axes import plain_text
from sim111.outputs.formatting import _fmt

TARGET_STYLE: dict[str, Any] = {"color": "tab:red", "linestyle": "--", "linewidth": 1.5}
GROUPS = {  # the first part of a scenario key, in words
    "advisors": "Advisor",
    "clinicians": "Clinician group",
    "demand": "Demand",
    "run": "Run",
    "costs": "Costs:",
    "callers": "Callers:",
    "triage": "Triage:",
    "clinical": "Clinical:",
    "providers": "Provider",
}
UNIT_SUFFIXES = {"_gbp": "£", "_min": "min", "_s": "s", "_h": "h", "_per_hour": "per hour"}


@dataclass(frozen=True)
class Reference:
    """A dashed line on a KPI's figure: ``value`` and what it is ('target >= 95%')."""

    value: float
    text: str


def _words(part: str) -> str:
    for suffix, unit in UNIT_SUFFIXES.items():
        if part.endswith(suffix):
            return f"{part.removesuffix(suffix).replace('_', ' ')} ({unit})"
    return part.replace("_", " ")


def parameter_label(key: str) -> str:
    """A swept key in words, the key after it: 'Advisor roster scale (advisors.roster_scale)'."""
    first, *rest = key.split(".")
    if first == "targets" and len(rest) == 1:
        words = f"Target: {kpi_info(rest[0]).label}"
    else:
        parts = [GROUPS.get(first, _words(first).capitalize())]
        parts += [str(int(p) + 1) if p.isdigit() else _words(p) for p in rest]
        words = " ".join(parts)
    return f"{words} ({key})"


def varied_parameters(result: SweepResult) -> list[str]:
    """The swept keys that take more than one value across the points, sorted."""
    keys = sorted({k for p in result.points for k in p})
    return [k for k in keys if len({repr(p.get(k)) for p in result.points}) > 1]


def _unit(kpi: Kpi) -> str:
    return {"fraction": "share", "GBP": "£", "calls": "calls"}.get(kpi.unit, kpi.unit)


def _axis_format(ax: Axes, kpi: Kpi) -> None:
    if kpi.unit == "fraction":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))


@plain_text
def line_figure(result: SweepResult, key: str, parameter: str, target: Reference | None) -> Figure:
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
        ax.axhline(target.value, **TARGET_STYLE, label=target.text)
    _axis_format(ax, kpi)
    ax.set_xlabel(parameter_label(parameter))
    ax.set_ylabel(_unit(kpi))
    ax.set_title(kpi.label, loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _grid(result: SweepResult, key: str, x: str, y: str) -> pd.DataFrame:
    part = result.summary[result.summary["kpi"] == key]
    return part.pivot_table(index=y, columns=x, values="mean", aggfunc="mean", dropna=False)


def _crosses(values: np.ma.MaskedArray, target: Reference) -> bool:
    """Whether a heat-map's means cross ``target`` (a contour can be drawn)."""
    finite = values.compressed()
    return bool(
        min(values.shape) >= 2 and finite.size and finite.min() < target.value < finite.max()
    )


def draws_reference(result: SweepResult, key: str, target: Reference | None) -> bool:
    """Whether :func:`sweep_figure` draws ``target`` as a dashed line for ``key``."""
    varied = varied_parameters(result)
    if target is None or len(varied) not in (1, 2):
        return False
    if len(varied) == 1:
        return True
    grid = _grid(result, key, varied[0], varied[1])
    return _crosses(np.ma.masked_invalid(grid.to_numpy(float)), target)


@plain_text
def heatmap_figure(
    result: SweepResult, key: str, x: str, y: str, target: Reference | None
) -> Figure:
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
    drawn = target is not None and _crosses(values, target)
    if drawn and target is not None:
        ax.contour(values, levels=[target.value], colors=TARGET_STYLE["color"], linestyles="--")
    ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    shown = "" if target is None else f" ({'dashed: ' if drawn else 'never crosses '}{target.text})"
    ax.set_title(f"{kpi.label}{shown}", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


@plain_text
def sweep_figure(result: SweepResult, key: str, target: Reference | None) -> Figure | None:
    """A line chart (one parameter varied), a heat-map (two), or ``None`` (more, or none)."""
    varied = varied_parameters(result)
    if len(varied) == 1:
        return line_figure(result, key, varied[0], target)
    if len(varied) == 2:
        return heatmap_figure(result, key, varied[0], varied[1], target)
    return None
