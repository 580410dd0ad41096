"""The ``sim111`` command: argument parsing only; the work is in the library."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pandas as pd
import tomli_w

from sim111.errors import ScenarioError
from sim111.experiments.compare import compare, differences_figure
from sim111.experiments.replications import run_experiment
from sim111.experiments.sweep import run_sweep
from sim111.experiments.sweepfile import load_sweep
from sim111.kpi_keys import kpi_info
from sim111.outputs.files import (
    DEFAULT_SWEEP_KPIS,
    comparison_table,
    cost_table,
    kpi_table,
    result_json,
    scenario_toml,
    sweep_json,
    sweep_table,
    write_atomically,
    write_outputs,
)
from sim111.outputs.formatting import gbp
from sim111.scenario import Scenario, load_scenario

USAGE_ERROR = 2


def parse_override(text: str) -> tuple[str, Any]:
    """``"dotted.key=value"`` → ``(key, value)``; the value is read as TOML.

    ``advisors.count=18`` gives an integer, ``run.start_date=2013-03-28`` a
    date, ``[1, 2]`` a list; anything TOML cannot read is kept as a string.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text!r}: expected dotted.key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def _scenario(path: str, overrides: tuple[str, ...]) -> Scenario:
    scenario = load_scenario(path)
    if overrides:
        pairs = dict(parse_override(o) for o in overrides)
        scenario = scenario.with_overrides(pairs, source=f"{path} with --set")
    return scenario


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="sim111")
def cli(verbose: bool) -> None:
    """Simulate NHS 111 call centres from TOML scenario files."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)


@cli.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.option("-n", "--replications", type=click.IntRange(min=1), help="Replications to run.")
@click.option("--seed", type=click.IntRange(min=0), help="Base random seed.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set advisors.count=18 (repeatable).",
)
@click.option("--out", type=click.Path(file_okay=False), help="Write CSV/JSON results here.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="What to print.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to run replications on (results do not depend on it).",
)
@click.option(
    "--records/--no-records",
    default=True,
    show_default=True,
    help="With --out, also write every call (calls.csv.gz).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run replications on the Dask scheduler at ADDRESS (tcp://host:8786).",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    help="Keep finished replications here; a re-run skips them.",
)
def run(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: str | None,
    fmt: str,
    workers: int,
    records: bool,
    dask_address: str | None,
    store: str | None,
) -> None:
    """Run SCENARIO_FILE and print its KPIs with 95% confidence intervals."""
    scenario = _scenario(scenario_file, overrides)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    with _dask_client(dask_address) as client:
        result = run_experiment(
            scenario,
            replications,
            seed,
            workers=workers,
            client=client,
            store=store,
            keep_records=bool(out and records),
        )
    _report_failures(result.failures)
    if result.replications == 0:
        raise SystemExit(1)
    if out is not None:
        write_outputs(result, out)
    if fmt == "json":
        click.echo(json.dumps(result_json(result), indent=2))
    else:
        click.echo(kpi_table(result))


@contextlib.contextmanager
def _dask_client(address: str | None) -> Iterator[Any]:
    """A ``distributed.Client`` connected to ``address``, or ``None``."""
    if address is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError("--dask needs Dask: pip install 'sim111[dask]'") from None
    try:
        client = Client(address, timeout=30)
    except OSError as err:
        raise ScenarioError(f"--dask {address}: cannot connect: {err}") from None
    with client:
        yield client


def _report_failures(failures: pd.DataFrame) -> None:
    """Tell stderr about replications that raised (the others are kept)."""
    for row in failures.itertuples(index=False):
        params = {k: v for k, v in row._asdict().items() if k not in ("error",)}
        first_line = str(row.error).splitlines()[0]
        click.echo(f"error: replication failed {params}: {first_line}", err=True)


def _common(f):
    """Options shared by commands that run a scenario."""
    f = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Processes to run replications on.",
    )(f)
    f = click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario value (repeatable).",
    )(f)
    f = click.option("--seed", type=click.IntRange(min=0), help="Base random seed.")(f)
    f = click.option(
        "-n", "--replications", type=click.IntRange(min=1), help="Replications per simulation."
    )(f)
    return click.argument("scenario_file", type=click.Path(dir_okay=False))(f)


@cli.command()
@_common
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for roster.toml and scenario.toml [default: staffed-NAME].",
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
    "--target-callback-10min",
    type=click.FloatRange(0, 1),
    default=0.80,
    show_default=True,
    help="Call-backs within 10 min.",
)
@click.option(
    "--shift-lengths",
    default="4,6,8,10",
    show_default=True,
    help="Allowed shift lengths in hours, comma-separated.",
)
@click.option("--advisors-only", is_flag=True, help="Keep the clinician roster as it is.")
@click.option("--max-iterations", type=click.IntRange(min=1), default=8, show_default=True)
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
    scenario = _scenario(scenario_file, overrides)
    try:
        lengths = tuple(float(x) for x in shift_lengths.split(",") if x.strip())
    except ValueError:
        raise ScenarioError(
            f"--shift-lengths {shift_lengths!r}: expected hours like 4,6,8"
        ) from None
    if not lengths or any(not 1 <= h <= 24 or (h * 2) % 1 for h in lengths):
        raise ScenarioError(f"--shift-lengths {shift_lengths!r}: each must be 1-24 h in half-hours")
    from sim111.planning.staffing import StaffingTargets  # scipy.optimize: only for this command
    from sim111.planning.staffing import staff as find_roster

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
        found = find_roster(scenario, targets, clinicians=not advisors_only, workers=workers)
    except ValueError as err:
        raise ScenarioError(f"{scenario_file}: {err}") from None
    folder = Path(out or f"staffed-{scenario.name}")
    header = (
        f"Roster found by sim111 staff for {scenario.name} ({'met' if found.met else 'NOT met'}"
        f" after {found.iterations} iteration(s)).\nTargets: {targets}"
    )
    roster: dict[str, Any] = {
        "advisors": {"shifts": found.scenario.to_data()["advisors"]["shifts"]}
    }
    if not advisors_only and found.scenario.clinicians:
        roster["clinicians"] = [
            {"name": g["name"], "shifts": g.get("shifts", [])}
            for g in found.scenario.to_data()["clinicians"]
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
    click.echo(kpi_table(found.result))
    click.echo("")
    click.echo(cost_table(found.scenario))
    click.echo("")
    if found.met:
        click.echo(f"Targets met after {found.iterations} iteration(s).")
    else:
        click.echo(f"Targets NOT met after {found.iterations} iteration(s): {found.note}.")
    click.echo(f"Wrote {folder / 'roster.toml'} and {folder / 'scenario.toml'}")


@cli.command()
@_common
def price(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    workers: int,
) -> None:
    """Print the break-even price per call and the cost breakdown of SCENARIO_FILE."""
    scenario = _scenario(scenario_file, overrides)
    result = run_experiment(scenario, replications, seed, workers=workers)
    summary = result.summary
    if "break_even_price_per_call_gbp" not in summary.index:
        raise ScenarioError(f"{scenario_file}: no staff group has 'pay': nothing to price")
    click.echo(cost_table(scenario))
    click.echo("")
    for key in (
        "break_even_price_per_call_gbp",
        "break_even_price_per_head_per_year_gbp",
        "cost_per_call_gbp",
        "margin_per_call_gbp",
    ):
        row = summary.loc[key]
        if not math.isnan(row["mean"]):
            click.echo(
                f"{kpi_info(key).label}: {gbp(row['mean'])} "
                f"(95% CI {gbp(row['ci_low'])} .. {gbp(row['ci_high'])})"
            )
    missed = [
        kpi_info(k).label
        for k in summary.index
        if kpi_info(k).meets(summary.loc[k, "mean"]) is False
    ]
    if missed:
        click.echo("")
        click.echo("This roster misses: " + "; ".join(missed) + ".")
        click.echo(
            "The price that delivers the targets is higher: run `sim111 staff` first "
            "and price its scenario.toml."
        )


@cli.command()
@click.argument("sweep_file", type=click.Path(dir_okay=False))
@click.option("-n", "--replications", type=click.IntRange(min=1), help="Replications per point.")
@click.option("--seed", type=click.IntRange(min=0), help="Base random seed.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes (results do not depend on it).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on the Dask scheduler at ADDRESS (tcp://host:8786).",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    help="Keep finished replications here; a re-run skips them [default: sweeps/NAME.store].",
)
@click.option("--out", type=click.Path(file_okay=False), help="Write CSV results here.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="KEY",
    help="KPIs to show in the table (repeatable) [default: the NHS targets and cost].",
)
def sweep(
    sweep_file: str,
    replications: int | None,
    seed: int | None,
    workers: int,
    dask_address: str | None,
    store: str | None,
    out: str | None,
    fmt: str,
    kpis: tuple[str, ...],
) -> None:
    """Run every point of SWEEP_FILE with common random numbers."""
    spec = load_sweep(sweep_file)
    folder = store or str(Path("sweeps") / f"{spec.name}.store")
    with _dask_client(dask_address) as client:
        result = run_sweep(
            spec.scenario,
            spec.points,
            replications or spec.replications,
            spec.seed if seed is None else seed,
            workers=workers,
            client=client,
            store=folder,
        )
    _report_failures(result.failures)
    if out is not None:
        write_atomically(
            out,
            {
                "kpis_by_replication.csv": lambda p: result.kpis.to_csv(p, index=False),
                "summary.csv": lambda p: result.summary.to_csv(p, index=False),
                "intervals.csv": lambda p: result.intervals.to_csv(p, index=False),
                "failures.csv": lambda p: result.failures.to_csv(p, index=False),
            },
        )
    if fmt == "json":
        click.echo(json.dumps(sweep_json(spec.name, result), indent=2))
    else:
        click.echo(sweep_table(spec.name, result, kpis or DEFAULT_SWEEP_KPIS))
    if len(result.failures):
        raise SystemExit(1)


@cli.command(name="compare")
@click.argument("scenario_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-n", "--replications", type=click.IntRange(min=2), help="Replications each.")
@click.option("--seed", type=click.IntRange(min=0), help="Base random seed (shared).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Dask scheduler address.")
@click.option("--out", type=click.Path(file_okay=False), help="Write comparison.csv and .png here.")
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="KEY",
    help="KPIs to show (repeatable) [default: the NHS targets and cost].",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def compare_command(
    scenario_files: tuple[str, ...],
    replications: int | None,
    seed: int | None,
    workers: int,
    dask_address: str | None,
    out: str | None,
    kpis: tuple[str, ...],
    fmt: str,
) -> None:
    """Run SCENARIO_FILES with common random numbers; differences from the first, with CIs."""
    if len(scenario_files) < 2:
        raise ScenarioError("compare needs at least two scenario files")
    scenarios = [load_scenario(f) for f in scenario_files]
    with _dask_client(dask_address) as client:
        comparison = compare(scenarios, replications, seed, workers=workers, client=client)
    shown = kpis or DEFAULT_SWEEP_KPIS
    diffs = comparison.differences
    if out is not None:
        from sim111.outputs.report import png_bytes  # matplotlib: only when files are written

        png = png_bytes(
            differences_figure(comparison, tuple(k for k in shown if k in set(diffs["kpi"])))
        )
        write_atomically(
            out,
            {
                "comparison.csv": lambda p: diffs.to_csv(p, index=False),
                "comparison.png": lambda p: p.write_bytes(png),
            },
        )
    if fmt == "json":
        click.echo(diffs.to_json(orient="records", indent=2))
        return
    click.echo(comparison_table(comparison, shown))


def main() -> None:
    """Entry point: run the CLI; bad input exits with status 2 and one line."""
    try:
        cli.main(standalone_mode=False)
    except ScenarioError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(USAGE_ERROR)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
