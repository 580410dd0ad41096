"""Targets on the command line: load warnings, and `sim111 staff` agreeing with its table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.scenario import load_scenario
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
    """The warnings about targets (the runs here are short: others warn of that)."""
    return [
        line
        for line in stderr.splitlines()
        if line.startswith("warning: ") and ": [targets] " in line
    ]


def test_run_reports_an_unattainable_target_at_load_and_goes_on(capped):
    result = invoke("run", capped, "-n", "2", "--set", "run.days=1")
    assert result.exit_code == 0, result.stderr
    (notice,) = notices(result.stderr)
    assert notice.startswith(f"warning: {capped} with --set: {NOTICE}")
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
    assert notice.startswith(f"warning: {source}: {NOTICE}")


def test_no_notice_when_every_target_can_be_met():
    result = invoke("run", TYPICAL, "-n", "2", "--set", "run.days=1")
    assert result.exit_code == 0
    assert notices(result.stderr) == []


def staff(tmp_path, *args):
    out = tmp_path / "staffed"
    result = invoke("staff", TYPICAL, "--set", "run.days=2", "-n", "6", "--out", out, *args)
    assert result.exit_code == 0, result.stderr
    return result, load_scenario(out / "scenario.toml"), (out / "roster.toml").read_text()


def table_row(stdout, label):
    return next(line for line in stdout.splitlines() if line.startswith(label))


@pytest.mark.parametrize(
    ("args", "callback_target", "met"),
    [
        ((), 0.90, True),  # the scenario's [targets]
        (("--target-callback-10min", "0.7"), 0.70, True),
        (("--advisors-only",), 0.90, False),  # call-backs not steered, and missed
        (("--target-callback-reached-10min", "0.95"), 0.90, True),  # unattainable
    ],
    ids=["scenario targets", "option", "advisors only", "unattainable"],
)
def test_staff_prints_the_targets_it_steered_to_and_never_met_under_missed(
    tmp_path, args, callback_target, met
):
    result, staffed, roster = staff(tmp_path, *args)
    out = result.stdout
    missed = [line for line in out.splitlines() if line.rstrip().endswith("MISSED")]
    assert not ("Targets met" in out and missed), out
    assert ("Targets met" in out) is met and ("Targets NOT met" in out) is (not met)
    if not met:
        assert table_row(out, "Call-backs made within 10 min").endswith("MISSED")
    # the staffed scenario carries the targets it was steered to, and the table marks those
    assert staffed.targets.callback_within_10min == callback_target
    shown = f">= {callback_target:.0%}"
    assert shown in table_row(out, "Call-backs made within 10 min")
    steered = table_row(out, "Targets steered to: ")
    assert f"Call-backs made within 10 min (NHS) {shown}" in steered
    assert "Answered within 60 s (of answered) >= 95%" in steered
    assert steered.removeprefix("Targets steered to: ") in roster
    if "--target-callback-reached-10min" in args:
        assert staffed.targets.callback_reached_within_10min == 0.95
        (notice,) = notices(result.stderr)
        assert f"{TYPICAL} with --target-*: {NOTICE}" in notice
        row = table_row(out, "Call-backs reaching a clinician within 10 min")
        assert row.endswith("unattainable (at most 90%)")
        assert "(unattainable: not steered to)" in steered
