"""``sweep.html`` and the files of ``sim111 sweep --out``.

One self-contained page in the style of ``report.html``: the warnings the
command line told (the base scenario's, each point's), for each KPI a figure
(:mod:`sim111.outputs.sweep_plots`: a line chart with its 95% band against one
swept parameter, a heat-map of two) with the scenario's target or, for cost per
answered call, the contract price, then a table of every point with each KPI's
mean, 95% CI and mark against the target.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from collections.abc import Sequence
from pathlib import Path

from sim111.experiments.sweep import SweepResult
from sim111.experiments.warnings import sweep_result_warnings, sweep_scenario_warnings
from sim111.kpi_keys import kpi_info
from sim111.outputs.comparison_report import kpi_label
from sim111.outputs.folders import csv_writer, replace_folder
from sim111.outputs.formatting import _fmt, gbp, plural
from sim111.outputs.jsonsafe import json_text
from sim111.outputs.provenance import sweep_provenance
from sim111.outputs.report import STYLE, png_bytes
from sim111.outputs.sweep_plots import (
    Reference,
    draws_reference,
    parameter_label,
    sweep_figure,
    varied_parameters,
)
from sim111.outputs.warnings import warnings_section_html
from sim111.scenario import Scenario
from sim111.scenario.targets import Target, kpi_targets

MARK_CSS = {"met": "met", "MISSED": "missed"}


def swept_keys(result: SweepResult) -> list[str]:
    """Every key any point sets, sorted (the columns of the sweep's frames)."""
    return sorted({k for p in result.points for k in p})


def sweep_targets(scenario: Scenario, result: SweepResult) -> dict[str, Target]:
    """The scenario's targets, except those the sweep itself varies (``targets.KEY``)."""
    swept = swept_keys(result)
    return {k: t for k, t in kpi_targets(scenario).items() if f"targets.{k}" not in swept}


def reference(
    scenario: Scenario, result: SweepResult, key: str, targets: dict[str, Target]
) -> Reference | None:
    """The dashed line of ``key``'s figure: its target; for cost per answered call the
    contract price per call, unless the sweep varies it; else ``None``."""
    if key in targets:
        return Reference(targets[key].value, f"target {targets[key].text()}")
    price = scenario.costs.price_per_call_gbp
    if (
        key == "cost_per_call_gbp"
        and price is not None
        and "costs.price_per_call_gbp" not in swept_keys(result)
    ):
        return Reference(price, f"contract price {gbp(price)}")
    return None


def shown_kpis(result: SweepResult, kpis: Sequence[str]) -> list[str]:
    """The KPIs of ``kpis`` with a value at some point of the sweep."""
    summary = result.summary
    if not len(summary):
        return []
    defined = set(summary.loc[summary["mean"].notna(), "kpi"])
    return [k for k in kpis if k in defined]


def _cell(key: str, point: int, result: SweepResult, target: Target | None) -> str:
    kpi = kpi_info(key)
    rows = result.summary[(result.summary["point"] == point) & (result.summary["kpi"] == key)]
    if rows.empty:
        return f'<td data-point="{point}" data-kpi="{key}">-</td>'
    r = rows.iloc[0]
    ci = "" if math.isnan(r["ci_low"]) else f"{_fmt(kpi, r['ci_low'])} – {_fmt(kpi, r['ci_high'])}"
    status = "" if target is None else target.status(float(r["mean"]))
    mark = (
        f' <span class="{MARK_CSS.get(status, "unattainable")}">{html.escape(status)}</span>'
        if status
        else ""
    )
    return (
        f'<td data-point="{point}" data-kpi="{key}">{_fmt(kpi, r["mean"])}{mark}<br>'
        f"<small>{ci}</small></td>"
    )


def _table(result: SweepResult, keys: list[str], targets: dict[str, Target]) -> str:
    swept = swept_keys(result)
    head = "".join(f"<th>{html.escape(parameter_label(k))}</th>" for k in swept)
    head += "".join(
        f"<th>{html.escape(kpi_label(kpi_info(k)))}"
        + (f"<br><small>target {html.escape(targets[k].text())}</small>" if k in targets else "")
        + "</th>"
        for k in keys
    )
    rows = []
    for i, point in enumerate(result.points):
        values = "".join(f"<td>{html.escape(str(point.get(k, '')))}</td>" for k in swept)
        cells = "".join(_cell(k, i, result, targets.get(k)) for k in keys)
        rows.append(f'<tr data-point="{i}"><td>{i}</td>{values}{cells}</tr>')
    body = "\n".join(rows)
    return (
        f'<table id="points"><thead><tr><th>point</th>{head}</tr></thead><tbody>\n'
        f"{body}\n</tbody></table>"
    )


def _figures(
    result: SweepResult, keys: list[str], targets: dict[str, Target], scenario: Scenario
) -> str:
    parts = []
    line_chart = len(varied_parameters(result)) == 1
    how = "95% interval shaded" if line_chart else "95% intervals in the table below"
    for key in keys:
        line = reference(scenario, result, key, targets)
        fig = sweep_figure(result, key, line)
        if fig is None:
            continue
        data = base64.b64encode(png_bytes(fig)).decode()
        label = html.escape(kpi_info(key).label)
        dashed = (
            f"; dashed: {html.escape(line.text)}"
            if line is not None and draws_reference(result, key, line)
            else ""
        )
        parts.append(
            f'<figure id="figure-{key}"><img alt="{label}" src="data:image/png;base64,{data}">'
            f"<figcaption>{label}: mean over replications at each point, {how}"
            f"{dashed}.</figcaption></figure>"
        )
    return "\n".join(parts)


def _replications(result: SweepResult) -> int:
    return int(result.kpis.groupby("point").size().max()) if len(result.kpis) else 0


def sweep_html(name: str, result: SweepResult, scenario: Scenario, kpis: Sequence[str]) -> str:
    """The whole sweep as one HTML document (figures embedded) for the KPIs ``kpis``."""
    keys = shown_kpis(result, kpis)
    targets = sweep_targets(scenario, result)
    varied = varied_parameters(result)
    shape = {1: "a line chart against", 2: "a heat-map over"}.get(len(varied))
    how = (
        f"Each KPI is drawn as {shape} "
        f"{html.escape(' and '.join(parameter_label(k) for k in varied))}."
        if shape
        else "More or fewer than two parameters vary: the table below has every point."
    )
    failed = len(result.failures)
    size = (
        f"{plural(len(result.points), 'point')} × {plural(_replications(result), 'replication')}"
        f", seed {result.seed}"
    )
    told = [
        *sweep_scenario_warnings(scenario, result.points),
        *sweep_result_warnings(scenario, result),
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sim111 sweep: {html.escape(name)}</title><style>{STYLE}</style></head>
<body>
<h1>NHS 111 simulation sweep: {html.escape(name)}</h1>
<p>Scenario {html.escape(scenario.name)}: {html.escape(scenario.description)}</p>
{warnings_section_html(told)}
<p>Generated by sim111 on {dt.date.today():%d %B %Y}. {size};
every point ran the same
replications with the same seed (common random numbers), so differences between points
come from the parameters. Intervals are 95% t-intervals across replications.
{f"{failed} replication(s) failed (failures.csv)." if failed else ""}</p>
<h2>KPIs against the swept parameters</h2>
<p>{how}</p>
{_figures(result, keys, targets, scenario)}
<h2>Every point</h2>
{_table(result, keys, targets)}
</body></html>
"""


def write_sweep(
    out: str | Path, name: str, result: SweepResult, scenario: Scenario, kpis: Sequence[str]
) -> list[Path]:
    """The sweep's frames as CSV, ``sweep.html`` and ``provenance.json``, replacing ``out``.

    Every CSV has its header row even when empty (``failures.csv`` of a clean sweep).
    """
    swept = swept_keys(result)
    stats = ["kpi", "mean", "ci_low", "ci_high", "n"]
    writers = {
        "kpis_by_replication.csv": csv_writer(result.kpis, ["point", *swept, "replication"]),
        "summary.csv": csv_writer(result.summary, ["point", *swept, *stats]),
        "intervals.csv": csv_writer(result.intervals, ["point", "replication"]),
        "failures.csv": csv_writer(
            result.failures, ["point", *swept, "replication", "seed", "error"]
        ),
        "sweep.html": lambda p: p.write_text(sweep_html(name, result, scenario, kpis)),
        "provenance.json": lambda p: p.write_text(
            json_text(sweep_provenance(result, scenario)) + "\n", encoding="utf-8"
        ),
    }
    return replace_folder(out, writers)
