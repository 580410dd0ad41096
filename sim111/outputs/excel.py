"""An Excel workbook of a run for planners: one sheet per question, ready to filter.

Sheets, in order: the headline, every KPI shown in the table (with its CI,
target and mark), day by day, half-hour by half-hour, the roster (people on
duty by half-hour and day type), costs, and the assumptions. Each sheet has
its header row frozen, a filter on every column, widths to fit and number
formats by unit (percentages, pounds, counts), so a planner can sort the bad
days or filter one weekday without reformatting anything.

``openpyxl`` is an optional dependency (``pip install "sim111[excel]"``):
:func:`excel_available` says whether it is installed, and only
:func:`write_xlsx` needs it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import KPIS, kpi_info

PERCENT, POUNDS, COUNT, DECIMAL = "0.0%", '"£"#,##0.00', "#,##0", "#,##0.0"
DATE, DATE_TIME = "ddd d mmm yyyy", "ddd d mmm yyyy hh:mm"
TEXT_SHEETS = ("Headline", "Assumptions")  # sentences: wrapped, no filter
_BY_UNIT = {"fraction": PERCENT, "GBP": POUNDS, "calls": COUNT}
CI_SUFFIX = ", 95% CI "  # "Answered within 60 s (of answered), 95% CI low"
_BY_LABEL = {k.label: k for k in KPIS}
_HALF_HOUR_COLUMNS = (
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "answered_within_60s",
    "abandoned",
    "mean_answer_s",
    "advisors_on_duty",
    "advisor_utilisation",
    "clinicians_on_duty",
    "awaiting_clinician",
    "callback_within_10min",
)


def excel_available() -> bool:
    """Whether the optional dependency for Excel output (openpyxl) is installed."""
    return importlib.util.find_spec("openpyxl") is not None


def kpi_frame(result: ExperimentResult, keys: list[str]) -> pd.DataFrame:
    """One row per KPI in ``keys``: label, unit, mean, CI, target and mark."""
    from sim111.experiments.marks import target_marks

    marks = target_marks(result)
    rows = []
    for key in keys:
        kpi, row = kpi_info(key), result.summary.loc[key]
        target, mark = marks.get(key, (None, ""))
        rows.append(
            {
                "KPI": kpi.label,
                "unit": kpi.unit,
                "mean": float(row["mean"]),
                "95% CI low": float(row["ci_low"]),
                "95% CI high": float(row["ci_high"]),
                "target": None if target is None else target.text(),
                "status": mark or None,
                "key": key,
            }
        )
    return pd.DataFrame(rows)


def half_hour_frame(result: ExperimentResult) -> pd.DataFrame:
    """Interval KPIs averaged over replications, one row per interval, with its weekday."""
    intervals = result.intervals
    intervals = intervals[~intervals["in_warmup"].astype(bool)]  # as every KPI: no warm-up
    columns = [c for c in _HALF_HOUR_COLUMNS if c in intervals.columns]
    frame = intervals.groupby("interval_start")[columns].mean().reset_index()
    start = pd.to_datetime(frame["interval_start"])
    frame.insert(1, "weekday", start.dt.day_name())
    frame.insert(2, "time", start.dt.strftime("%H:%M"))
    return frame


def cost_frame(result: ExperimentResult) -> pd.DataFrame:
    """The cost KPIs (pounds and paid hours) with their CIs, then the parts of the
    total cost as stacked in the report's cost chart."""
    from sim111.outputs.charts_costs import cost_stack

    keys = [k for k in _shown(result) if kpi_info(k).unit == "GBP" or k.startswith("paid_")]
    stack = cost_stack(result)
    parts = pd.DataFrame(
        {
            "KPI": [f"Part of total cost: {k}" for k in stack],
            "unit": "GBP",
            "mean": list(stack.values()),
        }
    )
    return pd.concat([kpi_frame(result, keys), parts], ignore_index=True)


def _shown(result: ExperimentResult) -> list[str]:
    from sim111.outputs.rows import shown_keys

    summary = result.summary
    return shown_keys(result.scenario, list(summary.index), lambda k: summary.loc[k, "n"] > 0)


def headline_frame(result: ExperimentResult) -> pd.DataFrame:
    """The headline's sentences, then its lights (targets, price, days), one per row."""
    from sim111.outputs.headline import headline, light_word

    h = headline(result)
    rows: list[dict[str, object]] = [{"headline": sentence} for sentence in h.sentences]
    rows += [
        {"headline": light.label, "value": light.value, "target": light.target,
         "status": light_word(light)}
        for light in (*h.lights, *h.days)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["headline", "value", "target", "status"])


def day_frame(result: ExperimentResult, kind: str = "day") -> pd.DataFrame:
    """KPIs by day (or week, month): labels, then each KPI's mean and 95% CI."""
    summary = result.period_summary(kind)
    if summary.empty:
        return summary
    summary = summary[~summary["in_warmup"]]
    drop = ["period", "period_index", "start_min", "end_min", "in_warmup"]
    frame = summary.drop(columns=[c for c in drop if c in summary.columns])
    names = {}
    for column in frame.columns:
        key = column.removesuffix("_ci_low").removesuffix("_ci_high")
        label = kpi_info(key).label
        names[column] = label + column.removeprefix(key).replace("_ci_", CI_SUFFIX)
    return frame.rename(columns=names)


def roster_frame(result: ExperimentResult) -> pd.DataFrame:
    """People on duty by day type and time of day (means over the run and replications)."""
    from sim111.outputs.charts_staff import headcount_grid

    frames = []
    columns = ["advisors_on_duty"] + (["clinicians_on_duty"] if result.scenario.clinicians else [])
    for column in columns:
        grid = headcount_grid(result, column).T  # one row per time of day
        grid.columns = [f"{column.split('_')[0]}: {c.replace('_', ' ')}" for c in grid.columns]
        frames.append(grid)
    return pd.concat(frames, axis=1).reset_index()


def assumptions_frame(result: ExperimentResult) -> pd.DataFrame:
    """The report's assumptions, as (what, value) rows."""
    from sim111.outputs.report import assumptions

    return pd.DataFrame(assumptions(result), columns=["assumption", "value"])


def workbook_sheets(result: ExperimentResult) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, in order (see the module docstring)."""
    sheets = {
        "Headline": headline_frame(result),
        "KPIs": kpi_frame(result, _shown(result)),
        "By day": day_frame(result),
        "By half-hour": half_hour_frame(result),
        "Roster": roster_frame(result),
        "Costs": cost_frame(result),
        "Assumptions": assumptions_frame(result),
    }
    from sim111.outputs.periods import period_kinds

    kinds = period_kinds(result)  # weeks and months as by_week.csv and by_month.csv
    longer = [(f"By {k}", day_frame(result, k)) for k in ("week", "month") if k in kinds]
    items = list(sheets.items())
    return dict(items[:3] + longer + items[3:])


def _formats(frame: pd.DataFrame) -> dict[str, str]:
    """Number format per column (by name; for KPI sheets, per row by unit: see below)."""
    out: dict[str, str] = {}
    for column in frame.columns:
        name = str(column)
        base = name.split(CI_SUFFIX)[0]
        info = _BY_LABEL.get(base) or kpi_info(base)
        if info.unit in _BY_UNIT:
            out[name] = _BY_UNIT[info.unit]
        elif name.endswith(("_gbp", "price")):
            out[name] = POUNDS
        elif name.startswith(("calls_", "offered")) or name in ("callbacks", "clinical_calls"):
            out[name] = COUNT
        elif frame[column].dtype.kind == "f":
            out[name] = DECIMAL
        elif frame[column].dtype.kind == "M":
            out[name] = DATE_TIME if name == "interval_start" else DATE
    return out


def _format_sheet(ws: Any, frame: pd.DataFrame, sheet: str) -> None:
    ws.freeze_panes = "A2"
    if sheet in TEXT_SHEETS:
        _wrap_first_column(ws, frame)
        return
    if len(frame.columns) and len(frame):
        ws.auto_filter.ref = ws.dimensions
    by_unit = "unit" in frame.columns and "mean" in frame.columns
    formats = _formats(frame)
    for j, column in enumerate(frame.columns, start=1):
        name = str(column)
        width = max([len(name)] + [len(str(v)) for v in frame[column].head(200)])
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(width + 2, 60)
        for i in range(len(frame)):
            cell = ws.cell(row=i + 2, column=j)
            if by_unit and name in ("mean", "95% CI low", "95% CI high"):
                unit = frame["unit"].iloc[i]
                cell.number_format = _BY_UNIT.get(unit, DECIMAL)
            elif name in formats:
                cell.number_format = formats[name]


def _wrap_first_column(ws: Any, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment

    ws.column_dimensions["A"].width = 90
    for j in range(2, len(frame.columns) + 1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 28
    for row in ws.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Write ``sheets`` (name -> frame, in order) as one formatted workbook."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            _format_sheet(writer.sheets[name[:31]], frame, name)
