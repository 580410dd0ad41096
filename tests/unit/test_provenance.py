"""provenance.json in every sim111 run --out: versions, seed, replications, the
command line, the date and a hash of the scenario as run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from sim111.experiments.replications import run_experiment
from sim111.experiments.store import canonical_json
from sim111.outputs.files import write_outputs
from sim111.outputs.provenance import scenario_sha256
from sim111.scenario import load_scenario
from sim111.version import __version__
from tests.conftest import ROOT, SCENARIOS


def _typical(days: int = 2):
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": days})


def test_provenance_records_what_made_the_run(tmp_path: Path) -> None:
    result = run_experiment(_typical(), 3, 17)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    written = {p.name for p in write_outputs(result, tmp_path / "out", command="sim111 run x")}
    assert "provenance.json" in written
    record = json.loads((tmp_path / "out" / "provenance.json").read_text(encoding="utf-8"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert record["sim111"] == __version__
    assert record["python"] == platform.python_version()
    assert record["libraries"]["numpy"] == np.__version__
    assert record["libraries"]["pandas"] == pd.__version__
    assert record["libraries"]["simpy"] == simpy.__version__
    assert record["seed"] == 17 == summary["seed"]
    assert record["replications"] == 3 == summary["replications"]
    assert record["replications_failed"] == 0
    assert record["scenario"] == "typical-area"
    assert record["command"] == "sim111 run x"
    assert before <= dt.datetime.fromisoformat(record["date_utc"]) <= dt.datetime.now(dt.UTC)
    # the hash is of the scenario written beside it (dates become ISO strings either way)
    scenario_json = json.loads((tmp_path / "out" / "scenario.json").read_text(encoding="utf-8"))
    expected = hashlib.sha256(canonical_json(scenario_json).encode()).hexdigest()
    assert record["scenario_sha256"] == expected


def test_scenario_hash_changes_with_the_scenario_only() -> None:
    a = scenario_sha256(_typical(2).to_data())
    assert a == scenario_sha256(_typical(2).to_data())
    assert a != scenario_sha256(_typical(3).to_data())
    assert len(a) == 64


def test_cli_run_out_records_its_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", str(SCENARIOS / "typical-area.toml"), "--set", "run.days=1"]
    args += ["-n", "2", "--seed", "5", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "sim111", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["command"].endswith(shlex.join(args))
    assert record["seed"] == 5
    assert record["replications"] == 2
