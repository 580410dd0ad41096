"""``sim111 run``, ``sweep`` and ``compare``: run scenarios and print their KPIs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
import pandas as pd

from sim111.cli.limits import calls_per_replication, check_size, sweep_calls_per_replication
from sim111.cli.options import (
    allow_outside_option,
    allowed_outside,
    dask_option,
    execution,
    file_argument,
    format_option,
    kpi_option,
    out_option,
    overrides_source,
    replications_option,
    scenario_options,
    scenario_with_overrides,
    seed_option,
    store_check_option,
    store_option,
    strict_option,
    workers_option,
    yes_option,
)
from sim111.cli.warnings import NOTHING_RUN, NOTHING_WRITTEN, stop_if_strict, tell, warn_scenario
from sim111.errors import ScenarioError
from sim111.experiments.compare import compare
from sim111.experiments.replications import run_experiment
from sim111.experiments.store_check import retire_older
from sim111.experiments.sweep import run_sweep
from sim111.experiments.sweepfile import load_sweep
from sim111.experiments.warnings import (
    result_warnings,
    sweep_result_warnings,
    sweep_scenario_warnings,
)
from sim111.measures.periods import PERIOD_KINDS
from sim111.outputs.comparison_checks import comparison_warnings
from sim111.outputs.excel import excel_available
from sim111.outputs.files import (
    DEFAULT_SWEEP_KPIS,
    comparison_table,
    kpi_table,
    result_json,
    sweep_json,
    sweep_table,
    write_outputs,
)
from sim111.outputs.folders import check_folder_writable, check_out_folder, slug
from sim111.outputs.jsonsafe import json_text
from sim111.outputs.periods import periods_json, periods_table
from sim111.scenario import load_scenario

log = logging.getLogger(__name__)


@click.command()
@scenario_options(
    "Replications to run.",
    "Override a scenario value, e.g. --set advisors.count=18 (repeatable).",
)
@out_option("Write CSV/JSON results and report.html here (replaces the folder's old results).")
@format_option("What to print.")
@workers_option("Processes to run replications on (results do not depend on it).")
@click.option(
    "--records/--no-records",
    default=True,
    show_default=True,
    help="With --out, also write every call (calls.csv.gz).",
)
@click.option(
    "--event-log",
    is_flag=True,
    help="With --out, also write event_log.csv: every call's events in vidigi's format "
    "(docs/event-log.md).",
)
@dask_option("Run replications on the Dask scheduler at ADDRESS (tcp://host:8786).")
@store_option("Keep finished replications here; a re-run skips them.")
@store_check_option()
@click.option(
    "--by",
    "by",
    type=click.Choice(PERIOD_KINDS),
    help="Also print KPIs day by day, week by week or month by month, with 95% CIs "
    "(JSON and --out always have them by day).",
)
@click.option(
    "--xlsx/--no-xlsx",
    default=None,
    help="With --out, write report.xlsx (default: when openpyxl is installed; "
    'pip install "sim111[excel]").',
)
@strict_option()
@yes_option()
def run(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: str | None,
    fmt: str,
    workers: int,
    records: bool,
    event_log: bool,
    dask_address: str | None,
    store: str | None,
    store_check: str,
    by: str | None,
    xlsx: bool | None,
    strict: bool,
    yes: bool,
) -> None:
    """Run SCENARIO_FILE and print its KPIs with 95% confidence intervals."""
    scenario = scenario_with_overrides(scenario_file, overrides, strict)
    reps = replications or scenario.run.replications
    check_size(calls_per_replication(scenario), reps, yes, scenario_file)
    if xlsx and not excel_available():
        raise ScenarioError('--xlsx needs openpyxl: pip install "sim111[excel]"')
    if event_log and out is None:
        raise ScenarioError("--event-log needs --out DIR")
    if out is not None:
        check_out_folder(out, keep=[store])
    keep = bool(out and (records or event_log))
    if store is not None:
        check_folder_writable(store, f"--store {store}")
    with execution(workers, dask_address, store, store_check) as settings:
        result = run_experiment(scenario, replications, seed, execution=settings, keep_records=keep)
    report_failures(result.failures)
    if result.replications == 0:
        raise SystemExit(1)
    warned = tell(result_warnings(result), overrides_source(scenario_file, overrides))
    if out is not None and not (strict and warned):
        write_outputs(result, out, xlsx, calls=records, event_log=event_log)
    if fmt == "json":
        data = result_json(result)
        if by is not None:
            data.setdefault("by_period", {}).update(periods_json(result, (by,)))
        click.echo(json_text(data))
    else:
        click.echo(kpi_table(result))
        if by is not None:
            click.echo("\n" + periods_table(result, by))
    stop_if_strict(strict, warned, NOTHING_WRITTEN)


def report_failures(failures: pd.DataFrame) -> None:
    """Tell stderr about replications that raised (the others are kept)."""
    for row in failures.to_dict("records"):  # not itertuples: it renames 'advisors.count' '_1'
        params = {k: v for k, v in row.items() if k != "error"}
        first_line = (str(row["error"]).splitlines() or [""])[0]
        click.echo(f"error: replication failed {params}: {first_line}", err=True)


@click.command()
@file_argument("sweep_file")
@replications_option("Replications per point.")
@seed_option()
@workers_option("Local processes (results do not depend on it).")
@dask_option("Run on the Dask scheduler at ADDRESS (tcp://host:8786).")
@store_option(
    "Keep finished replications here; a re-run skips them "
    "[default: NAME.store in the user's cache folder, ~/.cache/sim111/sweeps].",
)
@store_check_option()
@out_option("Write CSV results and sweep.html here (replaces the folder's old results).")
@format_option()
@kpi_option("KPIs to show in the table (repeatable) [default: the NHS targets and cost].")
@strict_option()
@allow_outside_option()
@yes_option()
def sweep(
    sweep_file: str,
    replications: int | None,
    seed: int | None,
    workers: int,
    dask_address: str | None,
    store: str | None,
    store_check: str,
    out: str | None,
    fmt: str,
    kpis: tuple[str, ...],
    strict: bool,
    yes: bool,
) -> None:
    """Run every point of SWEEP_FILE with common random numbers."""
    spec = load_sweep(sweep_file, allow_outside=allowed_outside())
    per_replication = sweep_calls_per_replication(spec.scenario, spec.points)
    reps = replications or spec.replications
    check_size(per_replication, reps, yes, sweep_file, " of every point")
    source = f"{sweep_file} (scenario {spec.scenario.name})"
    warned = tell(sweep_scenario_warnings(spec.scenario, spec.points), source)
    stop_if_strict(strict, warned, NOTHING_RUN)
    folder = store or str(default_store(spec.name))
    if store is None:  # an older sim111's store where sim111 chose: moved aside, not refused
        retire_older(Path(folder))
    log.info("keeping finished replications in %s", folder)
    if out is not None:
        check_out_folder(out, keep=[folder])
    check_folder_writable(folder, f"--store {folder}")
    with execution(workers, dask_address, folder, store_check) as settings:
        result = run_sweep(
            spec.scenario,
            spec.points,
            reps,
            spec.seed if seed is None else seed,
            execution=settings,
        )
    report_failures(result.failures)
    warned = tell(sweep_result_warnings(spec.scenario, result), source)
    if out is not None and not (strict and warned):
        from sim111.outputs.sweep_report import write_sweep  # matplotlib: only with --out

        write_sweep(out, spec.name, result, spec.scenario, kpis or DEFAULT_SWEEP_KPIS)
    if fmt == "json":
        click.echo(json_text(sweep_json(spec.name, result)))
    else:
        click.echo(sweep_table(spec.name, result, kpis or DEFAULT_SWEEP_KPIS))
    if len(result.failures):
        raise SystemExit(1)
    stop_if_strict(strict, warned, NOTHING_WRITTEN)


def default_store(name: str) -> Path:
    """Where ``sim111 sweep`` keeps a sweep's replications without ``--store``.

    In the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``), not the
    current folder: a sweep run from a checkout leaves nothing in the source tree,
    and a re-run from anywhere resumes. The name is made a safe file name
    (:func:`~sim111.outputs.folders.slug`): a sweep file cannot choose where its
    store is, nor point at one planted elsewhere.
    """
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sim111" / "sweeps" / f"{slug(name, 'sweep')}.store"


@click.command(name="compare")
@file_argument("scenario_files", nargs=-1, required=True)
@replications_option("Replications each.", minimum=2)
@seed_option("Base random seed (shared).")
@workers_option()
@dask_option("Dask scheduler address.")
@out_option("Write compare.html, comparison.csv and .png here (replaces the folder's old results).")
@kpi_option("KPIs to show (repeatable) [default: the NHS targets and cost].")
@format_option()
@strict_option()
@allow_outside_option()
@yes_option()
def compare_command(
    scenario_files: tuple[str, ...],
    replications: int | None,
    seed: int | None,
    workers: int,
    dask_address: str | None,
    out: str | None,
    kpis: tuple[str, ...],
    fmt: str,
    strict: bool,
    yes: bool,
) -> None:
    """Run SCENARIO_FILES with common random numbers; differences from the first, with CIs."""
    if len(scenario_files) < 2:
        raise ScenarioError("compare needs at least two scenario files")
    if out is not None:
        check_out_folder(out)
    scenarios = [load_scenario(f, allow_outside=allowed_outside()) for f in scenario_files]
    per_replication = sum(calls_per_replication(s) for s in scenarios)
    reps = replications or scenarios[0].run.replications
    check_size(per_replication, reps, yes, "compare", " of every scenario")
    warned = sum(warn_scenario(s, f) for s, f in zip(scenarios, scenario_files, strict=True))
    warned += tell(comparison_warnings(scenarios), "compare")  # lengths, dates, populations
    stop_if_strict(strict, warned, NOTHING_RUN)
    with execution(workers, dask_address) as settings:
        comparison = compare(scenarios, replications, seed, execution=settings)
    warned = sum(
        tell(result_warnings(r), f) for r, f in zip(comparison.results, scenario_files, strict=True)
    )
    shown = kpis or DEFAULT_SWEEP_KPIS
    diffs = comparison.differences
    if out is not None and not (strict and warned):
        from sim111.outputs.comparison_report import write_comparison  # matplotlib: only now

        write_comparison(out, comparison, shown, scenario_files)
    if fmt == "json":
        click.echo(json_text(diffs.to_dict(orient="records")))
    else:
        click.echo(comparison_table(comparison, shown))
    stop_if_strict(strict, warned, NOTHING_WRITTEN)
