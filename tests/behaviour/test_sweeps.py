"""Sweeps: common random numbers, executors, durable store, failures."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim111.experiments.runner as runner_module
from sim111 import ExecutionSettings, run_experiment, run_sweep
from sim111.cli import cli
from sim111.engine.centre import simulate
from sim111.experiments.store import ResultStore
from sim111.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"
GRID = {"advisors.roster_scale": [0.8, 1.2], "demand.scale": [1.0, 1.3]}


def small():
    return load_scenario(TYPICAL).with_overrides({"run.days": 1})


def test_points_share_callers_common_random_numbers():
    base = small()
    points = [
        base.with_overrides(p)
        for p in (
            {"advisors.roster_scale": 0.8},
            {"advisors.roster_scale": 1.2, "clinical.warm_transfer_hold_max_min": 5.0},
            {"demand.scale": 1.3},
        )
    ]
    a, b, c = (simulate(s, 2, 7).calls for s in points)
    first = [calls.attempt == 0 for calls in (a, b, c)]  # redials depend on the staffing
    # same demand: the very same arrivals and caller attributes
    np.testing.assert_array_equal(a.arrival_min[first[0]], b.arrival_min[first[1]])
    for field in ("patience_min", "handle_min", "triaged"):
        np.testing.assert_array_equal(getattr(a, field)[first[0]], getattr(b, field)[first[1]])
    # more demand: more callers, but the i-th caller has the same patience and needs
    assert first[2].sum() > first[0].sum()
    np.testing.assert_array_equal(a.patience_min[:50], c.patience_min[:50])
    np.testing.assert_array_equal(a.triaged[:50], c.triaged[:50])


def test_sweep_frames_are_tidy():
    result = run_sweep(small(), GRID, replications=2, seed=3)
    assert len(result.kpis) == 4 * 2
    assert {"point", "advisors.roster_scale", "demand.scale", "replication"} <= set(result.kpis)
    assert set(result.summary["point"]) == {0, 1, 2, 3}
    wide = result.wide_summary()
    assert len(wide) == 4 and "answered_within_60s" in wide
    assert result.failures.empty


def test_results_identical_for_one_worker_many_workers_threads_and_dask():
    distributed = pytest.importorskip("distributed")
    scenario = small()
    serial = run_sweep(scenario, GRID, replications=3, seed=9)
    pooled = run_sweep(scenario, GRID, replications=3, seed=9, workers=2)
    # tasks of 2 replications (3 per point: a task of 2 and one of 1)
    grouped = run_sweep(scenario, GRID, replications=3, seed=9, workers=2, task_replications=2)
    with ThreadPoolExecutor(3) as pool:
        threaded = run_sweep(scenario, GRID, replications=3, seed=9, executor=pool)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        dask = run_sweep(scenario, GRID, replications=3, seed=9, client=client)
        # each point's 3 replications in one task
        dask_grouped = run_sweep(
            scenario, GRID, replications=3, seed=9, client=client, task_replications=3
        )
    for other in (pooled, grouped, threaded, dask, dask_grouped):
        pd.testing.assert_frame_equal(serial.kpis, other.kpis)
        pd.testing.assert_frame_equal(serial.summary, other.summary)
        pd.testing.assert_frame_equal(serial.intervals, other.intervals)
        pd.testing.assert_frame_equal(serial.periods, other.periods)


def test_execution_settings_and_their_keyword_shorthand_are_the_same_run(tmp_path):
    scenario = small()
    grid = {"demand.scale": [1.0, 1.3]}
    store = tmp_path / "s"
    settings = ExecutionSettings(store=store, progress=False)
    given = run_sweep(scenario, grid, replications=2, seed=6, execution=settings)
    shorthand = run_sweep(scenario, grid, replications=2, seed=6, progress=False)
    pd.testing.assert_frame_equal(given.kpis, shorthand.kpis)
    assert len(ResultStore(store)) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"worker": 2}, "unexpected keyword argument 'worker'"),
        ({"execution": ExecutionSettings(), "workers": 2}, "not both"),
    ],
)
def test_execution_keywords_are_checked_before_anything_runs(kwargs, message):
    with pytest.raises(TypeError, match=message):
        run_sweep(small(), GRID, replications=1, seed=1, **kwargs)
    with pytest.raises(TypeError, match=message):
        run_experiment(small(), 1, 1, **kwargs)


def test_store_skips_finished_replications_and_gives_the_same_answer(tmp_path, monkeypatch):
    scenario = small()
    first = run_sweep(scenario, GRID, replications=2, seed=4, store=tmp_path / "s")
    assert len(ResultStore(tmp_path / "s")) == 8

    def must_not_run(*args, **kwargs):
        raise AssertionError("a stored replication was simulated again")

    monkeypatch.setattr(runner_module, "run_task", must_not_run)
    again = run_sweep(scenario, GRID, replications=2, seed=4, store=tmp_path / "s")
    pd.testing.assert_frame_equal(first.kpis, again.kpis)
    pd.testing.assert_frame_equal(first.intervals, again.intervals)
    # a changed scenario is a different key: it runs (and here, fails loudly)
    with pytest.raises(AssertionError, match="simulated again"):
        run_sweep(scenario, GRID, replications=3, seed=4, store=tmp_path / "s")


def test_a_failing_replication_is_reported_and_the_others_kept(monkeypatch):
    real = runner_module.simulate_replication

    def flaky(scenario, replication, seed, full_records=True):
        if replication == 1 and scenario.demand.scale == 1.3:
            raise RuntimeError("boom")
        return real(scenario, replication, seed, full_records)

    monkeypatch.setattr(runner_module, "simulate_replication", flaky)
    result = run_sweep(small(), GRID, replications=3, seed=2)
    assert len(result.kpis) == 4 * 3 - 2
    failures = result.failures
    assert len(failures) == 2
    assert set(failures["demand.scale"]) == {1.3}
    assert set(failures["replication"]) == {1}
    assert failures["error"].str.startswith("RuntimeError: boom").all()
    assert (failures["seed"] == 2).all()


def test_cli_sweep_reports_failures_and_exits_1(monkeypatch, tmp_path):
    def broken(scenario, replication, seed, full_records=True):
        raise ValueError("no luck")

    monkeypatch.setattr(runner_module, "simulate_replication", broken)
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(f'scenario = "{TYPICAL}"\nreplications = 1\n[grid]\n"run.days" = [1]\n')
    result = CliRunner().invoke(cli, ["sweep", str(sweep_file), "--store", str(tmp_path / "st")])
    assert result.exit_code == 1
    assert "replication failed" in result.output and "no luck" in result.output


def rows(db):
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("select count(*) from replications").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killing_a_sweep_loses_no_finished_replication(tmp_path):
    sweep_file = tmp_path / "kill.toml"
    sweep_file.write_text(
        f'scenario = "{TYPICAL}"\nreplications = 30\nseed = 5\n'
        '[grid]\n"run.days" = [2]\n"demand.scale" = [1.0]\n'
    )
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim111", "sweep", str(sweep_file), "--store", str(store)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = store / "results.sqlite"
    deadline = time.time() + 120
    while rows(db) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = rows(db)
    assert 3 <= kept < 30, kept
    # resume: only the missing replications run, and the answer is the uninterrupted one
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim111",
            "sweep",
            str(sweep_file),
            "--store",
            str(store),
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert rows(db) == 30
    fresh = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim111",
            "sweep",
            str(sweep_file),
            "--store",
            str(tmp_path / "f"),
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == fresh.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('scenario = "X"\n[grid]\n"a" = [1]\n', "no such scenario file"),
        ('[grid]\n"demand.scale" = [1]\n', "'scenario' is required"),
        (f'scenario = "{TYPICAL}"\n', "exactly one of [grid] or [[points]]"),
        (
            f'scenario = "{TYPICAL}"\nfoo = 1\n[grid]\n"demand.scale" = [1]\n',
            "'foo' is not a known key",
        ),
        (
            f'scenario = "{TYPICAL}"\n[grid]\n"demand.scale" = 1.0\n',
            "'grid.demand.scale' must be a non-empty list",
        ),
        (
            f'scenario = "{TYPICAL}"\n[grid]\n"demand.scale" = [1.0, -2.0]\n',
            "point 1: 'demand.scale' must be >= 0, got -2",
        ),
        (
            f'scenario = "{TYPICAL}"\nreplications = 0\n[grid]\n"demand.scale" = [1.0]\n',
            "'replications' must be an integer >= 1",
        ),
        (
            f'scenario = "{TYPICAL}"\n[[points]]\n"advisors.cuont" = 3\n',
            "point 0: 'advisors.cuont' is not a known key",
        ),
    ],
)
def test_bad_sweep_files_exit_2_naming_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    args = ["sweep", str(path), "--store", str(tmp_path / "st")]
    proc = CliRunner().invoke(cli, args, catch_exceptions=False)  # in-process: no start-up
    assert proc.exit_code == 2
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
