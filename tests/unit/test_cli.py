"""The command-line contract: JSON shape, exit status 2, atomic --out.

Commands run in this process through click's ``CliRunner`` (the same group, the
same bad-input handling as the ``sim111`` command); two smoke tests start the
real entry point, ``python -m sim111``, to check the installed wiring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.cli.options import parse_override
from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.kpi_keys import KPIS
from sim111.outputs.files import kpi_table, write_outputs
from sim111.outputs.rows import feature_of, used_features
from sim111.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS, make_scenario

CORE_KEYS = {
    "calls_offered",
    "calls_answered",
    "answered_within_60s",
    "abandoned_after_30s",
    "abandoned",
    "mean_answer_s",
    "p90_answer_s",
    "p95_answer_s",
    "advisor_utilisation",
}


def sim111(*args: str) -> subprocess.CompletedProcess[str]:
    """``sim111 ARGS`` in this process, as a finished process would report it."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def real_sim111(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sim111 ARGS`` in a new process: the entry point itself."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sim111", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_json_output_is_exactly_the_contract():
    proc = real_sim111(
        "run",
        str(SCENARIOS / "validation" / "erlang-a.toml"),
        "--format",
        "json",
        "-n",
        "3",
        "--seed",
        "4",
        "--set",
        "run.days=1",
        "--set",
        "demand.calls_per_hour=120",
        "--set",
        "advisors.count=18",
        "--set",
        "advisors.handle_time.mean_min=8",
        "--set",
        "callers.patience.mean_min=5",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"scenario", "replications", "seed", "kpis", "by_period", "warnings"}
    (day,) = out["by_period"]["day"]  # a one-day run: its day is the run
    assert day["kpis"]["calls_offered"] == out["kpis"]["calls_offered"]
    assert {w["code"] for w in out["warnings"]} == {"few-replications"}  # 3 replications
    assert (out["scenario"], out["replications"], out["seed"]) == ("erlang-a", 3, 4)
    assert set(out["kpis"]) >= CORE_KEYS
    targeted = {"answered_within_60s", "abandoned_after_30s", "callback_within_10min"}
    for key, stats in out["kpis"].items():
        extra = {"target", "status"} if key in targeted else set()
        assert set(stats) == {"mean", "ci_low", "ci_high"} | extra, key
    assert out["kpis"]["answered_within_60s"]["target"] == 0.95
    assert out["kpis"]["answered_within_60s"]["status"] in ("met", "MISSED")
    assert out["kpis"]["callback_within_10min"]["status"] is None  # no clinical stage
    sl = out["kpis"]["answered_within_60s"]
    assert 0 <= sl["ci_low"] <= sl["mean"] <= sl["ci_high"] <= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "advisors.count=-2"], "'advisors.count' must be >= 0, got -2"),
        (["--set", "advisors.nope=1"], "'advisors.nope' is not a known key here"),
        (["--set", "advisors.count"], "expected dotted.key=value"),
        (["--set", "callers.patience.kind=weibull"], "must be one of 'exponential'"),
    ],
)
def test_bad_override_exits_2_with_one_line(args, message, tmp_path):
    out = tmp_path / "out"
    proc = sim111("run", str(SCENARIOS / "typical-area.toml"), "--out", str(out), *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_file_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[advisors]\ncount = 'x'\n")
    proc = real_sim111("run", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {bad}: 'advisors.count' must be an integer, got 'x'"


def test_missing_file_exits_2(tmp_path):
    proc = sim111("run", str(tmp_path / "nope.toml"))
    assert proc.returncode == 2
    assert "no such scenario file" in proc.stderr


def test_table_output_and_out_dir(tmp_path):
    out = tmp_path / "results"
    proc = sim111(
        "run",
        str(SCENARIOS / "typical-area.toml"),
        "-n",
        "2",
        "--set",
        "run.days=1",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Answered within 60 s" in proc.stdout and ">= 95%" in proc.stdout
    names = sorted(p.name for p in out.iterdir())
    for expected in (
        "calls.csv.gz",
        "intervals.csv",
        "kpis_by_replication.csv",
        "scenario.json",
        "summary.csv",
        "summary.json",
        "report.html",
        "service_level.png",
    ):
        assert expected in names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_parse_override_reads_toml_values():
    assert parse_override("advisors.count=18") == ("advisors.count", 18)
    assert parse_override("demand.kind=stationary") == ("demand.kind", "stationary")
    assert parse_override("run.start_date=2013-03-28")[1].isoformat() == "2013-03-28"
    assert parse_override("demand.month_multipliers=[1,2]")[1] == [1, 2]


def test_failed_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    result = run_experiment(make_scenario(run={"days": 1}), 2, 1, keep_records=True)
    out = tmp_path / "out"

    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(ExperimentResult, "calls_frame", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(result, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_table_lists_every_kpi_of_a_feature_in_use_and_omits_the_others():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    table = kpi_table(run_experiment(scenario, 2, 1))
    unused = {"overflow", "escalation", "overtime", "penalties"}  # typical-area has none
    assert used_features(scenario).isdisjoint(unused)
    for kpi in KPIS:
        assert (kpi.label in table) == (feature_of(kpi.key) not in unused), kpi.key
    assert "Call-backs reaching a clinician within target: Urgent" in table
    no_clinic = kpi_table(run_experiment(make_scenario(run={"days": 1}), 2, 1))
    assert "Warm transfers" not in no_clinic  # undefined without a clinical stage
    contingency = load_scenario(SCENARIOS / "nhs-direct-contingency.toml")
    table = kpi_table(run_experiment(contingency.with_overrides({"run.days": 1}), 2, 1))
    assert "Overflow to NHS Direct: calls taken" in table
    assert "GP out-of-hours base: cases referred" in table  # not the raw key gp_ooh_base


def test_staff_writes_a_roster_and_a_runnable_scenario(tmp_path):
    out = tmp_path / "staffed"
    proc = sim111(
        "staff",
        str(SCENARIOS / "typical-area.toml"),
        "--set",
        "run.days=2",
        "-n",
        "6",
        "--target-callback-10min",
        "0.7",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Targets met" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "headcount.csv",
        "roster.toml",
        "scenario.toml",
    ]
    staffed = load_scenario(out / "scenario.toml")
    assert staffed.advisors.shifts and staffed.clinicians[0].shifts
    roster = (out / "roster.toml").read_text()
    assert "[advisors]\nshifts = [" in roster and "[[clinicians]]" in roster
    rerun = sim111("run", str(out / "scenario.toml"), "-n", "2")
    assert rerun.returncode == 0, rerun.stderr


def test_staff_rejects_bad_shift_lengths():
    proc = sim111("staff", str(SCENARIOS / "typical-area.toml"), "--shift-lengths", "8,x")
    assert proc.returncode == 2
    assert "--shift-lengths" in proc.stderr


def test_price_prints_break_even_and_breakdown():
    proc = sim111("price", str(SCENARIOS / "typical-area.toml"), "--set", "run.days=2", "-n", "3")
    assert proc.returncode == 0, proc.stderr
    assert "Break-even price per answered call: £" in proc.stdout
    assert "health advisors" in proc.stdout and "overheads" in proc.stdout


def test_price_without_pay_exits_2():
    proc = sim111("price", str(SCENARIOS / "validation" / "erlang-a.toml"), "--set", "run.days=1")
    assert proc.returncode == 2
    assert "nothing to price" in proc.stderr


def test_compare_cli_table_and_files(tmp_path):
    out = tmp_path / "cmp"
    proc = sim111(
        "compare",
        str(SCENARIOS / "typical-area.toml"),
        str(SCENARIOS / "typical-area.toml"),
        "-n",
        "2",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "difference" in proc.stdout and "0.0 pts" in proc.stdout and "identical" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        ".sim111-output",
        "compare.html",
        "comparison.csv",
        "comparison.png",
        "provenance.json",
    ]


def test_compare_needs_two_files():
    proc = sim111("compare", str(SCENARIOS / "typical-area.toml"))
    assert proc.returncode == 2
    assert "at least two" in proc.stderr


def test_cli_starts_without_plotting_or_optimisation_libraries():
    # `sim111 run` without --out draws nothing and solves no MILP: matplotlib and
    # scipy.optimize (~0.8 s of imports) are loaded only by the code that needs them.
    code = (
        "import sys, sim111.cli; "
        "print(sorted(m for m in ('matplotlib', 'scipy.optimize') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
