"""Presenting results: the KPI table, the JSON contract and files on disk.

Never runs the model; everything here is a function of an
:class:`~sim111.experiments.replications.ExperimentResult`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import tomli_w

from sim111.experiments.marks import target_marks
from sim111.experiments.replications import ExperimentResult
from sim111.experiments.sweep import SweepResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.areas import area_summary, area_table, areas_json, is_area_key
from sim111.outputs.comparison_checks import comparison_table  # noqa: F401 (its old home)
from sim111.outputs.folders import replace_folder
from sim111.outputs.formatting import _fmt, plural, render_table
from sim111.outputs.jsonsafe import json_text
from sim111.outputs.periods import period_files, periods_json
from sim111.outputs.provenance import provenance
from sim111.outputs.rows import shown_keys
from sim111.outputs.warnings import warnings_json
from sim111.scenario import Scenario


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def result_json(result: ExperimentResult) -> dict[str, Any]:
    """The JSON object of the CLI contract (DESIGN §4); NaN becomes ``null``.

    A KPI with a target also has ``target`` and ``status`` (its mark, ``null``
    when the KPI is undefined). ``warnings``: ``[{"code", "message"}]`` for planners
    (:mod:`sim111.outputs.warnings`), ``[]`` when there are none.
    """
    summary = result.summary
    marks = target_marks(result)
    kpis: dict[str, dict[str, Any]] = {}
    for key in summary.index:
        if is_area_key(key):
            continue  # under "areas"
        row = summary.loc[key]
        kpis[key] = {
            "mean": _clean(row["mean"]),
            "ci_low": _clean(row["ci_low"]),
            "ci_high": _clean(row["ci_high"]),
        }
        if key in marks:
            target, mark = marks[key]
            kpis[key].update(target=target.value, status=mark or None)
    out = {
        "scenario": result.scenario.name,
        "replications": result.replications,
        "seed": result.seed,
        "kpis": kpis,
        "warnings": warnings_json(result),
    }
    if result.scenario.areas:
        out["areas"] = areas_json(result)
    if len(result.periods):
        out["by_period"] = periods_json(result)  # days; weeks, months on long runs
    return out


def kpi_table(result: ExperimentResult) -> str:
    """A plain-text table: KPI, mean, 95% CI, the scenario's target and its mark.

    KPIs undefined in every replication (e.g. call-back waits with no clinical
    stage) and those of features the scenario does not use
    (:func:`~sim111.outputs.rows.shown_keys`) are left out; the JSON output
    keeps them all.
    """
    rows = [["KPI", "mean", "95% CI", "target", ""]]
    marks = target_marks(result)
    summary = result.summary
    for key in shown_keys(result.scenario, list(summary.index), lambda k: summary.loc[k, "n"] > 0):
        kpi = kpi_info(key)
        row = summary.loc[key]
        ci = (
            "-"
            if math.isnan(row["ci_low"])
            else f"{_fmt(kpi, row['ci_low'])} .. {_fmt(kpi, row['ci_high'])}"
        )
        target, mark = marks.get(key, (None, ""))
        shown = "" if target is None else target.text()
        unit = "" if kpi.unit in ("fraction", "calls", "GBP") else f" ({kpi.unit})"
        rows.append([kpi.label + unit, _fmt(kpi, row["mean"]), ci, shown, mark])
    scenario = result.scenario
    head = (
        f"{scenario.name}: {scenario.run.length_text} from {scenario.run.start_date}, "
        f"{result.replications} replications, seed {result.seed}"
    )
    from sim111.outputs.headline import headline, headline_text

    parts = [head, "", headline_text(headline(result)), "", render_table(rows)]
    if scenario.areas:
        parts += ["", area_table(result)]
    return "\n".join(parts)


def write_outputs(
    result: ExperimentResult,
    out_dir: str | Path,
    xlsx: bool | None = None,
    command: str | None = None,
    calls: bool = True,
    event_log: bool = False,
) -> list[Path]:
    """Write the summary, per-replication KPIs, interval KPIs, KPIs by day (week,
    month: :func:`~sim111.outputs.periods.period_kinds`) and call records.

    They replace the whole of ``out_dir`` once all are complete
    (:func:`~sim111.outputs.folders.replace_folder`): no file of an earlier run
    is left beside them, and a failure leaves the old folder as it was. A
    non-empty folder sim111 did not write is refused with
    :class:`~sim111.errors.ScenarioError`. ``report.xlsx`` (:mod:`~sim111.outputs.excel`)
    is written when ``xlsx`` is true, or when it is ``None`` and openpyxl is
    installed. ``provenance.json`` (:mod:`~sim111.outputs.provenance`) records the
    versions, seed, replications, ``command`` (default: this process's command line),
    the date and the scenario's hash. With kept records, ``calls.csv.gz`` unless not
    ``calls``, and ``event_log.csv`` (:mod:`~sim111.outputs.event_log`) if ``event_log``.
    Returns the paths written.
    """
    out = Path(out_dir)
    writers: dict[str, Callable[[Path], object]] = {
        "summary.json": lambda p: p.write_text(json_text(result_json(result)) + "\n"),
        "summary.csv": lambda p: result.summary.to_csv(p),
        "kpis_by_replication.csv": lambda p: result.kpis.to_csv(p, index=False),
        "intervals.csv": lambda p: result.intervals.to_csv(p, index=False),
        **(period_files(result) if len(result.periods) else {}),  # by_day.csv, ...
        **(
            {"areas.csv": lambda p: area_summary(result).to_csv(p, index=False)}
            if result.scenario.areas
            else {}
        ),
        "scenario.json": lambda p: p.write_text(json_text(result.scenario.to_data()) + "\n"),
        "provenance.json": lambda p: p.write_text(json_text(provenance(result, command)) + "\n"),
    }
    from sim111.outputs.excel import excel_available, workbook_sheets, write_xlsx
    from sim111.outputs.plots import figures  # matplotlib: only when files are written
    from sim111.outputs.report import png_bytes, report_html

    pngs = {name: png_bytes(fig) for name, fig in figures(result).items()}
    writers["report.html"] = lambda p: p.write_text(report_html(result, pngs))
    for name, data in pngs.items():
        writers[f"{name}.png"] = partial(_write_bytes, data=data)
    if xlsx or (xlsx is None and excel_available()):
        writers["report.xlsx"] = lambda p: write_xlsx(p, workbook_sheets(result))
    if result.records and calls:
        writers["calls.csv.gz"] = lambda p: result.calls_frame().to_csv(
            p, index=False, compression="gzip"
        )
    if result.records and event_log:
        from sim111.outputs.event_log import write_event_log

        writers["event_log.csv"] = partial(write_event_log, result.records)
    return replace_folder(out, writers)


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def scenario_toml(scenario: Scenario, header: str = "") -> str:
    """A scenario as a TOML document that :func:`~sim111.scenario.load_scenario` reads back."""
    body = tomli_w.dumps(scenario.to_data())
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + body


DEFAULT_SWEEP_KPIS = (
    "answered_within_60s",
    "abandoned_after_30s",
    "callback_within_10min",
    "cost_per_call_gbp",
)


def _swept_columns(result: SweepResult) -> list[str]:
    return sorted({k for p in result.points for k in p})


def sweep_json(name: str, result: SweepResult) -> dict[str, Any]:
    """One object per point: its overrides and KPIs with 95% CIs (NaN as null)."""
    points = []
    summary = result.summary
    for i, point in enumerate(result.points):
        kpis: dict[str, Any] = {}
        if len(summary):
            for r in summary[summary["point"] == i].itertuples():
                kpis[str(r.kpi)] = {
                    "mean": _clean(r.mean),
                    "ci_low": _clean(r.ci_low),
                    "ci_high": _clean(r.ci_high),
                }
        points.append({"point": i, "overrides": point, "kpis": kpis})
    return {
        "sweep": name,
        "replications": int(result.kpis.groupby("point").size().max()) if len(result.kpis) else 0,
        "seed": result.seed,
        "points": points,
    }


def sweep_table(name: str, result: SweepResult, kpis: tuple[str, ...]) -> str:
    """One row per point: the swept values and each KPI's mean with its 95% CI."""
    swept = _swept_columns(result)
    head = [*swept, *(kpi_info(k).label for k in kpis)]
    rows = [head]
    summary = result.summary.set_index(["point", "kpi"]) if len(result.summary) else None
    for i, point in enumerate(result.points):
        cells = [str(point.get(k, "")) for k in swept]
        for key in kpis:
            kpi = kpi_info(key)
            if summary is None or (i, key) not in summary.index:
                cells.append("-")
                continue
            r = summary.loc[(i, key)]
            ci = (
                ""
                if math.isnan(r["ci_low"])
                else f" [{_fmt(kpi, r['ci_low'])}, {_fmt(kpi, r['ci_high'])}]"
            )
            cells.append(_fmt(kpi, r["mean"]) + ci)
        rows.append(cells)
    n = result.kpis.groupby("point").size().max() if len(result.kpis) else 0
    size = f"{plural(len(result.points), 'point')} x {plural(int(n), 'replication')}"
    title = f"{name}: {size}, seed {result.seed}"
    return "\n".join([title, "", render_table(rows, left=0)])
