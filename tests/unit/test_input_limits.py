"""Files a scenario may name (its folder or a library, else ``--allow-outside-files``),
the sweep-point and estimated-call limits (``--yes``), and ``--dask`` addresses: one
line and exit status 2 each (issue 20)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.cli.limits import calls_per_replication, sweep_calls_per_replication
from sim111.experiments.replications import run_experiment
from sim111.experiments.sweepfile import MAX_POINTS, load_sweep
from sim111.scenario import load_scenario
from sim111.scenario.tree import LIBRARY_MARKER
from tests.conftest import SCENARIOS
from tests.unit.test_input_files import one_line_error, write

TYPICAL = SCENARIOS / "typical-area.toml"
SHORT = "[run]\ndays = 1\nreplications = 2\n"


def sim111(*args: str) -> subprocess.CompletedProcess[str]:
    """``sim111 ARGS`` in this process, as a finished process would report it."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_extends_outside_the_folder_is_refused_unless_allowed(tmp_path):
    write(tmp_path / "base.toml", f'extends = "{TYPICAL}"\n{SHORT}')
    child = write(tmp_path / "sub" / "child.toml", 'extends = "../base.toml"\n')
    for command in ("run", "price", "staff"):
        proc = sim111(command, str(child))
        one_line_error(proc, "child.toml: 'extends' = '../base.toml' is outside", "--allow-outside")
    proc = sim111("run", str(child), "--allow-outside-files", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kpis"]["calls_offered"]["mean"] > 100
    compare = sim111("compare", str(child), str(child), "-n", "2")
    one_line_error(compare, "child.toml: 'extends'")
    assert sim111("compare", str(child), str(child), "--allow-outside-files").returncode == 0


def test_a_refusal_says_nothing_of_the_file(tmp_path):
    secret = write(tmp_path / "secret" / "s.toml", 'name = "hunter2"\n[run]\ndays = "x"\n')
    messages = []
    for target in (secret, tmp_path / "secret" / "missing.toml", Path("/etc/passwd")):
        child = write(tmp_path / "mine" / "child.toml", f'extends = "{target}"\n')
        line = one_line_error(sim111("run", str(child)))
        assert "hunter2" not in line and "days" not in line
        messages.append(line.replace(str(target), "TARGET"))
    assert messages[0] == messages[1] == messages[2]  # existing or not: the same words


def test_a_library_may_be_named_from_anywhere(tmp_path):
    shutil.copy(TYPICAL, tmp_path / "typical.toml")
    child = write(tmp_path / "sub" / "child.toml", f'extends = "../typical.toml"\n{SHORT}')
    one_line_error(sim111("run", str(child)), "outside this scenario's folder")
    write(tmp_path / LIBRARY_MARKER, "")
    assert load_scenario(child).run.days == 1
    assert (SCENARIOS / LIBRARY_MARKER).is_file()
    for path in sorted(SCENARIOS.rglob("*.toml")):  # every library file, from its folder
        if "sweeps" not in path.parts:
            assert load_scenario(path).name


def test_data_files_stay_in_the_tree(tmp_path):
    write(tmp_path / "data" / "p.csv", "2\n4\n")
    patience = '[callers.patience]\nkind = "empirical"\nfile = "../data/p.csv"\n'
    advisors = "[advisors]\ncount = 3\n[advisors.handle_time]\nmean_min = 8\n"
    child = write(tmp_path / "sub" / "c.toml", f"{advisors}{SHORT}{patience}")
    one_line_error(sim111("run", str(child)), "'callers.patience.file' = '../data/p.csv'")
    allowed = load_scenario(child, allow_outside=True)
    assert allowed.callers.patience.values_min == (2.0, 4.0)


def test_a_sweeps_scenario_stays_in_its_tree(tmp_path):
    write(tmp_path / "base.toml", f'extends = "{TYPICAL}"\n{SHORT}')
    sweep = write(
        tmp_path / "sweeps" / "s.toml",
        'scenario = "../base.toml"\n[grid]\n"demand.scale" = [1.0, 1.1]\n',
    )
    one_line_error(sim111("sweep", str(sweep)), "s.toml: 'scenario' = '../base.toml' is outside")
    assert len(load_sweep(sweep, allow_outside=True).points) == 2
    assert load_sweep(SCENARIOS / "sweeps" / "advisors-x-surge.toml").points  # the library's


def test_too_many_sweep_points_are_refused_before_they_are_built(tmp_path):
    write(tmp_path / "base.toml", f'extends = "{TYPICAL}"\n{SHORT}')
    values = ", ".join(str(1 + k / 1000) for k in range(1000))
    grid = f'"demand.scale" = [{values}]\n"advisors.roster_scale" = [{values}]\n'
    sweep = write(tmp_path / "s.toml", f'scenario = "base.toml"\n[grid]\n{grid}')
    one_line_error(sim111("sweep", str(sweep)), "s.toml: 1,000,000 points", f"{MAX_POINTS:,}")
    points = "".join(f'[[points]]\n"demand.scale" = {k}\n' for k in range(MAX_POINTS + 1))
    listed = write(tmp_path / "p.toml", f'scenario = "base.toml"\n{points}')
    one_line_error(sim111("sweep", str(listed)), f"{MAX_POINTS + 1:,} points")


def test_the_call_estimate_is_close_to_the_calls_simulated():
    scenario = load_scenario(TYPICAL).with_overrides({"run.days": 3})
    result = run_experiment(scenario, replications=3, seed=1)
    offered = result.kpis["calls_offered"].mean()
    assert calls_per_replication(scenario) == pytest.approx(offered, rel=0.1)
    doubled = sweep_calls_per_replication(scenario, [{"demand.scale": 2.0}, {"run.seed": 5}])
    assert doubled == pytest.approx(3 * calls_per_replication(scenario))


def test_a_run_over_the_call_limit_needs_yes(tmp_path, monkeypatch):
    monkeypatch.setattr("sim111.cli.limits.MAX_ESTIMATED_CALLS", 1_000)
    base = write(tmp_path / "base.toml", f'extends = "{TYPICAL}"\n{SHORT}')
    sweep = write(tmp_path / "s.toml", 'scenario = "base.toml"\n[grid]\n"demand.scale" = [1, 2]\n')
    commands = [("run", str(base)), ("sweep", str(sweep)), ("compare", str(base), str(base))]
    for command in commands:
        one_line_error(sim111(*command), "calls to simulate", "limit of 1,000", "--yes")
    for command in commands:
        proc = sim111(*command, "--yes", "-n", "2")
        assert proc.returncode == 0, proc.stderr
        assert "calls to simulate" not in proc.stderr
    monkeypatch.setattr("sim111.cli.limits.MAX_ESTIMATED_CALLS", 1_000_000)
    assert sim111("run", str(base)).returncode == 0


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("not an address", "expected local, local:N"),
        ("host:99999", "PORT 1-65535"),
        ("ftp://host:21", "expected local"),
        ("local:0", "local:N needs N >= 1 workers"),
        ("local:100000", "local:N allows at most 256 workers"),
        ("tls://127.0.0.1:1", "cannot connect"),
    ],
)
def test_a_bad_dask_address_is_one_line(tmp_path, address, says):
    base = write(tmp_path / "base.toml", f'extends = "{TYPICAL}"\n{SHORT}')
    one_line_error(sim111("run", str(base), "--dask", address), "--dask", says)
