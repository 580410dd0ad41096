"""Back-tests and calibrations as text, JSON, a figure and a fitted scenario file."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import tomli_w

from sim111.calibration.backtest import Backtest, percent_points
from sim111.kpi_keys import kpi_info

if TYPE_CHECKING:  # scipy.optimize loads only when a calibration runs
    from sim111.calibration.calibrate import Calibration


def _fmt(x: float, unit: str) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.1f}" if unit in ("%", "calls") else f"{x:.3g}"


def backtest_table(result: Backtest) -> str:
    """Observed against simulated per period and KPI, percentages in points."""
    shown = percent_points(result.table)
    head = (
        f"Back-test of {result.scenario.name} against {result.observations.source}: "
        f"{result.replications} replications per period, seed {result.seed}.\n"
        "Fractions in %; CI = 95% interval of the simulated mean.\n\n"
    )
    lines = [f"{'period':<23}{'KPI':<36}{'observed':>9}{'simulated':>10}{'95% CI':>17}{'diff':>7}"]
    for row in shown.itertuples():
        unit = "%" if kpi_info(str(row.kpi)).unit == "fraction" else "calls"
        label = (
            "Calls offered per day"
            if row.kpi == "calls_offered_per_day"
            else kpi_info(str(row.kpi)).label
        )
        ci = f"{_fmt(row.ci_low, unit)}..{_fmt(row.ci_high, unit)}"
        lines.append(
            f"{row.period:<23}{label[:35]:<36}{_fmt(row.observed, unit):>9}"
            f"{_fmt(row.simulated, unit):>10}{ci:>17}{row.difference:>+7.1f}"
        )
    worst = [
        f"{kpi_info(k).label}: {result.worst(k) * 100:.2f} points"
        for k in result.observations.kpis
        if kpi_info(k).unit == "fraction"
    ]
    return head + "\n".join(lines) + "\n\nLargest miss: " + "; ".join(worst)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def backtest_json(result: Backtest) -> dict[str, Any]:
    """The back-test as JSON-ready data (fractions as fractions)."""
    return {
        "scenario": result.scenario.name,
        "observed": result.observations.source,
        "replications": result.replications,
        "seed": result.seed,
        "rows": _records(result.table),
        "failures": len(result.failures),
    }


def calibration_table(result: Calibration) -> str:
    """The fitted values with their uncertainty, then the fit per period."""
    lines = [
        f"Calibration of {result.base.name} to {result.observations.source} "
        f"({len(result.observations.periods)} periods, {len(result.design)} design points).",
        "",
        f"{'parameter':<34}{'fitted':>10}{'s.e.':>9}{'95% CI':>19}{'searched':>17}",
    ]
    for row in result.estimates.itertuples():
        ci = f"{row.ci_low:.3g}..{row.ci_high:.3g}"
        searched = f"{row.low:g}..{row.high:g}"
        flag = "  at the edge of the range searched" if row.at_bound else ""
        lines.append(f"{row.key:<34}{row.value:>10.4g}{row.se:>9.2g}{ci:>19}{searched:>17}{flag}")
    if not np.isfinite(result.estimates["se"]).all():
        lines.append(
            "A value without a finite s.e. is not determined by these observations "
            "(too few, or they do not depend on it)."
        )
    lines += [
        "",
        f"Residual scale {result.residual_scale:.2f} (misses of the fitted scenario in KPI "
        "scales: 1 point answered in 60 s, 0.25 abandoned, 2.5 call-backs in 10 min).",
        f"Surface against simulation at the fitted values: largest gap "
        f"{result.surface_gap:.2f} KPI scales"
        + (
            " (over 1: the surface was off there; try more --points or --stages)."
            if result.surface_gap > 1
            else "."
        ),
        "",
        backtest_table(result.fit),
    ]
    return "\n".join(lines)


def calibration_json(result: Calibration) -> dict[str, Any]:
    """The calibration as JSON-ready data."""
    return {
        "scenario": result.base.name,
        "observed": result.observations.source,
        "estimates": _records(result.estimates),
        "residual_scale": _clean(result.residual_scale),
        "surface_gap": _clean(result.surface_gap),
        "design_points": len(result.design),
        "fit": backtest_json(result.fit),
    }


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b.c": v}`` as nested tables (list indices become index tables ``[a.0]``)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def fitted_toml(result: Calibration, base_path: str | Path, out_path: str | Path) -> str:
    """A scenario file that ``extends`` the base and sets the fitted values.

    Its header says what was fitted, to what, how, and with what uncertainty.
    """
    base = Path(base_path).resolve()
    relative = os.path.relpath(base, Path(out_path).resolve().parent)
    header = [
        f"Calibrated by `sim111 calibrate` on {dt.date.today()}: {base.name} fitted to",
        f"{result.observations.source} ({len(result.observations.periods)} periods).",
        "Fitted values (95% CI, response-surface least squares; see docs/calibration.md):",
    ]
    for row in result.estimates.itertuples():
        note = "" if math.isfinite(row.se) else "  NOT DETERMINED by these observations"
        note += "  AT THE EDGE of the range searched" if row.at_bound else ""
        header.append(f"  {row.key} = {row.value:.4g} ({row.ci_low:.3g}..{row.ci_high:.3g}){note}")
    data = {"extends": relative.replace(os.sep, "/"), "name": f"{result.base.name}-calibrated"}
    data.update(_nested(result.values()))
    return "".join(f"# {line}\n" for line in header) + tomli_w.dumps(data)


def backtest_figure(result: Backtest) -> Any:
    """Observed (points) against simulated (bars with 95% CIs), one panel per KPI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = percent_points(result.table)
    kpis = [k for k in dict.fromkeys(shown["kpi"]) if k != "calls_offered_per_day"]
    fig, axes = plt.subplots(1, len(kpis), figsize=(4.2 * len(kpis), 3.6), squeeze=False)
    for ax, kpi in zip(axes[0], kpis, strict=True):
        rows = shown[shown["kpi"] == kpi]
        x = range(len(rows))
        err = [rows["simulated"] - rows["ci_low"], rows["ci_high"] - rows["simulated"]]
        ax.errorbar(x, rows["simulated"], yerr=err, fmt="s", color="#005eb8", label="simulated")
        ax.plot(x, rows["observed"], "o", color="#d5281b", label="observed")
        ax.set_xticks(list(x), [p[:7] for p in rows["period"]], rotation=45, ha="right")
        ax.set_title(kpi_info(kpi).label, fontsize=9)
        ax.set_ylabel("%" if kpi_info(kpi).unit == "fraction" else kpi_info(kpi).unit)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(
        f"{result.scenario.name}: back-test against {Path(result.observations.source).name}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
