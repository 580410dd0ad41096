"""Figures whose titles hold the user's text never parse it as mathtext (issue 20, defect 7).

A name may hold ``$`` (not a backslash): ``$x_$`` is an unfinished subscript to
matplotlib's mathtext, which would refuse to draw it.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sim111.cli import cli
from tests.conftest import SCENARIOS
from tests.unit.test_calibration import observed_file
from tests.unit.test_demand_data import _synthetic_csv

NAME = "Area $x_$"


def test_fit_demand_draws_a_history_file_named_with_dollars(tmp_path: Path) -> None:
    csv_path = _synthetic_csv(tmp_path, 40)
    named = csv_path.with_name("calls $x_$.csv")
    csv_path.rename(named)
    figure = tmp_path / "fit.png"
    result = CliRunner().invoke(cli, ["fit-demand", str(named), "--figure", str(figure)])
    assert result.exit_code == 0, result.stderr
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_draws_a_scenario_named_with_dollars(tmp_path: Path) -> None:
    obs = observed_file(tmp_path)
    args = ["backtest", str(SCENARIOS / "typical-area.toml"), str(obs), "-n", "2"]
    args += ["--period", "2015-03-02..2015-03-03", "--set", f"name={NAME!r}"]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bt" / "backtest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
