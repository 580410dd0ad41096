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
from pathlib import Path

import pandas as pd

from sim111.experiments.compare import Comparison
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.areas import is_area_key
from sim111.outputs.files import target_marks
from sim111.outputs.folders import csv_writer, replace_folder
from sim111.outputs.formatting import _fmt
from sim111.outputs.plots import differences_figure
from sim111.outputs.report import STYLE, png_bytes

MARK_CSS = {"met": "met", "MISSED": "missed"}
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
    """KPIs defined in at least one scenario (areas' own KPIs left out), in registry order."""
    keys: list[str] = []
    for result in comparison.results:
        summary = result.summary
        for key in summary.index[summary["n"] > 0]:
            if not is_area_key(key) and key not in keys:
                keys.append(str(key))
    return keys


def _level_rows(comparison: Comparison) -> str:
    marks = [target_marks(r) for r in comparison.results]
    rows = []
    for key in level_keys(comparison):
        kpi = kpi_info(key)
        targets = {m[key][0].text() for m in marks if key in m}
        cells = []
        for i, (result, mark) in enumerate(zip(comparison.results, marks, strict=True)):
            if key not in result.summary.index:
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


def verdict(kpi: Kpi, low: float, high: float) -> str:
    """What a paired 95% CI of a difference says: better, worse, higher, lower, or unclear."""
    if math.isnan(low):
        return "-"
    if low == high == 0:
        return "identical"
    if low <= 0 <= high:
        return "no clear difference"
    up = low > 0
    if not kpi.better:
        return "higher" if up else "lower"
    return "better" if up == (kpi.better == "higher") else "worse"


def _difference_rows(comparison: Comparison) -> str:
    rows = []
    for r in comparison.differences.itertuples():
        key = str(r.kpi)
        if is_area_key(key) or pd.isna(r.difference):
            continue
        kpi = kpi_info(key)
        values = "".join(f"<td>{_fmt(kpi, v)}</td>" for v in (r.baseline, r.mean, r.difference))
        rows.append(
            f'<tr data-kpi="{html.escape(key)}" data-scenario="{html.escape(str(r.scenario))}">'
            f"<td>{html.escape(kpi_label(kpi))}</td><td>{html.escape(str(r.scenario))}</td>{values}"
            f"<td>{_ci(kpi, r.ci_low, r.ci_high)}</td>"
            f"<td>{verdict(kpi, r.ci_low, r.ci_high)}</td></tr>"
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
            f"<td>{result.replications}</td><td>{result.seed}</td></tr>"
        )
    return "\n".join(rows)


def comparison_html(
    comparison: Comparison, png: bytes | None = None, sources: Sequence[str] = ()
) -> str:
    """The whole comparison as one HTML document; ``png``: the differences figure."""
    base = comparison.results[0]
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
<title>sim111 comparison: {html.escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>NHS 111 simulation: comparison of {len(comparison.results)} scenarios</h1>
<p>Generated by sim111 on {dt.date.today():%d %B %Y}.</p>
<h2>What was compared</h2>
<p>Every scenario ran replications 0..{base.replications - 1} with seed {base.seed}: common
random numbers, so replication <i>r</i> of each meets the same callers and differences come
from the scenarios, not from luck. Differences are taken replication by replication (paired)
and summarised with 95% t-intervals.</p>
<table id="compared"><thead><tr><th></th><th>scenario</th><th>file</th><th>period</th>
<th>replications</th><th>seed</th></tr></thead><tbody>
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
<table id="differences"><thead><tr><th>KPI</th><th>scenario</th><th>baseline</th>
<th>scenario mean</th><th>difference</th><th>95% CI</th><th></th></tr></thead><tbody>
{_difference_rows(comparison)}
</tbody></table>
</body></html>
"""


def write_comparison(
    out: str | Path, comparison: Comparison, kpis: Sequence[str], sources: Sequence[str] = ()
) -> list[Path]:
    """``comparison.csv``, ``comparison.png`` (``kpis``) and ``compare.html``, replacing ``out``."""
    diffs = comparison.differences
    shown = tuple(k for k in kpis if k in set(diffs["kpi"]))
    png = png_bytes(differences_figure(comparison, shown)) if shown else None
    writers = {"comparison.csv": csv_writer(diffs, DIFFERENCE_COLUMNS)}
    if png is not None:
        writers["comparison.png"] = lambda p: p.write_bytes(png)
    writers["compare.html"] = lambda p: p.write_text(comparison_html(comparison, png, sources))
    return replace_folder(out, writers)
