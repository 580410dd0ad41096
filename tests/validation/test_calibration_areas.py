"""`sim111 calibrate` on a multi-area scenario recovers a known roster scale, end to end.

The observations are made by sim111 itself at a known ``advisors.roster_scale`` (which
every area's ``advisor_roster_factor`` multiplies) on a two-area scenario, written as an
observed-data CSV, and fitted through the command line with a different seed. Seed-pinned.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim111.calibration.backtest import backtest
from sim111.calibration.observed import Observations, ObservedPeriod
from sim111.outputs.files import scenario_toml
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

TRUTH = 0.75
AREAS = [
    {"name": "north", "population": 400_000, "advisor_roster_factor": 0.4},
    {"name": "south", "population": 600_000, "advisor_roster_factor": 0.6},
]
# the estimator is checked on what it estimates, the advisor stage (as in
# test_calibration.py): callers who stop waiting for a call-back are switched off
NEVER = {"kind": "never"}
QUIET = {"clinical.waiting.patience": NEVER, "clinical.priorities.0.callback_patience": NEVER}
STARTS = (dt.date(2015, 3, 2), dt.date(2015, 6, 8))
DAYS = 3
KPIS = ("answered_within_60s", "abandoned_after_30s")


def observed_csv(scenario_path: Path, path: Path) -> Path:
    """Two 3-day periods as sim111 simulates the two areas at TRUTH (10 replications,
    seed 999), as the percentages an observed-data file holds."""
    truth = load_scenario(scenario_path).with_overrides({"advisors.roster_scale": TRUTH})
    blank = tuple(
        ObservedPeriod(s, s + dt.timedelta(days=DAYS - 1), dict.fromkeys(KPIS, 0.0)) for s in STARTS
    )
    made = backtest(truth, Observations("made", blank, pd.DataFrame()), 10, 999)
    simulated = made.table.set_index(["period", "kpi"])["simulated"]
    lines = ["period_start,period_end,answered_within_60s_pct,abandoned_after_30s_pct"]
    for p in blank:
        pct = [f"{100 * simulated[p.label, k]:.4f}" for k in KPIS]
        lines.append(f"{p.start},{p.end},{','.join(pct)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_calibrating_the_roster_scale_of_two_areas_recovers_the_truth(tmp_path: Path) -> None:
    scenario = tmp_path / "two-areas.toml"
    two = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({**QUIET, "areas": AREAS})
    scenario.write_text(scenario_toml(two))
    observed = observed_csv(scenario, tmp_path / "observed.csv")
    args = [str(scenario), str(observed), "--vary", "advisors.roster_scale=0.4:1.2"]
    args += ["-n", "3", "--seed", "1", "--stages", "2", "--final-replications", "5"]
    args += ["--format", "json", "--out", str(tmp_path / "fitted.toml")]
    proc = subprocess.run(
        [sys.executable, "-m", "sim111", "calibrate", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (estimate,) = json.loads(proc.stdout)["estimates"]
    assert estimate["key"] == "advisors.roster_scale"
    assert estimate["ci_low"] <= TRUTH <= estimate["ci_high"], estimate
    # and the interval says something: narrower than a fifth of the range searched
    assert estimate["ci_high"] - estimate["ci_low"] < (1.2 - 0.4) / 5, estimate
    # the fitted file keeps both areas, each its factor times the fitted scale
    fitted = load_scenario(tmp_path / "fitted.toml")
    assert [a.name for a in fitted.areas] == ["north", "south"]
    assert fitted.advisors.roster_scale == estimate["value"]
    north, south = fitted.area_scenarios
    assert north.advisors.roster_scale == 0.4 * fitted.advisors.roster_scale
    assert south.advisors.roster_scale == 0.6 * fitted.advisors.roster_scale
