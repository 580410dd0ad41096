"""What ``sim111 staff`` writes: a roster people can read, the staffed scenario, head-counts.

``roster.toml`` has one line per shift line (inline tables) under a header
in words; ``scenario.toml`` is the staffed scenario, loadable as it is;
``headcount.csv`` is people on duty by half-hour, staff group and day type.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from pathlib import Path

import click
import pandas as pd

from sim111.outputs.atomic import write_files
from sim111.outputs.files import scenario_toml
from sim111.planning.roster_files import roster_toml
from sim111.planning.roster_summary import headcount_rows
from sim111.scenario import Scenario

STAFF_FILES = ("roster.toml", "scenario.toml", "headcount.csv")


def command_text(ctx: click.Context) -> str:
    """The command line that ran ``ctx``'s command, from its parsed parameters
    (those left at their defaults omitted), as ``sim111 staff FILE --opt value``."""
    parts = ["sim111", ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument):
            parts.append(shlex.quote(str(value)))
            continue
        if value in (None, False, ()) or value == param.default:
            continue
        option = max(param.opts, key=len)
        if isinstance(param, click.Option) and param.is_flag:
            parts.append(option)
            continue
        for each in value if isinstance(value, tuple) else (value,):
            parts += [option, shlex.quote(f"{each:g}" if isinstance(each, float) else str(each))]
    return " ".join(parts)


def now_text() -> str:
    """The local date and time, ``2026-11-30 15:04``, for a file header."""
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


def write_staffed(
    folder: Path, scenario: Scenario, header: str, clinicians: bool, headcounts: pd.DataFrame
) -> None:
    """``roster.toml``, ``scenario.toml`` and ``headcount.csv`` in ``folder``, all or nothing."""
    texts = {
        "roster.toml": roster_toml(scenario, header, clinicians),
        "scenario.toml": scenario_toml(scenario, header),
    }
    write_files(
        folder,
        {
            **{name: _writer(text) for name, text in texts.items()},
            "headcount.csv": lambda p: headcount_rows(headcounts).to_csv(p, index=False),
        },
    )


def _writer(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text)
