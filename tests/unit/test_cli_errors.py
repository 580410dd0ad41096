"""click's own usage errors are one line and exit status 2 (issue 20, must have 1).

A bad option value, a missing argument, an unknown option or command: each is
``error: <what> (sim111 <command> --help lists the options)``, never click's
``Usage: ... Try ... Error: ...`` block. ``--help`` still prints help.
"""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS
from tests.unit.test_cli import real_sim111, sim111

TYPICAL = str(SCENARIOS / "typical-area.toml")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["run", TYPICAL, "--workers", "x"],
            "error: invalid value for '--workers': 'x' is not a valid integer range "
            "(sim111 run --help lists the options)",
        ),
        (
            ["run", TYPICAL, "--by", "year"],
            "error: invalid value for '--by': 'year' is not one of 'day', 'week', 'month' "
            "(sim111 run --help lists the options)",
        ),
        (
            ["run"],
            "error: missing argument 'SCENARIO_FILE' (sim111 run --help lists the options)",
        ),
        (
            ["price", TYPICAL, "--qqq"],
            "error: no such option '--qqq' (sim111 price --help lists the options)",
        ),
        (
            ["nope"],
            "error: no such command 'nope' (sim111 --help lists the commands and options)",
        ),
        (
            ["--qqq", "run"],
            "error: no such option '--qqq' (sim111 --help lists the commands and options)",
        ),
    ],
)
def test_a_usage_error_is_one_line_with_status_2(args, line):
    proc = sim111(*args)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [line]
    assert proc.stdout == ""


def test_a_long_bad_value_is_cut_in_the_line():
    proc = sim111("run", TYPICAL, "--workers", "9" * 10 + "x" * 5000)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: invalid value for '--workers'")
    assert line.endswith("(sim111 run --help lists the options)")
    assert len(line) < 600


def test_the_entry_point_prints_one_line_too():
    proc = real_sim111("run", TYPICAL, "--replications", "many")
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: invalid value for '-n' / '--replications': 'many' is not a valid integer "
        "range (sim111 run --help lists the options)\n"
    )


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["staff", "-h"]])
def test_help_still_prints_help(args):
    proc = sim111(*args)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: ")
    assert "Options:" in proc.stdout


def test_no_command_shows_the_commands():
    proc = sim111()
    assert proc.returncode == 2
    assert "Commands:" in proc.stderr + proc.stdout
    assert "run" in proc.stderr + proc.stdout
