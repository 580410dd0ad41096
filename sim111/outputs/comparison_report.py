"""``compare.html``: scenarios side by side, their KPIs against targets and paired differences.

Built from a :class:`~sim111.experiments.compare.Comparison` only, in the style of
``report.html`` (:mod:`sim111.outputs.report`): one self-contained file, the
differences figure embedded as PNG (base64).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from sim111.experiments.compare import Comparison
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.comparison_checks import (
    NOT_COMPARABLE,
    PER_DAY,
    common_random_numbers,
    compared_differences,
    compared_keys,
    comparison_warnings,
    difference_ci,
    difference_text,
    population,
    run_differences,
    verdict,
)
from sim111.outputs.comparison_headline import comparison_headline_html
from sim111.outputs.files import DEFAULT_SWEEP_KPIS, target_marks
from sim111.outputs.folders import csv_writer, replace_folder
from sim111.outputs.formatting import _fmt, plural
from sim111.outputs.jsonsafe import json_text
from sim111.outputs.plots import differences_figure
from sim111.outputs.provenance import comparison_provenance
from sim111.outputs.report import STYLE, png_bytes
from sim111.outputs.warnings import all_warnings, warnings_section_html
from sim111.scenario.warnings import PlannerWarning

MARK_CSS = {"met": "met", "MISSED": "missed"}
NOWRAP = "#differences td:nth-child(n+2), #levels td:nth-child(n+2) { white-space: nowrap; }\n"
DIFFERENCE_COLUMNS = ["scenario", "kpi", "baseline", "mean", "difference", "ci_low", "ci_high"]


def _ci(kpi: Kpi, low: float, high: float) -> str:
    return "" if math.isnan(low) else f"{_fmt(kpi, low)} – {_fmt(kpi, high)}"


def kpi_label(kpi: Kpi) -> str:
    """A KPI's label, with its unit where the values do not show it: 'Mean time to answer (s)'."""
    return kpi.label + ("" if kpi.unit in ("fraction", "calls", "GBP") else f" ({kpi.unit})")


def _mark(status: str) -> str:
    if not status:
        return ""
    css = MARK_CSS.get(status, "unattainable")
    return f' <span class="{css}">{html.escape(status)}</span>'


def level_keys(comparison: Comparison) -> list[str]:
    """KPIs a comparison's tables show, in registry order: defined in at least one scenario and
    of a feature at least one uses (:func:`~sim111.outputs.comparison_checks.compared_keys`)."""
    keys: list[str] = []
    for result in comparison.results:
        keys += [str(k) for k in result.summary.index if k not in keys]
    return compared_keys(comparison, keys)


def _level_rows(comparison: Comparison) -> str:
    marks = [target_marks(r) for r in comparison.results]
    rows = []
    for key in level_keys(comparison):
        kpi = kpi_info(key)
        targets = {m[key][0].text() for m in marks if key in m}
        cells = []
        for i, (result, mark) in enumerate(zip(comparison.results, marks, strict=True)):
            if key not in result.summary.index or pd.isna(result.summary.loc[key, "mean"]):
                cells.append(f'<td data-kpi="{key}" data-scenario="{i}">-</td>')
                continue
            row = result.summary.loc[key]
            status = mark[key][1] if key in mark else ""
            cells.append(
                f'<td data-kpi="{key}" data-scenario="{i}">{_fmt(kpi, row["mean"])}'
                f"{_mark(status)}<br>"
                f"<small>{_ci(kpi, row['ci_low'], row['ci_high'])}</small></td>"
            )
        rows.append(
            f'<tr data-kpi="{html.escape(key)}"><td>{html.escape(kpi_label(kpi))}</td>'
            f"<td>{html.escape(' | '.join(sorted(targets)))}</td>{''.join(cells)}</tr>"
        )
    return "\n".join(rows)


def _difference_rows(diffs: pd.DataFrame, keys: list[str]) -> str:
    rows = []
    for r in diffs[diffs["kpi"].isin(keys)].itertuples():
        key = str(r.kpi)
        if pd.isna(r.difference):
            continue
        kpi = kpi_info(key)
        label = kpi_label(kpi) + (f" {PER_DAY}" if r.basis == PER_DAY else "")
        values = f"<td>{_fmt(kpi, r.baseline)}</td><td>{_fmt(kpi, r.mean)}</td>"
        judged = NOT_COMPARABLE if r.basis == NOT_COMPARABLE else verdict(kpi, r.ci_low, r.ci_high)
        rows.append(
            f'<tr data-kpi="{html.escape(key)}" data-scenario="{html.escape(str(r.scenario))}">'
            f"<td>{html.escape(label)}</td><td>{html.escape(str(r.scenario))}</td>{values}"
            f"<td>{difference_text(kpi, r.difference)}</td>"
            f"<td>{difference_ci(kpi, r.ci_low, r.ci_high, ' to ')}</td><td>{judged}</td></tr>"
        )
    return "\n".join(rows)


def _compared(comparison: Comparison, sources: Sequence[str]) -> str:
    rows = []
    for i, result in enumerate(comparison.results):
        s = result.scenario
        role = "baseline" if i == 0 else str(i)
        source = html.escape(sources[i]) if i < len(sources) else ""
        rows.append(
            f"<tr><td>{role}</td><td>{html.escape(s.name)}</td><td>{source}</td>"
            f"<td>{html.escape(s.run.length_text)} from {s.run.start_date}</td>"
            f"<td>{population(s):,}</td><td>{result.replications}</td><td>{result.seed}</td></tr>"
        )
    return "\n".join(rows)


def how_compared(comparison: Comparison) -> str:
    """The paragraph saying how far the pairing goes: common random numbers only for alike runs."""
    base = comparison.results[0]
    reps = plural(base.replications, "replication")
    if common_random_numbers(comparison):
        return (
            f"Every scenario ran the same {reps} with seed {base.seed}: common random numbers, "
            "so replication <i>r</i> of each meets the same callers and differences come from "
            "the scenarios, not from luck. Differences are taken replication by replication "
            "(paired) and summarised with 95% t-intervals."
        )
    differ = run_differences([r.scenario for r in comparison.results])
    what = " and ".join(differ) or "seeds or replications"
    totals = {
        "run lengths": f" Totals (calls, hours, costs) are compared {PER_DAY}.",
        "populations": f" Totals are {NOT_COMPARABLE}.",
    }
    return (
        f"The scenarios' {html.escape(what)} differ, so replication <i>r</i> of each does not "
        "meet the same callers: differences are still taken replication by replication "
        "(paired, 95% t-intervals) but include luck the pairing cannot remove, and the "
        f"intervals allow for it.{''.join(totals.get(w, '') for w in differ)}"
    )


def _warnings(comparison: Comparison) -> str:
    told = list(comparison_warnings([r.scenario for r in comparison.results]))
    for result in comparison.results:
        told += [
            PlannerWarning(w.code, f"{result.scenario.name}: {w.message}", w.where)
            for w in all_warnings(result)
        ]
    return warnings_section_html(told)


def comparison_html(
    comparison: Comparison,
    png: bytes | None = None,
    sources: Sequence[str] = (),
    kpis: Sequence[str] = DEFAULT_SWEEP_KPIS,
) -> str:
    """The whole comparison as one HTML document; ``png``: the differences figure; ``kpis``:
    those the headline speaks of."""
    diffs = compared_differences(comparison)
    keys = level_keys(comparison)
    names = "".join(
        f"<th>{'baseline: ' if i == 0 else f'{i}: '}{html.escape(r.scenario.name)}</th>"
        for i, r in enumerate(comparison.results)
    )
    figure = (
        ""
        if png is None
        else f'<figure><img alt="differences" src="data:image/png;base64,'
        f"{base64.b64encode(png).decode()}\"><figcaption>Each scenario's difference from "
        "the baseline, paired by replication, with its 95% interval.</figcaption></figure>"
    )
    title = " vs ".join(r.scenario.name for r in comparison.results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sim111 comparison: {html.escape(title)}</title><style>{STYLE}{NOWRAP}</style></head>
<body>
<h1>NHS 111 simulation: comparison of {len(comparison.results)} scenarios</h1>
{comparison_headline_html(comparison, diffs, compared_keys(comparison, kpis))}
{_warnings(comparison)}
<p>Generated by sim111 on {dt.date.today():%d %B %Y}.</p>
<h2>What was compared</h2>
<p id="pairing">{how_compared(comparison)}</p>
<table id="compared"><thead><tr><th></th><th>scenario</th><th>file</th><th>period</th>
<th>population</th><th>replications</th><th>seed</th></tr></thead><tbody>
{_compared(comparison, sources)}
</tbody></table>
<h2>Key performance indicators</h2>
<p>Mean over replications, 95% interval below it, marked against each scenario's own
targets ([targets]).</p>
<table id="levels"><thead><tr><th>KPI</th><th>target</th>{names}</tr></thead><tbody>
{_level_rows(comparison)}
</tbody></table>
<h2>Differences from the baseline</h2>
{figure}
<p>Differences of shares are in percentage points.</p>
<table id="differences"><thead><tr><th>KPI</th><th>scenario</th><th>baseline</th>
<th>scenario mean</th><th>difference</th><th>95% CI</th><th></th></tr></thead><tbody>
{_difference_rows(diffs, keys)}
</tbody></table>
</body></html>
"""


def write_comparison(
    out: str | Path, comparison: Comparison, kpis: Sequence[str], sources: Sequence[str] = ()
) -> list[Path]:
    """``comparison.csv``, ``comparison.png`` (``kpis``), ``compare.html`` and
    ``provenance.json``, replacing ``out``.

    The CSV has every KPI's raw paired differences (totals over each run); the figure
    and the report compare totals per day when run lengths differ
    (:func:`~sim111.outputs.comparison_checks.compared_differences`).
    """
    diffs = comparison.differences
    compared = compared_differences(comparison)
    drawn = compared[compared["basis"] != NOT_COMPARABLE]
    shown = tuple(k for k in compared_keys(comparison, kpis) if k in set(drawn["kpi"]))
    figure = replace(comparison, differences=drawn)
    png = png_bytes(differences_figure(figure, shown)) if shown else None
    writers = {"comparison.csv": csv_writer(diffs, DIFFERENCE_COLUMNS)}
    if png is not None:
        writers["comparison.png"] = lambda p: p.write_bytes(png)
    writers["compare.html"] = lambda p: p.write_text(
        comparison_html(comparison, png, sources, kpis)
    )
    writers["provenance.json"] = lambda p: p.write_text(
        json_text(comparison_provenance(comparison)) + "\n", encoding="utf-8"
    )
    return replace_folder(out, writers)
