"""Warnings for planners on the command line: ``warning: SOURCE: ...`` on stderr, and ``--strict``.

A warning never stops a run. Under ``--strict`` any warning is an error (exit
status 2, one line saying how many): a scenario's warnings before anything
runs, a result's after the run but before anything is written (the KPIs are
still printed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

import click

from sim111.errors import ScenarioError
from sim111.experiments.warnings import result_warnings, scenario_warnings
from sim111.scenario import Scenario
from sim111.scenario.warnings import PlannerWarning, target_warnings, unique

if TYPE_CHECKING:
    from sim111.planning.staffing import StaffingResult

NOTHING_RUN = "nothing was run"
NOTHING_WRITTEN = "nothing was written"


def tell(warnings: Iterable[PlannerWarning], source: str) -> int:
    """Each warning once on stderr as ``warning: SOURCE: message``; how many were told."""
    told = unique(warnings)
    for w in told:
        click.echo(f"warning: {source}: {w.message}", err=True)
    return len(told)


def stop_if_strict(strict: bool, count: int, then: str) -> None:
    """Under ``--strict``, ``count`` warnings are an error (exit status 2): ``then`` says
    what was left undone."""
    if strict and count:
        plural = "" if count == 1 else "s"
        after = f"; {then}" if then else ""
        raise ScenarioError(f"--strict: {count} warning{plural} above{after}")


def warn_scenario(
    scenario: Scenario, source: str, strict: bool = False, skip: tuple[str, ...] = ()
) -> int:
    """Tell the warnings of ``scenario`` (not those about keys starting with ``skip``);
    under ``--strict`` any is an error before the run."""
    warnings = [w for w in scenario_warnings(scenario) if not (skip and w.where.startswith(skip))]
    count = tell(warnings, source)
    stop_if_strict(strict, count, NOTHING_RUN)
    return count


def _rosters(advisors_only: bool) -> tuple[str, ...]:
    """The keys of the rosters ``sim111 staff`` replaces."""
    return ("advisors",) if advisors_only else ("advisors", "clinicians")


def staff_warnings(
    scenario: Scenario,
    steered: Scenario,
    given: Collection[str],
    files: tuple[str, str],
    advisors_only: bool,
    strict: bool,
) -> int:
    """Before ``sim111 staff`` searches: the warnings of ``scenario`` but those about the
    rosters it replaces or the targets its ``--target-*`` options (``given``) replace, then
    the given targets no staffing can meet (``steered``: the scenario with them).

    ``files``: how messages name the scenario, and the file itself.
    """
    skip = _rosters(advisors_only) + tuple(f"targets.{key}" for key in given)
    count = warn_scenario(scenario, files[0], skip=skip)
    count += tell(target_warnings(steered, given), f"{files[1]} with --target-*")
    stop_if_strict(strict, count, NOTHING_RUN)
    return count


def staffed_warnings(found: StaffingResult, advisors_only: bool) -> list[PlannerWarning]:
    """After ``sim111 staff``: hours the roster it found leaves with no one on duty,
    and what its final run says about itself."""
    rosters = _rosters(advisors_only)
    gaps = [w for w in scenario_warnings(found.scenario) if w.where.startswith(rosters)]
    return [*gaps, *result_warnings(found.result)]


def strict_help() -> str:
    """The help text of ``--strict``."""
    return (
        "Treat warnings (stderr 'warning: ...') as errors: exit status 2 before the run "
        "for the scenario's, after it but before writing anything for the result's."
    )
