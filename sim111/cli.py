"""The ``sim111`` command: argument parsing only; the work is in the library."""

from __future__ import annotations

import json
import logging
import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from sim111.errors import ScenarioError
from sim111.experiment import run_experiment
from sim111.output import kpi_table, result_json, write_outputs
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
def run(
    scenario_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: str | None,
    fmt: str,
    workers: int,
    records: bool,
) -> None:
    """Run SCENARIO_FILE and print its KPIs with 95% confidence intervals."""
    scenario = _scenario(scenario_file, overrides)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    result = run_experiment(
        scenario, replications, seed, workers=workers, keep_records=bool(out and records)
    )
    if out is not None:
        write_outputs(result, out)
    if fmt == "json":
        click.echo(json.dumps(result_json(result), indent=2))
    else:
        click.echo(kpi_table(result))


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
