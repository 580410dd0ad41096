"""Day by day (and week by week, month by month): a table for the CLI, JSON, CSV, HTML.

Whole-run means average a bad day away: over Easter 2013 most days answer
calls well, Good Friday does not. Everything here is a function of
:meth:`ExperimentResult.period_summary
<sim111.experiments.replications.ExperimentResult.period_summary>`: each
period's mean across replications with its 95% t-interval, marked against the
scenario's ``[targets]`` as the run-level KPIs are
(:mod:`sim111.scenario.targets`). Periods wholly in the warm-up are left out
of the tables (the JSON and CSV keep them, flagged ``in_warmup``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.measures.periods import LABEL_COLUMNS, PERIOD_KINDS
from sim111.outputs.days import period_label, used_columns
from sim111.outputs.formatting import _fmt, plural, render_table
from sim111.scenario.targets import Target, kpi_targets

WEEKS_FROM_DAYS = 14  # by_week.csv / JSON weeks: at least two weeks' run
MONTHS_FROM_DAYS = 60  # by_month.csv / JSON months: at least two months' run
# the columns of the plain-text table: KPI key, heading
TABLE_COLUMNS = (
    ("calls_offered", "offered"),
    ("answered_within_60s", "answered <=60 s"),
    ("abandoned_after_30s", "abandoned >30 s"),
    ("callback_within_10min", "call-backs <=10 min"),
)
# the report's table has a few more
HTML_COLUMNS = (
    ("calls_offered", "calls offered"),
    ("answered_within_60s", "answered within 60 s"),
    ("abandoned_after_30s", "abandoned after 30 s"),
    ("abandoned", "abandoned, all"),
    ("callback_within_10min", "call-backs made within 10 min"),
    ("mean_answer_s", "mean time to answer (s)"),
    ("advisor_utilisation", "advisor utilisation"),
)
TITLES = {"day": "Day by day", "week": "Week by week", "month": "Month by month"}
STATS = (("mean", ""), ("ci_low", "_ci_low"), ("ci_high", "_ci_high"))  # name, column suffix


def period_kinds(result: ExperimentResult) -> tuple[str, ...]:
    """The kinds of period worth writing for ``result``'s run: days always, weeks
    from a run of :data:`WEEKS_FROM_DAYS` days, months from :data:`MONTHS_FROM_DAYS`."""
    days = result.scenario.run.calendar_days
    return tuple(
        kind
        for kind, least in zip(PERIOD_KINDS, (0, WEEKS_FROM_DAYS, MONTHS_FROM_DAYS), strict=True)
        if days >= least
    )


def _shown(summary: pd.DataFrame) -> pd.DataFrame:
    """The periods a table shows: those not wholly in the warm-up."""
    return summary[~summary["in_warmup"].astype(bool)] if len(summary) else summary


def day_type_text(day_type: object) -> str:
    """``bank holiday`` for ``bank_holiday``; '' for a week or month."""
    return str(day_type).replace("_", " ") if isinstance(day_type, str) else ""


def _mark(targets: dict[str, Target], key: str, mean: float) -> str:
    target = targets.get(key)
    return "" if target is None else target.status(mean)


def _cell(row: pd.Series, key: str) -> str:
    """``47.0% (38.9-55.1)``: the mean and its 95% CI, compactly."""
    kpi = kpi_info(key)
    mean, low, high = (float(row[key + t]) for _, t in STATS)
    if kpi.unit != "fraction" or math.isnan(low):
        return _fmt(kpi, mean)
    return f"{_fmt(kpi, mean)} ({100 * low:.1f}-{100 * high:.1f})"


def periods_table(result: ExperimentResult, kind: str = "day") -> str:
    """A plain-text table, one row per period: calls offered and the targeted shares
    with their 95% CIs, each marked met or MISSED against the scenario's targets."""
    summary = _shown(result.period_summary(kind))
    targets = kpi_targets(result.scenario)
    keep = used_columns(result, list(summary.columns))
    columns = [(k, name) for k, name in TABLE_COLUMNS if k in keep]
    warmup = result.scenario.run.warmup_min
    head = [kind, *(["day type"] if kind == "day" else []), *(name for _, name in columns)]
    rows = [head]
    for _, row in summary.iterrows():
        label = period_label(row, warmup, kind)
        cells = [label, *([day_type_text(row["day_type"])] if kind == "day" else [])]
        for key, _ in columns:
            mark = _mark(targets, key, float(row[key]))
            cells.append(f"{_cell(row, key)} {mark}".rstrip())
        rows.append(cells)
    reps = plural(result.replications, "replication")
    title = f"{TITLES[kind]}: means over {reps} (95% CI); targets as above"
    return "\n".join([title, "", render_table(rows, left=2 if kind == "day" else 1)])


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value


def periods_json(
    result: ExperimentResult, kinds: tuple[str, ...] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """``{"day": [...], "week": [...], ...}`` (``kinds``: default :func:`period_kinds`).

    Each period: its labels (``label``, ``period_start`` as an ISO date,
    ``weekday``, ``day_type``, ``in_warmup``, ...), ``replications`` and
    ``kpis``: ``{key: {mean, ci_low, ci_high}}``, with ``target`` and ``status``
    for a KPI the scenario sets a target for; NaN as ``null``.
    """
    targets = kpi_targets(result.scenario)
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds or period_kinds(result):
        summary = result.period_summary(kind)
        keys = [c for c in summary.columns if f"{c}_ci_low" in summary.columns]
        periods = []
        for _, row in summary.iterrows():
            entry = {c: _clean(row[c]) for c in (*LABEL_COLUMNS, "replications")}
            kpis: dict[str, dict[str, Any]] = {}
            for key in keys:
                kpis[key] = {s: _clean(float(row[key + t])) for s, t in STATS}
                if key in targets:
                    mark = _mark(targets, key, float(row[key]))
                    kpis[key].update(target=targets[key].value, status=mark or None)
            periods.append({**entry, "kpis": kpis})
        out[kind] = periods
    return out


def write_periods_csv(result: ExperimentResult, kind: str, path: Path) -> None:
    """One row per period of ``kind``: labels, then each KPI's mean, ``_ci_low``, ``_ci_high``."""
    result.period_summary(kind).to_csv(path, index=False)


def period_files(result: ExperimentResult) -> dict[str, Callable[[Path], object]]:
    """``{"by_day.csv": writer(path), ...}`` for :func:`period_kinds` (write_outputs)."""
    return {
        f"by_{kind}.csv": partial(write_periods_csv, result, kind) for kind in period_kinds(result)
    }


def _html_cell(row: pd.Series, key: str, targets: dict[str, Target]) -> str:
    kpi = kpi_info(key)
    mean, low, high = (float(row[key + t]) for _, t in STATS)
    text = html.escape(_fmt(kpi, mean))
    if not math.isnan(low):
        text += f" <small>({html.escape(_fmt(kpi, low))} – {html.escape(_fmt(kpi, high))})</small>"
    css = ' class="missed"' if _mark(targets, key, mean) == "MISSED" else ""
    return f"<td{css}>{text}</td>"


def periods_section_html(result: ExperimentResult, kind: str = "day") -> str:
    """The report's section day by day (``<section id="by-day">``; ``by-week``,
    ``by-month`` for other kinds): one row per period with its weekday and day type,
    means with 95% CIs, values missing the scenario's target in class ``missed``."""
    summary = _shown(result.period_summary(kind))
    if summary.empty:
        return ""
    targets = kpi_targets(result.scenario)
    keep = used_columns(result, list(summary.columns))
    columns = [(k, name) for k, name in HTML_COLUMNS if k in keep]
    warmup = result.scenario.run.warmup_min
    first = "<th>day</th><th>day type</th>" if kind == "day" else f"<th>{kind}</th>"
    head = first + "".join(f"<th>{html.escape(name)}</th>" for _, name in columns)
    rows = []
    for _, row in summary.iterrows():
        label = f"<td>{html.escape(period_label(row, warmup, kind))}</td>"
        if kind == "day":
            label += f"<td>{html.escape(day_type_text(row['day_type']))}</td>"
        cells = "".join(_html_cell(row, key, targets) for key, _ in columns)
        rows.append(f"<tr>{label}{cells}</tr>")
    csv = f" <code>by_{kind}.csv</code> has every KPI." if kind in period_kinds(result) else ""
    return (
        f'<section id="by-{kind}">\n<h2>{TITLES[kind]}</h2>\n<p>Means over '
        f"{plural(result.replications, 'replication')} with 95% intervals; values missing the "
        f"scenario's target in red.{csv}</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n</section>"
    )
