"""``sim111 staff``: the cheapest roster meeting the targets, written as people read it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim111.cli.options import (
    execution,
    out_option,
    overrides_source,
    scenario_options,
    scenario_with_overrides,
    strict_option,
    workers_option,
)
from sim111.cli.price import one_area, price
from sim111.cli.staff_files import STAFF_FILES, command_text, now_text, write_staffed
from sim111.cli.warnings import (
    NOTHING_WRITTEN,
    staff_warnings,
    staffed_warnings,
    stop_if_strict,
    tell,
)
from sim111.errors import ScenarioError
from sim111.outputs.costs import cost_table
from sim111.outputs.files import kpi_table
from sim111.outputs.folders import check_folder_writable, slug
from sim111.planning.roster_summary import (
    headcount_by_half_hour,
    headcount_text,
    roster_header,
)
from sim111.planning.targets import StaffingTargets
from sim111.planning.verdict import (  # no scipy: the solver is imported by staff
    targets_text,
    verdict,
    verdict_text,
)
from sim111.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim111.planning.staffing import StaffingResult

__all__ = ["price", "staff"]  # price: its own module, here as the CLI group imports it

# --shift-lengths: whole or half hours, from one hour to a day
HALF_HOURS_PER_HOUR = 2


TARGET_OPTIONS = (  # option, StaffingTargets field, meaning
    ("--target-answered-60s", "answered_within_60s", "Answered within 60 s (of answered)."),
    (
        "--target-abandoned-30s",
        "abandoned_after_30s",
        "Abandoned after 30 s (of offered), at most.",
    ),
    (
        "--target-callback-10min",
        "callback_within_10min",
        "Call-backs made (first attempted) within 10 min.",
    ),
    (
        "--target-callback-reached-10min",
        "callback_reached_within_10min",
        "Call-backs reaching a clinician within 10 min.",
    ),
)


def _target_options(f: click.decorators.FC) -> click.decorators.FC:
    """One ``--target-*`` option per scenario target; unset means the scenario's."""
    for option, name, text in reversed(TARGET_OPTIONS):
        f = click.option(
            option,
            name,
            type=click.FloatRange(0, 1),
            help=f"{text} [default: the scenario's [targets]]",
        )(f)
    return f


@click.command()
@scenario_options("Replications per simulation.", "Override a scenario value (repeatable).")
@workers_option("Processes to run replications on.")
@out_option("Folder for roster.toml and scenario.toml [default: staffed-NAME].")
@_target_options
@click.option(
    "--shift-lengths",
    help="Allowed shift lengths in hours, comma-separated, for every group "
    "[default: each group's shift_rules].",
)
@click.option("--advisors-only", is_flag=True, help="Keep the clinician roster as it is.")
@click.option(
    "--max-iterations",
    type=click.IntRange(min=1),
    default=StaffingTargets.max_iterations,
    show_default=True,
)
@strict_option()
def staff(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
    out: str | None,
    shift_lengths: str | None,
    advisors_only: bool,
    max_iterations: int,
    strict: bool,
    **goals: float | None,
) -> None:
    """Find the cheapest roster meeting the KPI targets; write it and print its KPIs.

    The targets are the scenario's [targets], each replaced by its --target-* option
    if given; the staffed scenario carries the targets it was steered to.
    """
    scenario = one_area(
        scenario_with_overrides(scenario_file, overrides, warn=False), scenario_file
    )
    lengths = _shift_lengths(shift_lengths) if shift_lengths else None
    from sim111.planning.staffing import staff as find_roster  # scipy.optimize: only here

    targets = StaffingTargets(
        **goals,
        shift_lengths_h=lengths,
        replications=replications or scenario.run.replications,
        max_iterations=max_iterations,
        seed=scenario.run.seed if seed is None else seed,
    )
    given = [key for key, value in goals.items() if value is not None]
    source = overrides_source(scenario_file, overrides)
    steered = targets.applied_to(scenario)
    staff_warnings(scenario, steered, given, (source, scenario_file), advisors_only, strict)
    folder = Path(out or f"staffed-{slug(scenario.name)}")  # a name is not a path
    check_folder_writable(folder, f"--out {folder}")
    try:
        with execution(workers) as settings:
            found = find_roster(scenario, targets, clinicians=not advisors_only, execution=settings)
    except ValueError as err:
        raise ScenarioError(f"{scenario_file}: {err}") from None
    met, _ = verdict(found)
    base = f"{scenario.name} ({scenario_file})"
    ctx = click.get_current_context()
    steered_text = targets_text(found)
    header = roster_header(found, met, base, steered_text, command_text(ctx), now_text())
    headcounts = headcount_by_half_hour(found.scenario)
    warned = tell(staffed_warnings(found, advisors_only), f"{source}, staffed")
    written = not (strict and warned)
    if written:
        write_staffed(folder, found.scenario, header, not advisors_only, headcounts)
    _print_staffing(found, folder, written)
    click.echo("")
    click.echo(headcount_text(headcounts))
    stop_if_strict(strict, warned, NOTHING_WRITTEN)


def _shift_lengths(text: str) -> tuple[float, ...]:
    """Hours of ``--shift-lengths 4,6,8``; each 1-24 h in whole or half hours."""
    try:
        lengths = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ScenarioError(f"--shift-lengths {text!r}: expected hours like 4,6,8") from None
    if not lengths or any(
        not 1 <= h <= HOURS_PER_DAY or (h * HALF_HOURS_PER_HOUR) % 1 for h in lengths
    ):
        raise ScenarioError(
            f"--shift-lengths {text!r}: each must be 1-{HOURS_PER_DAY} h in half-hours"
        )
    return lengths


def _print_staffing(found: StaffingResult, folder: Path, written: bool = True) -> None:
    """The found roster's KPIs and costs, whether it met the targets, and what was written."""
    click.echo(f"Targets steered to: {targets_text(found)}")
    click.echo("")
    click.echo(kpi_table(found.result))
    click.echo("")
    click.echo(cost_table(found.scenario))
    click.echo("")
    click.echo(verdict_text(found))
    if written:
        click.echo(f"Wrote {', '.join(str(folder / name) for name in STAFF_FILES)}")
