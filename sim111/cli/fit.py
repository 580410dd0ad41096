"""``sim111 fit-demand``: fit the demand rule to a history CSV and write a scenario fragment."""

from __future__ import annotations

import os
from pathlib import Path

import click

from sim111.calibration.demand_fit import fit_demand
from sim111.calibration.demand_report import fit_figure, fit_table, fragment_toml
from sim111.cli.options import file_argument, out_file_option
from sim111.errors import ScenarioError
from sim111.outputs.atomic import write_text_file
from sim111.scenario import read_history


@click.command("fit-demand")
@file_argument("history_file")
@click.option(
    "--population",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="People served, to state the level as calls per 1,000 per year.",
)
@out_file_option("Write the TOML fragment here (default: print it, and the fit table to stderr).")
@click.option(
    "--extends",
    "base",
    metavar="SCENARIO",
    help="Make the fragment a whole scenario: this base with the fitted demand.",
)
@click.option(
    "--figure",
    type=click.Path(dir_okay=False),
    help="Save observed vs fitted calls per day (and profiles) as this image (.png, .svg).",
)
def fit_demand_command(
    history_file: str, population: int, out: str | None, base: str | None, figure: str | None
) -> None:
    """Fit day, bank-holiday and month multipliers, level, overdispersion and
    time-of-day profiles to HISTORY_FILE (a CSV 'date,calls' or 'start,calls';
    see docs/demand-data.md), and write them as a scenario fragment."""
    history = read_history(history_file)
    fit = fit_demand(history, population=population)
    extends = base
    if base is not None and out is not None:
        # `extends` is read relative to the fragment, so point there from where it is saved
        extends = Path(os.path.relpath(Path(base).resolve(), Path(out).resolve().parent)).as_posix()
    text = fragment_toml(fit, extends)
    if figure is not None:
        from sim111.outputs.charts_axes import no_mathtext, plain_figure  # matplotlib: only here

        try:
            with no_mathtext():  # the title names the history file: never parsed as TeX
                plain_figure(fit_figure(fit)).savefig(figure, dpi=120)
        except (OSError, ValueError) as err:
            raise ScenarioError(f"--figure {figure}: cannot save: {err}") from None
    if out is None:
        click.echo(fit_table(fit), err=True)
        click.echo(text, nl=False)
        return
    write_text_file(out, text)
    click.echo(fit_table(fit))
    click.echo(f"Wrote {out}")
