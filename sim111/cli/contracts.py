"""``sim111 contracts``: what each contract structure of a multi-area scenario costs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from sim111.cli.options import execution, out_option, scenario_options, workers_option
from sim111.errors import ScenarioError
from sim111.outputs.atomic import write_files
from sim111.planning.targets import StaffingTargets
from sim111.scenario.areas import POOLS

if TYPE_CHECKING:
    from sim111.experiments.settings import ExecutionSettings
    from sim111.planning.uniform import UniformPlan
    from sim111.scenario import Scenario

DEFAULT_STRUCTURES = ("area", "region", "all")


@click.command("contracts")
@scenario_options("Replications per simulation check.", "Override a scenario value (repeatable).")
@workers_option("Processes to run replications on.")
@out_option("Folder for contracts.csv, structures.csv, the figure and report.html.")
@click.option(
    "--by",
    "structures",
    type=click.Choice(POOLS),
    multiple=True,
    help="A structure to staff: each area, the scenario's contracts, regions, or all "
    "(repeatable) [default: area, region, all].",
)
@click.option(
    "--target-answered-60s",
    type=click.FloatRange(0, 1),
    default=0.95,
    show_default=True,
    help="Answered within 60 s (of answered).",
)
@click.option(
    "--target-abandoned-30s",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Abandoned after 30 s (of offered), at most.",
)
@click.option(
    "--uniform",
    is_flag=True,
    help="Also find the smallest factor on every area's advisor roster at which every "
    "area meets the targets, with the scenario's own sharing (mutual aid, pools).",
)
@click.option(
    "--per-area",
    is_flag=True,
    help="Also find each area's own advisor roster factor: from the uniform answer, "
    "reduce each area's in turn while every area still meets the targets with the "
    "scenario's sharing; compared with the areas apart (per_area.csv).",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0.001, 0.5),
    default=0.01,
    show_default=True,
    help="Relative step at which the --uniform and --per-area searches stop.",
)
def contracts_command(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
    out: str | None,
    structures: tuple[str, ...],
    target_answered_60s: float,
    target_abandoned_30s: float,
    uniform: bool,
    per_area: bool,
    tolerance: float,
) -> None:
    """Staff every contract of each structure to the targets and compare their cost.

    Each contract (an area, a region, England...) is one virtual call centre given
    the cheapest advisor roster meeting the answer and abandonment targets; the
    table shows what each structure needs and its cost per answered call.
    """
    from sim111.cli.options import scenario_with_overrides
    from sim111.planning.contracts import plan_structure, plans_frame, structure_totals

    scenario = scenario_with_overrides(scenario_file, overrides)
    if not scenario.areas:
        raise ScenarioError(f"{scenario_file}: has no [[areas]]; contracts needs several areas")
    targets = StaffingTargets(
        answered_within_60s=target_answered_60s,
        abandoned_after_30s=target_abandoned_30s,
        replications=replications or scenario.run.replications,
        seed=scenario.run.seed if seed is None else seed,
    )
    from sim111.planning.uniform import smallest_uniform_factor, uniform_row

    plans = []
    try:
        with execution(workers) as settings:
            for structure in structures or DEFAULT_STRUCTURES:
                plans += plan_structure(scenario, structure, targets, execution=settings)
            found = (
                smallest_uniform_factor(scenario, targets, tolerance=tolerance, execution=settings)
                if uniform or per_area
                else None
            )
            rows, areas = (
                _per_area(scenario, targets, found, settings, tolerance) if per_area else ([], None)
            )
    except ValueError as err:
        raise ScenarioError(f"{scenario_file}: {err}") from None
    frame = plans_frame(plans)
    totals = structure_totals(frame)
    if found is not None:
        rows.insert(0, uniform_row(found, "uniform"))
    if rows:
        totals = pd.concat([totals, pd.DataFrame(rows)], ignore_index=True)
    goal = f"answered within 60 s >= {target_answered_60s:.0%}, "
    goal += f"abandoned after 30 s <= {target_abandoned_30s:.0%}"
    folder = Path(out or f"contracts-{scenario.name}")
    _show_and_write(scenario.name, goal, frame, totals, folder, areas)


def _per_area(
    scenario: Scenario,
    targets: StaffingTargets,
    found: UniformPlan | None,
    settings: ExecutionSettings,
    tolerance: float,
) -> tuple[list[dict[str, object]], pd.DataFrame]:
    """The per-area answer with the scenario's sharing and with the areas apart: their
    structure rows, and one row per area of each (and of the uniform answer)."""
    from sim111.planning.per_area import (
        apart,
        area_rows,
        per_area_factors,
        plan_row,
        uniform_area_rows,
    )

    shared = per_area_factors(
        scenario, targets, tolerance=tolerance, uniform=found, execution=settings
    )
    alone = per_area_factors(apart(scenario), targets, tolerance=tolerance, execution=settings)
    rows = [plan_row(shared, "per_area"), plan_row(alone, "per_area_apart")]
    areas = uniform_area_rows(shared.uniform, "uniform")
    areas += area_rows(shared, "per_area") + area_rows(alone, "per_area_apart")
    return rows, pd.DataFrame(areas)


def _show_and_write(
    name: str,
    goal: str,
    frame: pd.DataFrame,
    totals: pd.DataFrame,
    folder: Path,
    areas: pd.DataFrame | None = None,
) -> None:
    """Print the structures and contracts; write the tables, figure and report."""
    from sim111.outputs.contracts import (
        contracts_report_html,
        contracts_table,
        economies_of_scale,
        per_area_table,
        structures_table,
    )
    from sim111.outputs.report import png_bytes

    click.echo(f"{name}: cheapest advisor rosters meeting {goal}\n")
    click.echo(structures_table(totals))
    click.echo("")
    click.echo(contracts_table(frame))
    files: dict[str, Callable[[Path], object]] = {}
    if areas is not None:
        click.echo("")
        click.echo(per_area_table(areas))
        files["per_area.csv"] = lambda p: areas.to_csv(p, index=False)
    png = png_bytes(economies_of_scale(frame))
    write_files(
        folder,
        {
            **files,
            "contracts.csv": lambda p: frame.to_csv(p, index=False),
            "structures.csv": lambda p: totals.to_csv(p, index=False),
            "economies_of_scale.png": lambda p: p.write_bytes(png),
            "report.html": lambda p: p.write_text(
                contracts_report_html(name, goal, frame, totals, png)
            ),
        },
    )
    written = "contracts.csv, structures.csv, economies_of_scale.png, report.html"
    written += ", per_area.csv" if areas is not None else ""
    click.echo(f"\nWrote {written} in {folder}")
