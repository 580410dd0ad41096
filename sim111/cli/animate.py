"""``sim111 animate``: one day of a run as an animated queue (vidigi, an optional extra)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from sim111.cli.options import (
    file_argument,
    out_file_option,
    overrides_option,
    scenario_with_overrides,
    seed_option,
)
from sim111.errors import ScenarioError
from sim111.experiments.runner import simulate_replication
from sim111.outputs.animation import INSTALL, animation_available, day_animation, write_animation
from sim111.scenario import Scenario

HOURS = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?-([0-9]{1,2})(?::([0-9]{2}))?")


def parse_day(text: str, scenario: Scenario) -> dt.date:
    """``--day YYYY-MM-DD``, a day of the scenario's run; else :class:`ScenarioError`."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"--day {text!r}: expected a date like 2015-05-04") from None
    run = scenario.run
    last = run.start_date + dt.timedelta(days=run.calendar_days - 1)
    if not run.start_date <= day <= last:
        raise ScenarioError(
            f"--day {day}: outside the run ({run.start_date} to {last}); "
            "move the run with --set run.start_date=..."
        )
    return day


def parse_hours(text: str) -> tuple[float, float]:
    """``--hours FROM-UNTIL`` (``8-11``, ``07:30-12``) as hours of the day."""
    found = HOURS.fullmatch(text.strip())
    if found is None:
        raise ScenarioError(f"--hours {text!r}: expected FROM-UNTIL such as 8-11 or 07:30-12:00")
    start = int(found[1]) + int(found[2] or 0) / 60
    end = int(found[3]) + int(found[4] or 0) / 60
    if not 0 <= start < end <= 24:
        raise ScenarioError(f"--hours {text!r}: FROM must be before UNTIL, both within 0-24")
    return start, end


@click.command(name="animate")
@file_argument("scenario_file")
@click.option("--day", required=True, metavar="YYYY-MM-DD", help="The day of the run to draw.")
@out_file_option("The HTML file to write (one self-contained page).")
@click.option(
    "--hours", default="0-24", show_default=True, metavar="FROM-UNTIL", help="Part of the day."
)
@click.option(
    "--every",
    "every_min",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Minutes between frames.",
)
@click.option(
    "--replication",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Which replication (as run_number in event_log.csv).",
)
@seed_option()
@overrides_option("Override a scenario value, e.g. --set run.days=3 (repeatable).")
def animate_command(
    scenario_file: str,
    day: str,
    out: str | None,
    hours: str,
    every_min: int,
    replication: int,
    seed: int | None,
    overrides: tuple[str, ...],
) -> None:
    """Draw one day of SCENARIO_FILE's run as an animated queue (an HTML page).

    Each call is an icon: queueing, with an advisor (each advisor has a place),
    waiting for a clinician, with a clinician, at a provider. Needs vidigi:
    pip install "sim111[animate]".
    """
    if out is None:
        raise ScenarioError("animate needs --out FILE.html")
    if not animation_available():
        raise ScenarioError(INSTALL)
    scenario = scenario_with_overrides(scenario_file, overrides)
    if scenario.areas:
        raise ScenarioError(
            f"{scenario_file}: animate draws one area; this scenario has several ([[areas]])"
        )
    when = parse_day(day, scenario)
    window = parse_hours(hours)
    base_seed = scenario.run.seed if seed is None else seed
    _, _, records = simulate_replication(scenario, replication, base_seed)
    figure = day_animation(records, when, every_min=every_min, hours=window)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_animation(figure, out)
    click.echo(f"wrote {out}: {when} {hours}, replication {replication}, seed {base_seed}")
