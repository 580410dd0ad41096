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
from sim111.outputs.costs import cost_table
from sim111.outputs.files import (
    kpi_table,
    scenario_toml,
    target_marks,
    write_atomically,
)
from sim111.outputs.formatting import gbp
from sim111.planning.targets import StaffingTargets  # no scipy: the solver is imported by staff
from sim111.scenario.targets import kpi_targets, target_notices
from sim111.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim111.planning.staffing import StaffingResult
    from sim111.scenario import Scenario

# --shift-lengths: whole or half hours, from one hour to a day
HALF_HOURS_PER_HOUR = 2
BREAK_EVEN_KPIS = (
    "break_even_price_per_call_gbp",
    "break_even_price_per_head_per_year_gbp",
    "cost_per_call_gbp",
    "margin_per_call_gbp",
)


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
    **goals: float | None,
) -> None:
    """Find the cheapest roster meeting the KPI targets; write it and print its KPIs.

    The targets are the scenario's [targets], each replaced by its --target-* option
    if given; the staffed scenario carries the targets it was steered to.
    """
    scenario = _one_area(scenario_with_overrides(scenario_file, overrides), scenario_file)
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
    for notice in target_notices(
        targets.applied_to(scenario), f"{scenario_file} with --target-*", given
    ):
        click.echo(f"notice: {notice}", err=True)
    try:
        with execution(workers) as settings:
            found = find_roster(scenario, targets, clinicians=not advisors_only, execution=settings)
    except ValueError as err:
        raise ScenarioError(f"{scenario_file}: {err}") from None
    folder = Path(out or f"staffed-{scenario.name}")
    met, _ = _verdict(found)
    header = (
        f"Roster found by sim111 staff for {scenario.name} ({'met' if met else 'NOT met'}"
        f" after {found.iterations} iteration(s)).\nTargets: {_targets_text(found)}"
    )
    _write_roster(folder, found, header, advisors_only)
    _print_staffing(found, folder)


def _one_area(scenario: Scenario, source: str) -> Scenario:
    """``scenario``, unless it has several areas (a roster or price is one area's)."""
    if scenario.areas:
        raise ScenarioError(
            f"{source}: has [[areas]]; staff and price work on one area: use "
            "'sim111 contracts' (every contract staffed) or 'sim111 run' (costs by area)"
        )
    return scenario


def _targets_text(found: StaffingResult) -> str:
    """The staffed scenario's targets as its tables mark them, and which were steered to."""
    parts = []
    for key, target in kpi_targets(found.scenario).items():
        if key in found.steered:
            why = ""
        elif not target.attainable:
            why = " (unattainable: not steered to)"
        else:
            why = " (not steered to: the clinician roster was kept)"
        parts.append(f"{kpi_info(key).label} {target.text()}{why}")
    return "; ".join(parts)


def _verdict(found: StaffingResult) -> tuple[bool, list[str]]:
    """Whether to say the targets are met, and the rows the KPI table marks MISSED.

    The search judges the targets it steered to at the worst end of their
    intervals; the table marks every target on its mean (the same
    :meth:`~sim111.scenario.targets.Target.meets`). "Met" needs both: never under a MISSED row.
    """
    missed = [
        kpi_info(k).label for k, (_, mark) in target_marks(found.result).items() if mark == "MISSED"
    ]
    return found.met and not missed, missed


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
    click.echo(f"Targets steered to: {_targets_text(found)}")
    click.echo("")
    click.echo(kpi_table(found.result))
    click.echo("")
    click.echo(cost_table(found.scenario))
    click.echo("")
    met, missed = _verdict(found)
    unattainable = [
        kpi_info(k).label for k, t in kpi_targets(found.scenario).items() if not t.attainable
    ]
    if met:
        but = f" (not the unattainable: {'; '.join(unattainable)})" if unattainable else ""
        click.echo(f"Targets met after {found.iterations} iteration(s){but}.")
    elif found.met:
        click.echo(
            f"Targets NOT met after {found.iterations} iteration(s): the roster meets the "
            f"targets it was steered to, but the table marks MISSED: {'; '.join(missed)}."
        )
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
    scenario = _one_area(scenario_with_overrides(scenario_file, overrides), scenario_file)
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
