"""``sim111 backtest`` and ``sim111 calibrate``: a scenario against observed periods."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pandas as pd

from sim111.calibration.backtest import backtest
from sim111.calibration.observed import read_observed
from sim111.calibration.parameters import parse_vary
from sim111.calibration.report import (
    backtest_figure,
    backtest_json,
    backtest_table,
    calibration_json,
    calibration_table,
    fitted_toml,
)
from sim111.cli.options import (
    dask_option,
    execution,
    file_argument,
    format_option,
    kpi_option,
    out_file_option,
    out_option,
    scenario_options,
    scenario_with_overrides,
    workers_option,
)
from sim111.errors import ScenarioError
from sim111.outputs.atomic import write_files
from sim111.outputs.folders import check_folder_writable
from sim111.outputs.jsonsafe import json_text


def _check_out(out: str | None, *inputs: str) -> None:
    """Refuse, before anything runs, an ``--out`` that would overwrite an input or
    that cannot be written."""
    if out is None:
        return
    target = Path(out).resolve()
    if not out.strip() or any(target == Path(i).resolve() for i in inputs):
        raise ScenarioError(f"--out {out!r}: must name a new file or folder, not an input")
    check_folder_writable(target.parent, f"--out {out}")  # tried, as run's --out is


def _write(out: str, writers: dict[str, Callable[[Path], object]], folder: bool) -> list[Path]:
    """Write atomically; a failure is one line naming ``--out``, not a traceback."""
    target = Path(out)
    return write_files(target if folder else target.parent, writers, given=out)


def _report_failures(failures: pd.DataFrame) -> None:
    if len(failures):
        first = str(failures["error"].iloc[0]).splitlines()[0]
        click.echo(f"warning: {len(failures)} replication(s) failed; first: {first}", err=True)


def _period_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--period",
        "periods",
        multiple=True,
        metavar="YYYY-MM",
        help="Use only this period (its start month, or START..END); repeatable.",
    )(f)


@click.command("backtest")
@scenario_options("Replications per period.", "Override a scenario value (repeatable).")
@file_argument("observed_file")
@_period_option
@format_option("What to print.")
@out_option("Write backtest.csv, backtest.json and backtest.png here.")
@workers_option("Processes to run replications on (results do not depend on it).")
@dask_option("Run replications on the Dask scheduler at ADDRESS.")
def backtest_command(
    scenario_file: str,
    observed_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    periods: tuple[str, ...],
    fmt: str,
    out: str | None,
    workers: int,
    dask_address: str | None,
) -> None:
    """Simulate SCENARIO_FILE in every period of OBSERVED_FILE and compare.

    OBSERVED_FILE is a CSV of observed periods (docs/calibration.md). Each period
    is simulated in full at its observed volume, scaled to the scenario's population.
    """
    _check_out(out, scenario_file, observed_file)
    scenario = scenario_with_overrides(scenario_file, overrides)
    observed = read_observed(observed_file)
    if periods:
        observed = observed.select(list(periods))
    with execution(workers, dask_address) as settings:
        result = backtest(scenario, observed, replications, seed, execution=settings)
    _report_failures(result.failures)
    if out is not None:
        from sim111.outputs.charts_axes import no_mathtext  # matplotlib: only when written
        from sim111.outputs.report import png_bytes

        data = json_text(backtest_json(result))
        with no_mathtext():  # laid out as it is made: the scenario's name is not TeX
            png = png_bytes(backtest_figure(result))
        written = _write(
            out,
            {
                "backtest.csv": lambda p: result.table.to_csv(p, index=False),
                "backtest.json": lambda p: p.write_text(data),
                "backtest.png": lambda p: p.write_bytes(png),
            },
            folder=True,
        )
        click.echo(f"Wrote {', '.join(str(p) for p in written)}", err=True)
    if fmt == "json":
        click.echo(json_text(backtest_json(result)))
    else:
        click.echo(backtest_table(result))


@click.command("calibrate")
@scenario_options("Replications per design point and period.", "Override a scenario value.")
@file_argument("observed_file")
@click.option(
    "--vary",
    multiple=True,
    required=True,
    metavar="KEY[=LOW:HIGH]",
    help="A scenario value to fit, with the range to search (default: half to twice "
    "its value); repeatable.",
)
@kpi_option("Fit only this KPI (repeatable; default: every KPI observed).")
@_period_option
@click.option(
    "--stages",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Rounds of design, surface fit and a narrower box.",
)
@click.option("--points", type=click.IntRange(min=2), help="Design points per stage.")
@click.option(
    "--final-replications",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Replications of the fitted scenario's back-test.",
)
@out_file_option("Write the fitted scenario here (a TOML file that extends SCENARIO_FILE).")
@format_option("What to print.")
@workers_option("Processes to run replications on (results do not depend on it).")
@dask_option("Run replications on the Dask scheduler at ADDRESS.")
def calibrate_command(
    scenario_file: str,
    observed_file: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    vary: tuple[str, ...],
    kpis: tuple[str, ...],
    periods: tuple[str, ...],
    stages: int,
    points: int | None,
    final_replications: int,
    out: str | None,
    fmt: str,
    workers: int,
    dask_address: str | None,
) -> None:
    """Fit the --vary values of SCENARIO_FILE to the periods of OBSERVED_FILE.

    Prints the fitted values with 95% intervals and the fitted scenario's
    back-test; --out writes the fitted scenario as a file extending SCENARIO_FILE.
    """
    if overrides and out:
        raise ScenarioError(
            "--out writes a file extending SCENARIO_FILE: drop --set, or "
            "put the values in a scenario file and calibrate that"
        )
    _check_out(out, scenario_file, observed_file)
    scenario = scenario_with_overrides(scenario_file, overrides)
    parameters = [parse_vary(scenario, v) for v in vary]
    observed = read_observed(observed_file)
    if periods:
        observed = observed.select(list(periods))
    from sim111.calibration.calibrate import calibrate  # scipy.optimize: only when fitting

    with execution(workers, dask_address) as settings:
        result = calibrate(
            scenario,
            observed,
            parameters,
            replications or 3,
            seed,
            kpis=kpis or None,
            stages=stages,
            points_per_stage=points,
            final_replications=final_replications,
            execution=settings,
        )
    _report_failures(result.fit.failures)
    if out is not None:
        text = fitted_toml(result, scenario_file, out)
        _write(out, {Path(out).name: lambda p: p.write_text(text)}, folder=False)
        click.echo(f"Wrote {out}", err=True)
    if fmt == "json":
        click.echo(json_text(calibration_json(result)))
    else:
        click.echo(calibration_table(result))
