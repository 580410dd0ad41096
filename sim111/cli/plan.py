"""``sim111 staff`` and ``price``: the cheapest roster meeting the targets, and its price."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import tomli_w

from sim111.cli.options import (
    execution,
    out_option,
    scenario_options,
    scenario_with_overrides,
    workers_option,
)
from sim111.errors import ScenarioError
from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import kpi_info
from sim111.outputs.files import (
    cost_table,
    kpi_table,
    scenario_toml,
    target_marks,
    write_atomically,
)
from sim111.outputs.formatting import gbp
from sim111.planning.targets import StaffingTargets  # no scipy: the solver is imported by staff
from sim111.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim111.planning.staffing import StaffingResult

# --shift-lengths: whole or half hours, from one hour to a day
HALF_HOURS_PER_HOUR = 2
BREAK_EVEN_KPIS = (
    "break_even_price_per_call_gbp",
    "break_even_price_per_head_per_year_gbp",
    "cost_per_call_gbp",
    "margin_per_call_gbp",
)


@click.command()
@scenario_options("Replications per simulation.", "Override a scenario value (repeatable).")
@workers_option("Processes to run replications on.")
@out_option("Folder for roster.toml and scenario.toml [default: staffed-NAME].")
@click.option(
    "--target-answered-60s",
    type=click.FloatRange(0, 1),
    default=StaffingTargets.answered_within_60s,
    show_default=True,
    help="Answered within 60 s (of answered).",
)
@click.option(
    "--target-abandoned-30s",
    type=click.FloatRange(0, 1),
    default=StaffingTargets.abandoned_after_30s,
    show_default=True,
    help="Abandoned after 30 s (of offered), at most.",
)
@click.option(
    "--target-callback-10min",
    type=click.FloatRange(0, 1),
    default=StaffingTargets.callback_within_10min,
    show_default=True,
    help="Call-backs within 10 min.",
)
@click.option(
    "--shift-lengths",
    default=",".join(f"{h:g}" for h in StaffingTargets.shift_lengths_h),
    show_default=True,
    help="Allowed shift lengths in hours, comma-separated.",
)
@click.option("--advisors-only", is_flag=True, help="Keep the clinician roster as it is.")
@click.option(
    "--max-iterations",
    type=click.IntRange(min=1),
    default=StaffingTargets.max_iterations,
    show_default=True,
)
def staff(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
    out: str | None,
    target_answered_60s: float,
    target_abandoned_30s: float,
    target_callback_10min: float,
    shift_lengths: str,
    advisors_only: bool,
    max_iterations: int,
) -> None:
    """Find the cheapest roster meeting the KPI targets; write it and print its KPIs."""
    scenario = scenario_with_overrides(scenario_file, overrides)
    lengths = _shift_lengths(shift_lengths)
    from sim111.planning.staffing import staff as find_roster  # scipy.optimize: only here

    targets = StaffingTargets(
        answered_within_60s=target_answered_60s,
        abandoned_after_30s=target_abandoned_30s,
        callback_within_10min=target_callback_10min,
        shift_lengths_h=lengths,
        replications=replications or scenario.run.replications,
        max_iterations=max_iterations,
        seed=scenario.run.seed if seed is None else seed,
    )
    try:
        with execution(workers) as settings:
            found = find_roster(scenario, targets, clinicians=not advisors_only, execution=settings)
    except ValueError as err:
        raise ScenarioError(f"{scenario_file}: {err}") from None
    folder = Path(out or f"staffed-{scenario.name}")
    header = (
        f"Roster found by sim111 staff for {scenario.name} ({'met' if found.met else 'NOT met'}"
        f" after {found.iterations} iteration(s)).\nTargets: {targets}"
    )
    _write_roster(folder, found, header, advisors_only)
    _print_staffing(found, folder)


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


def _write_roster(folder: Path, found: StaffingResult, header: str, advisors_only: bool) -> None:
    """``roster.toml`` (the shifts) and ``scenario.toml`` (the staffed scenario) in ``folder``."""
    data = found.scenario.to_data()
    roster: dict[str, Any] = {"advisors": {"shifts": data["advisors"]["shifts"]}}
    if not advisors_only and found.scenario.clinicians:
        roster["clinicians"] = [
            {"name": g["name"], "shifts": g.get("shifts", [])} for g in data["clinicians"]
        ]
    write_atomically(
        folder,
        {
            "roster.toml": lambda p: p.write_text(
                "".join(f"# {line}\n" for line in header.splitlines()) + tomli_w.dumps(roster)
            ),
            "scenario.toml": lambda p: p.write_text(scenario_toml(found.scenario, header)),
        },
    )


def _print_staffing(found: StaffingResult, folder: Path) -> None:
    """The found roster's KPIs and costs, whether it met the targets, and what was written."""
    click.echo(kpi_table(found.result))
    click.echo("")
    click.echo(cost_table(found.scenario))
    click.echo("")
    if found.met:
        click.echo(f"Targets met after {found.iterations} iteration(s).")
    else:
        click.echo(f"Targets NOT met after {found.iterations} iteration(s): {found.note}.")
    click.echo(f"Wrote {folder / 'roster.toml'} and {folder / 'scenario.toml'}")


@click.command()
@scenario_options("Replications per simulation.", "Override a scenario value (repeatable).")
@workers_option("Processes to run replications on.")
def price(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
) -> None:
    """Print the break-even price per call and the cost breakdown of SCENARIO_FILE."""
    scenario = scenario_with_overrides(scenario_file, overrides)
    with execution(workers) as settings:
        result = run_experiment(scenario, replications, seed, execution=settings)
    summary = result.summary
    if "break_even_price_per_call_gbp" not in summary.index:
        raise ScenarioError(f"{scenario_file}: no staff group has 'pay': nothing to price")
    click.echo(cost_table(scenario))
    click.echo("")
    for key in BREAK_EVEN_KPIS:
        row = summary.loc[key]
        if not math.isnan(row["mean"]):
            click.echo(
                f"{kpi_info(key).label}: {gbp(row['mean'])} "
                f"(95% CI {gbp(row['ci_low'])} .. {gbp(row['ci_high'])})"
            )
    missed = [
        kpi_info(k).label for k, (_, mark) in target_marks(result).items() if mark == "MISSED"
    ]
    if missed:
        click.echo("")
        click.echo("This roster misses: " + "; ".join(missed) + ".")
        click.echo(
            "The price that delivers the targets is higher: run `sim111 staff` first "
            "and price its scenario.toml."
        )
