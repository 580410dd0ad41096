"""Calibration's parts: surfaces, parameter ranges, period placement, the fitted file, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.calibration.calibrate import Calibration
from sim111.calibration.observed import Observations, ObservedPeriod
from sim111.calibration.parameters import parse_vary
from sim111.calibration.periods import period_overrides, period_scenarios
from sim111.calibration.report import fitted_toml
from sim111.calibration.surface import fit_surface, n_terms, quadratic_terms
from sim111.cli import cli
from sim111.engine.calendar import run_days
from sim111.engine.demand import expected_calls_per_day
from sim111.errors import ScenarioError
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"


def test_quadratic_surface_reproduces_a_quadratic_exactly() -> None:
    rng = np.random.default_rng(1)
    low, high = np.array([0.0, 10.0]), np.array([2.0, 30.0])
    theta = low + (high - low) * rng.random((12, 2))
    y = np.column_stack([3 + theta[:, 0] ** 2 - 0.1 * theta[:, 0] * theta[:, 1], theta[:, 1]])
    surface = fit_surface(theta, y, low, high, np.array([False, False]))
    probe = np.array([[1.3, 17.0]])
    assert surface.predict(probe)[0] == pytest.approx([3 + 1.69 - 0.1 * 1.3 * 17, 17.0])
    assert surface.jacobian(probe[0]) == pytest.approx(
        np.array([[2 * 1.3 - 1.7, -0.13], [0.0, 1.0]]), abs=1e-6
    )
    assert surface.r2 == pytest.approx([1.0, 1.0])
    assert quadratic_terms(theta).shape == (12, n_terms(2))


def test_fractions_are_fitted_on_the_logit_scale_and_stay_fractions() -> None:
    theta = np.linspace(0, 1, 9)[:, None]
    y = 1 / (1 + np.exp(-(4 * theta[:, 0] - 1)))  # logistic: exactly linear on the logit scale
    surface = fit_surface(theta, y[:, None], np.array([0.0]), np.array([1.0]), np.array([True]))
    assert surface.predict(np.array([[0.37]]))[0, 0] == pytest.approx(1 / (1 + np.exp(-0.48)))
    assert 0 < surface.predict(np.array([[5.0]]))[0, 0] < 1


def test_vary_ranges_default_to_half_and_twice_within_declared_bounds() -> None:
    s = load_scenario(TYPICAL)
    p = parse_vary(s, "callers.patience.mean_min")
    assert (p.low, p.high) == (s.callers.patience.mean_min / 2, s.callers.patience.mean_min * 2)
    share = parse_vary(s, "triage.clinical_share")
    assert share.high <= 1.0  # declared le=1
    given = parse_vary(s, "clinicians.0.roster_scale=0.5:1.5")
    assert (given.key, given.low, given.high) == ("clinicians.0.roster_scale", 0.5, 1.5)
    for bad, message in [
        ("advisors.nope", "the scenario has no value at 'advisors.nope'"),
        ("name", "must name a number"),
        ("advisors.roster_scale=1.5:0.5", "LOW < HIGH"),
        ("advisors.roster_scale=0.5-1.5", "the range must be LOW:HIGH"),
    ]:
        with pytest.raises(ScenarioError, match=message):
            parse_vary(s, bad)


def test_a_period_is_simulated_at_its_observed_calls_per_head() -> None:
    s = load_scenario(TYPICAL)
    period = ObservedPeriod(
        dt.date(2014, 4, 1), dt.date(2014, 4, 30), {}, calls_offered=1_080_893, population=54e6
    )
    ((_, placed),) = period_scenarios(s, (period,))
    assert placed.run.start_date == period.start and placed.run.days == 30
    per_day = expected_calls_per_day(placed.demand, run_days(period.start, 30)).mean()
    assert per_day == pytest.approx(1_080_893 / 30 / 54)  # 1 m of 54 m people
    # without volumes the scenario's own demand stands
    bare = ObservedPeriod(dt.date(2014, 4, 1), dt.date(2014, 4, 30), {})
    assert "demand.scale" not in period_overrides(s, bare)


def test_fitted_file_extends_the_base_and_loads_to_the_fitted_values(tmp_path: Path) -> None:
    base = load_scenario(TYPICAL)
    values = {"advisors.roster_scale": 0.8, "clinicians.0.roster_scale": 0.7}
    estimates = pd.DataFrame(
        {
            "key": list(values),
            "value": list(values.values()),
            "se": [0.05, float("inf")],
            "ci_low": [0.7, 0.4],
            "ci_high": [0.9, 1.5],
            "at_bound": [False, True],
        }
    )
    fake = Calibration.__new__(Calibration)
    object.__setattr__(fake, "base", base)
    object.__setattr__(fake, "observations", Observations("obs.csv", (), pd.DataFrame()))
    object.__setattr__(fake, "parameters", tuple(parse_vary(base, k) for k in values))
    object.__setattr__(fake, "estimates", estimates)
    out = tmp_path / "sub" / "fitted.toml"
    out.parent.mkdir()
    out.write_text(fitted_toml(fake, TYPICAL, out))
    loaded = load_scenario(out)
    assert loaded.advisors.roster_scale == 0.8
    assert loaded.clinicians[0].roster_scale == 0.7
    assert loaded.advisors.shifts == base.advisors.shifts
    assert loaded.name == "typical-area-calibrated"
    header = out.read_text()
    assert "advisors.roster_scale = 0.8 (0.7..0.9)\n" in header
    assert "clinicians.0.roster_scale = 0.7 (0.4..1.5)  NOT DETERMINED" in header
    assert "AT THE EDGE" in header


def observed_file(tmp_path: Path) -> Path:
    path = tmp_path / "obs.csv"
    path.write_text(
        "period_start,period_end,answered_within_60s_pct,abandoned_after_30s_pct\n"
        "2015-03-02,2015-03-03,93,1.5\n2015-03-09,2015-03-10,94,1.2\n"
        "2015-03-16,2015-03-17,95,1\n"
    )
    return path


def test_backtest_command_prints_writes_and_reads_json(tmp_path: Path) -> None:
    runner = CliRunner()
    obs = observed_file(tmp_path)
    args = ["backtest", str(TYPICAL), str(obs), "-n", "2", "--period", "2015-03-02..2015-03-03"]
    result = runner.invoke(cli, [*args, "--out", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    assert "Answered within 60 s" in result.output and "2015-03-02..2015-03-03" in result.output
    assert sorted(p.name for p in (tmp_path / "bt").iterdir()) == [
        "backtest.csv",
        "backtest.json",
        "backtest.png",
    ]
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert {r["kpi"] for r in data["rows"]} == {"answered_within_60s", "abandoned_after_30s"}
    assert pd.read_csv(tmp_path / "bt" / "backtest.csv")["observed"].tolist() == [0.93, 0.015]


def test_calibrate_command_writes_a_loadable_fitted_scenario(tmp_path: Path) -> None:
    out = tmp_path / "fitted.toml"
    result = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(TYPICAL),
            str(observed_file(tmp_path)),
            "--vary",
            "advisors.roster_scale=0.5:1.2",
            "-n",
            "1",
            "--stages",
            "1",
            "--points",
            "6",
            "--final-replications",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "advisors.roster_scale" in result.output and "Back-test" in result.output
    fitted = load_scenario(out)
    assert 0.5 <= fitted.advisors.roster_scale <= 1.2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "advisors.nope"], "error: --vary advisors.nope: the scenario has no value"),
        (["--vary", "advisors"], "error: --vary advisors: names a table, not a number"),
        (
            ["--vary", "advisors.roster_scale", "--kpi", "p95_answer_s"],
            "error: cannot fit KPI 'p95_answer_s'",
        ),
        (
            ["--vary", "advisors.roster_scale", "--set", "demand.scale=2", "--out", "x.toml"],
            "error: --out writes a file extending",
        ),
        (["--vary", "run.days"], "error: --vary run.days: each period sets the run"),
        (
            ["--vary", "advisors.roster_scale", "--vary", "advisors.roster_scale=0.5:1"],
            "error: --vary advisors.roster_scale: given twice",
        ),
        (
            ["--vary", "triage.clinical_share=0.1:1.5"],
            "error: --vary triage.clinical_share=0.1:1.5: the range must lie within 0..1",
        ),
        (
            ["--vary", "advisors.roster_scale=0.5:inf"],
            "error: --vary advisors.roster_scale=0.5:inf: the range must be LOW:HIGH",
        ),
        (
            ["--vary", "advisors.roster_scale", "--points", "2"],
            "error: --points 2 is too few for 1 parameter(s)",
        ),
        (
            ["--vary", "advisors.roster_scale", "--period", "2015-03-02..2015-03-03"],
            "error: 1 observed value(s) cannot fit 1 parameter(s)",
        ),
        (
            ["--vary", "advisors.roster_scale", "--period", "2019-01"],
            "no period matches '2019-01'; periods are",
        ),
    ],
)
def test_calibrate_bad_input_is_one_line_and_status_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    obs = observed_file(tmp_path)
    if "--period" in args and "2015-03-02..2015-03-03" in args:
        obs.write_text(
            "period_start,period_end,answered_within_60s_pct\n2015-03-02,2015-03-03,93\n"
        )
    result = CliRunner().invoke(cli, ["calibrate", str(TYPICAL), str(obs), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and result.output.count("\n") == 1
    assert result.output.startswith("error: ")


def test_demand_level_cannot_be_fitted_when_the_periods_give_volumes(tmp_path: Path) -> None:
    obs = tmp_path / "v.csv"
    obs.write_text(
        "period_start,period_end,calls_offered,answered_within_60s_pct\n"
        "2015-03-02,2015-03-02,600,93\n2015-03-03,2015-03-03,600,94\n"
    )
    result = CliRunner().invoke(
        cli, ["calibrate", str(TYPICAL), str(obs), "--vary", "demand.scale"]
    )
    assert result.exit_code == 2
    assert (
        "--vary demand.scale: the periods' observed calls offered set the demand" in result.output
    )


def test_out_may_not_overwrite_the_base_scenario(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_text(TYPICAL.read_text())
    before = base.read_text()
    result = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(base),
            str(observed_file(tmp_path)),
            "--vary",
            "advisors.roster_scale",
            "--out",
            str(base),
        ],
    )
    assert result.exit_code == 2
    assert "must name a new file or folder, not an input" in result.output
    assert base.read_text() == before  # untouched, and checked before anything ran


def test_a_kpi_the_model_never_produces_is_refused_not_a_traceback(tmp_path: Path) -> None:
    obs = tmp_path / "cb.csv"
    obs.write_text(
        "period_start,period_end,answered_within_60s_pct,callback_within_10min_pct\n"
        "2015-03-02,2015-03-02,80,50\n2015-03-04,2015-03-04,85,50\n"
    )
    erlang = SCENARIOS / "validation" / "erlang-a.toml"
    result = CliRunner().invoke(
        cli,
        [
            "calibrate",
            str(erlang),
            str(obs),
            "--vary",
            "advisors.count=14:22",
            "-n",
            "2",
            "--stages",
            "1",
            "--points",
            "6",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "KPI 'callback_within_10min' of period 2015-03-02..2015-03-02 is never defined" in (
        result.output
    )


def test_a_period_at_an_absurd_volume_is_refused(tmp_path: Path) -> None:
    obs = tmp_path / "typo.csv"
    obs.write_text(
        "period_start,period_end,calls_offered,population,answered_within_60s_pct\n"
        "2015-03-02,2015-03-02,36000,54000,93\n"
    )
    result = CliRunner().invoke(cli, ["backtest", str(TYPICAL), str(obs)])
    assert result.exit_code == 2
    assert "x its own demand; check 'population' and 'calls_offered'" in result.output
