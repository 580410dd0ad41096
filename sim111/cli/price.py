"""``sim111 price``: what a scenario's roster costs, and the break-even price per call.

It says first what it priced (the scenario, replications, seed, targets and
the staffing); ``--format json`` prints the same as one JSON object (NaN as
``null``), and ``--out DIR`` writes ``price.json`` and ``price.txt`` together.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import click

from sim111.cli.options import (
    execution,
    format_option,
    out_option,
    overrides_source,
    scenario_options,
    scenario_with_overrides,
    strict_option,
    workers_option,
)
from sim111.cli.warnings import NOTHING_WRITTEN, stop_if_strict, tell
from sim111.errors import ScenarioError
from sim111.experiments.marks import target_marks
from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.experiments.warnings import result_warnings
from sim111.kpi_keys import kpi_info
from sim111.outputs.atomic import write_files
from sim111.outputs.costs import cost_breakdown, cost_table
from sim111.outputs.formatting import gbp
from sim111.outputs.jsonsafe import json_text
from sim111.scenario import Scenario, StaffGroup

BREAK_EVEN_KPIS = (
    "break_even_price_per_call_gbp",
    "break_even_price_per_head_per_year_gbp",
    "cost_per_call_gbp",
    "margin_per_call_gbp",
)


def one_area(scenario: Scenario, source: str) -> Scenario:
    """``scenario``, unless it has several areas (a roster or price is one area's)."""
    if scenario.areas:
        raise ScenarioError(
            f"{source}: has [[areas]]; staff and price work on one area: use "
            "'sim111 contracts' (every contract staffed) or 'sim111 run' (costs by area)"
        )
    return scenario


def _clean(value: Any) -> Any:
    """JSON-safe: NaN (and numpy numbers) to ``None`` or plain floats."""
    if value is None or isinstance(value, str | bool | int):
        return value
    number = float(value)
    return None if math.isnan(number) else number


def _staffing(name: str, group: StaffGroup) -> dict[str, Any]:
    """What staffing of one group was priced: a constant count or shift lines, and scales."""
    return {
        "group": name,
        "count": group.count,
        "shift_lines": len(group.shifts) if group.count is None else None,
        "roster_scale": group.roster_scale,
        "staffing_changes": len(group.staffing_changes),
    }


def _staffing_text(group: dict[str, Any]) -> str:
    """``health advisors: 17 shift lines, roster scale 0.87``."""
    size = (
        f"{group['shift_lines']} shift lines"
        if group["count"] is None
        else f"{group['count']} on duty throughout"
    )
    scale = f", roster scale {group['roster_scale']:g}" if group["roster_scale"] != 1 else ""
    changes = group["staffing_changes"]
    dated = f", {changes} dated changes" if changes else ""
    return f"{group['group']}: {size}{scale}{dated}"


def price_json(result: ExperimentResult, source: str) -> dict[str, Any]:
    """What was priced and its price: scenario, run, targets, staffing, costs, break-even."""
    scenario, summary = result.scenario, result.summary
    groups = {"health advisors": scenario.advisors, **{g.name: g for g in scenario.clinicians}}
    return {
        "scenario": scenario.name,
        "source": source,
        "start_date": str(scenario.run.start_date),
        "days": scenario.run.days,
        "replications": result.replications,
        "seed": result.seed,
        "targets": {
            key: {
                "target": target.value,
                "text": target.text(),
                "mean": _clean(summary.loc[key, "mean"]),
                "status": mark or None,
            }
            for key, (target, mark) in target_marks(result).items()
        },
        "staffing": [_staffing(name, g) for name, g in groups.items()],
        "costs": [
            {k: _clean(v) for k, v in row.items()}
            for row in cost_breakdown(scenario).to_dict("records")
        ],
        "kpis": {
            key: {c: _clean(summary.loc[key, c]) for c in ("mean", "ci_low", "ci_high")}
            for key in BREAK_EVEN_KPIS
        },
    }


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def price_text(data: dict[str, Any], scenario: Scenario) -> str:
    """The plain-text report: a header saying what was priced, the costs, the price."""
    targets = "; ".join(
        f"{kpi_info(k).label} {t['text']} (mean {_share(t['mean'])}"
        f"{', ' + t['status'] if t['status'] else ''})"
        for k, t in data["targets"].items()
    )
    lines = [
        f"Priced {data['scenario']} ({data['source']}): {scenario.run.length_text} from "
        f"{data['start_date']}, {data['replications']} replications, seed {data['seed']}.",
        f"Targets: {targets or 'none'}.",
        f"Staffing: {'; '.join(_staffing_text(g) for g in data['staffing'])}.",
        "",
        cost_table(scenario),
        "",
    ]
    for key, row in data["kpis"].items():
        if row["mean"] is not None:
            ci = "" if row["ci_low"] is None else f" (95% CI {gbp(row['ci_low'])} .. "
            ci += f"{gbp(row['ci_high'])})" if ci else ""
            lines.append(f"{kpi_info(key).label}: {gbp(row['mean'])}{ci}")
    missed = [kpi_info(k).label for k, t in data["targets"].items() if t["status"] == "MISSED"]
    if missed:
        lines += [
            "",
            "This roster misses: " + "; ".join(missed) + ".",
            "The price that delivers the targets is higher: run `sim111 staff` first "
            "and price its scenario.toml.",
        ]
    return "\n".join(lines)


def _write_text(text: str, path: Path) -> None:
    path.write_text(text + "\n")


def _write(out: str, texts: dict[str, str]) -> None:
    """Write ``texts`` into folder ``out`` all or nothing; a problem exits 2."""
    write_files(out, {name: partial(_write_text, text) for name, text in texts.items()})


@click.command()
@scenario_options("Replications per simulation.", "Override a scenario value (repeatable).")
@workers_option("Processes to run replications on.")
@format_option("What to print.")
@out_option("Write price.json and price.txt here.")
@strict_option()
def price(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
    fmt: str,
    out: str | None,
    strict: bool,
) -> None:
    """Print the break-even price per call and the cost breakdown of SCENARIO_FILE."""
    scenario = one_area(scenario_with_overrides(scenario_file, overrides, strict), scenario_file)
    with execution(workers) as settings:
        result = run_experiment(scenario, replications, seed, execution=settings)
    warned = tell(result_warnings(result), overrides_source(scenario_file, overrides))
    if "break_even_price_per_call_gbp" not in result.summary.index:
        raise ScenarioError(f"{scenario_file}: no staff group has 'pay': nothing to price")
    data = price_json(result, scenario_file)
    text = price_text(data, scenario)
    document = json_text(data)
    if out is not None and not (strict and warned):
        _write(out, {"price.json": document, "price.txt": text})
    click.echo(document if fmt == "json" else text)
    stop_if_strict(strict, warned, NOTHING_WRITTEN if out is not None else "")
