"""Targets on the command line: load notices, and `sim111 staff` agreeing with its table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"
NOTICE = "[targets] callback_reached_within_10min = 95% cannot be met: at most 90%"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def capped(tmp_path):
    """A scenario file whose reached-within-10-min target is above its 90% ceiling."""
    path = tmp_path / "capped.toml"
    path.write_text(
        f'extends = "{TYPICAL.as_posix()}"\n[targets]\ncallback_reached_within_10min = 0.95\n'
    )
    return path


def notices(stderr):
    return [line for line in stderr.splitlines() if line.startswith("notice: ")]


def test_run_reports_an_unattainable_target_at_load_and_goes_on(capped):
    result = invoke("run", capped, "-n", "2", "--set", "run.days=1")
    assert result.exit_code == 0, result.stderr
    (notice,) = notices(result.stderr)
    assert notice.startswith(f"notice: {capped} with --set: {NOTICE}")
    assert "unanswered" in notice
    row = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("Call-backs reaching a clinician within 10 min")
    )
    assert row.endswith("unattainable (at most 90%)")


@pytest.mark.parametrize("name", ["run", "price", "compare"])
def test_commands_that_load_a_scenario_tell_stderr(capped, tmp_path, name):
    if name == "compare":  # compare reads its files as they are: shorten the runs in files
        short = tmp_path / "short.toml"
        short.write_text(f'extends = "{capped.name}"\n[run]\ndays = 1\n')
        plain = tmp_path / "plain.toml"
        plain.write_text(f'extends = "{TYPICAL.as_posix()}"\n[run]\ndays = 1\n')
        result = invoke(name, plain, short, "-n", "2")
        source = str(short)
    else:
        result = invoke(name, capped, "-n", "2", "--set", "run.days=1")
        source = f"{capped} with --set"
    assert result.exit_code == 0, result.stderr
    (notice,) = notices(result.stderr)
    assert notice.startswith(f"notice: {source}: {NOTICE}")


def test_no_notice_when_every_target_can_be_met():
    result = invoke("run", TYPICAL, "-n", "2", "--set", "run.days=1")
    assert result.exit_code == 0
    assert notices(result.stderr) == []
