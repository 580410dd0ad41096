"""Per-area results of a multi-area scenario: a table for the CLI and report, a tidy frame.

The summary of a run with ``[[areas]]`` holds every area's KPIs under
``area.<name>.<key>``; here they become one row per area. Areas are marked
against their own targets (an area may set its own ``[targets]``).
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import AREA_PREFIX, kpi_info
from sim111.outputs.formatting import _fmt, render_table
from sim111.scenario.targets import kpi_targets

# the columns of the per-area table, when the run has them
AREA_COLUMNS = (
    ("population", "people"),
    ("calls_offered", "offered"),
    ("answered_within_60s", "<=60 s"),
    ("abandoned_after_30s", "abandoned >30 s"),
    ("callback_within_10min", "call-backs <=10 min"),
    ("advisor_utilisation", "advisor use"),
    ("answered_by_other_area", "answered elsewhere"),
    ("mutual_aid_calls_sent", "mutual aid sent"),
    ("mutual_aid_calls_taken", "mutual aid taken"),
    ("cost_per_call_gbp", "cost/call"),
    ("break_even_price_per_call_gbp", "break-even"),
)


LABEL_WIDTH = 40  # an area's label in the plain-text table (the report shows it whole)


def is_area_key(key: str) -> bool:
    """Whether ``key`` is one area's KPI (``area.<name>.<key>``)."""
    return key.startswith(AREA_PREFIX) and key.count(".") >= 2


def area_summary(result: ExperimentResult) -> pd.DataFrame:
    """One row per (area, KPI): mean, CI, the area's target and its mark."""
    summary = result.summary
    scenario = result.scenario
    rows: list[dict[str, Any]] = []
    for area, own in zip(scenario.areas, scenario.area_scenarios, strict=True):
        targets = kpi_targets(own)
        prefix = f"{AREA_PREFIX}{area.name}."
        for key in summary.index:
            if not key.startswith(prefix):
                continue
            kpi = key.removeprefix(prefix)
            row = summary.loc[key]
            target = targets.get(kpi)
            mean = float(row["mean"])
            rows.append(
                {
                    "area": area.name,
                    "label": area.shown,
                    "contract": area.contract_name,
                    "kpi": kpi,
                    "mean": mean,
                    "ci_low": float(row["ci_low"]),
                    "ci_high": float(row["ci_high"]),
                    "target": None if target is None else target.value,
                    "status": None if target is None else (target.status(mean) or None),
                }
            )
    return pd.DataFrame(rows)


def areas_json(result: ExperimentResult) -> dict[str, Any]:
    """``{area: {"label", "contract", "kpis": {key: {mean, ci_low, ci_high[, target,
    status]}}}}`` for the JSON output (NaN becomes ``null``)."""
    out: dict[str, Any] = {}
    for area in result.scenario.areas:
        out[area.name] = {"label": area.shown, "contract": area.contract_name, "kpis": {}}
    for row in area_summary(result).itertuples(index=False):
        entry = {k: _clean(getattr(row, k)) for k in ("mean", "ci_low", "ci_high")}
        if row.target is not None and not pd.isna(row.target):
            entry.update(target=float(row.target), status=row.status)
        out[row.area]["kpis"][row.kpi] = entry
    return out


def _clean(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def area_means(result: ExperimentResult) -> pd.DataFrame:
    """Areas x KPIs: the mean of each (index: area identifiers, in scenario order)."""
    tidy = area_summary(result)
    if tidy.empty:
        return pd.DataFrame()
    wide = tidy.pivot(index="area", columns="kpi", values="mean")
    return wide.reindex([a.name for a in result.scenario.areas])


def area_table(result: ExperimentResult) -> str:
    """A plain-text table, one row per area: headline KPIs and the targets missed."""
    tidy = area_summary(result)
    if tidy.empty:
        return ""
    means = area_means(result)
    columns = [(k, name) for k, name in AREA_COLUMNS if k in means.columns]
    if "answered_by_other_area" in means.columns and not means["answered_by_other_area"].any():
        columns = [(k, n) for k, n in columns if k != "answered_by_other_area"]
    rows = [["area", *[name for _, name in columns], "targets missed"]]
    missed = tidy[tidy["status"] == "MISSED"].groupby("area")["kpi"].apply(list)
    for area in result.scenario.areas:
        shown = area.shown
        cells = [shown if len(shown) <= LABEL_WIDTH else shown[: LABEL_WIDTH - 1] + "…"]
        for key, _ in columns:
            value = float(means.loc[area.name, key])
            cells.append(_fmt(kpi_info(key), value) if not math.isnan(value) else "-")
        cells.append(", ".join(_short(k) for k in missed.get(area.name, [])))
        rows.append(cells)
    return f"By area ({len(result.scenario.areas)} areas, means):\n\n" + render_table(rows)


def area_section_html(result: ExperimentResult) -> str:
    """The report's section by area: one row per area, targets missed in red ('' if one area)."""
    if not result.scenario.areas:
        return ""
    means = area_means(result)
    tidy = area_summary(result)
    columns = [(k, name) for k, name in AREA_COLUMNS if k in means.columns]
    missed = tidy[tidy["status"] == "MISSED"].groupby("area")["kpi"].apply(set)
    head = "".join(f"<th>{html.escape(name)}</th>" for _, name in columns)
    rows = []
    for area in result.scenario.areas:
        cells = []
        for key, _ in columns:
            text = html.escape(_fmt(kpi_info(key), float(means.loc[area.name, key])))
            css = ' class="missed"' if key in missed.get(area.name, set()) else ""
            cells.append(f"<td{css}>{text}</td>")
        rows.append(f"<tr><td>{html.escape(area.shown)}</td>{''.join(cells)}</tr>")
    return (
        f"<h2>By area</h2>\n<p>{len(rows)} areas, means over the replications; values "
        "that miss the area's target in red. <code>areas.csv</code> has every KPI of "
        "every area with its interval.</p>\n"
        f'<table id="areas"><thead><tr><th>area</th>{head}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _short(key: str) -> str:
    names = dict(AREA_COLUMNS)
    return names.get(key, key)
