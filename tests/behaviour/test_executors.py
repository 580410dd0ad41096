"""Executors: Dask the Dask way, tasks of many replications, failures outside the model."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest
from click.testing import CliRunner

import sim111.experiments.runner as runner_module
from sim111 import run_sweep
from sim111.cli import cli
from sim111.cli.cluster import dask_local_workers
from sim111.experiments.store import ResultStore
from sim111.experiments.tasks import Task, make_tasks, task_size
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

GRID = {"advisors.roster_scale": [0.8, 1.2], "demand.scale": [1.0, 1.3]}


def small():
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})


def crash_at(demand_scale: float, replication: int) -> None:
    """Make this process die (as a killed worker does) when it reaches that replication."""
    real = runner_module.simulate_replication

    def crashing(scenario, r, seed, full_records=True):
        if r == replication and scenario.demand.scale == demand_scale:
            os._exit(1)
        return real(scenario, r, seed, full_records)

    runner_module.simulate_replication = crashing


def test_tasks_group_consecutive_replications_of_one_point_and_its_area_groups():
    todo = [(0, 0), (0, 1), (0, 2), (1, 4), (1, 5)]
    assert make_tasks(todo, [1, 1], 2) == [
        Task(0, (0, 1)),
        Task(0, (2,)),
        Task(1, (4, 5)),
    ]
    assert make_tasks(todo[3:], [1, 2], 5) == [Task(1, (4, 5), 0), Task(1, (4, 5), 1)]
    key = Task(3, (10, 19), 1).key("typical area (2024)")
    assert re.fullmatch(r"sim111-typical_area_2024-p3-g1-r10-19-[0-9a-f]{8}", key)


@pytest.mark.parametrize(
    ("per_rep_s", "remaining", "workers", "size"),
    [
        (0.25, 1000, 2, 4),  # 4 x 0.25 s: a one-second task
        (2.0, 1000, 2, 1),  # already over a second
        (0.01, 1000, 2, 100),
        (0.01, 40, 2, 5),  # 40 replications still make 4 tasks per worker
        (0.01, 3, 2, 1),
        (None, 1000, 2, 1),  # the first task failed: no timing
    ],
)
def test_tasks_take_about_a_second_but_every_worker_gets_several(
    per_rep_s, remaining, workers, size
):
    assert task_size(per_rep_s, remaining, workers, 1.0) == size


def test_a_broken_process_pool_fails_only_the_replications_it_hit(tmp_path):
    scenario = small()
    serial = run_sweep(scenario, GRID, replications=3, seed=8)
    # the worker running point 1 (demand 1.3), replication 2 dies: the pool is broken
    with ProcessPoolExecutor(2, initializer=crash_at, initargs=(1.3, 2)) as pool:
        broken = run_sweep(
            scenario,
            GRID,
            replications=3,
            seed=8,
            executor=pool,
            store=tmp_path / "s",
            task_replications=1,
        )
    failures = broken.failures
    assert len(failures) >= 1 and len(broken.kpis) >= 3
    assert len(broken.kpis) + len(failures) == 12
    assert failures["error"].str.startswith("BrokenProcessPool").all()
    assert (failures["point"] * 10 + failures["replication"] == 12).any()  # the one that died
    # what finished is kept, right, and stored
    kept = broken.kpis.set_index(["point", "replication"])
    expected = serial.kpis.set_index(["point", "replication"]).loc[kept.index]
    pd.testing.assert_frame_equal(kept, expected)
    assert len(ResultStore(tmp_path / "s")) == len(broken.kpis)


def test_dask_tasks_are_named_recomputed_and_survive_a_killed_worker():
    distributed = pytest.importorskip("distributed")
    scenario = small()
    serial = run_sweep(scenario, GRID, replications=2, seed=5)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as first:
            run_sweep(scenario, GRID, replications=2, seed=5, client=client)
        with distributed.get_task_stream(client) as again:
            run_sweep(scenario, GRID, replications=2, seed=5, client=client)
        client.run(crash_at, 1.3, 1)  # every worker dies once on point 1, replication 1
        killed = run_sweep(scenario, GRID, replications=2, seed=5, client=client)
    keys = [t["key"] for t in first.data if t["key"].startswith("sim111-typical")]
    assert len(keys) == 8  # one replication per task, each run on the cluster
    assert all(re.fullmatch(r"sim111-typical.*-p[0-3]-r([01])-\1-[0-9a-f]{8}", k) for k in keys)
    # the same sweep again is computed again (pure=False), not served from memory
    assert len([t for t in again.data if t["key"].startswith("sim111-typical")]) == 8
    assert killed.failures.empty  # the scheduler reran the task on a fresh worker
    pd.testing.assert_frame_equal(serial.kpis, killed.kpis)
    pd.testing.assert_frame_equal(serial.intervals, killed.intervals)


def _worker_settings() -> tuple[str | None, str, bool]:
    import dask

    return (
        os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        dask.config.get("distributed.admin.tick.interval"),
        dask.config.get("distributed.worker.profile.enabled"),
    )


def test_a_local_cluster_holds_every_scenario_on_every_worker_and_runs_quietly(monkeypatch):
    """`--dask local:N`: scenarios copied to every worker (no crowding onto the one
    holding them), and none of Dask's per-thread slowdowns (cli.cluster)."""
    distributed = pytest.importorskip("distributed")
    from sim111.cli.cluster import local_cluster
    from sim111.experiments.pools import DaskPool

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # an earlier cluster's
    with (
        local_cluster(2, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        placed = DaskPool(client).place([small(), small().with_overrides({"demand.scale": 2})])
        held = client.who_has(placed)
        settings = set(client.run(_worker_settings).values())
    assert [len(workers) for workers in held.values()] == [2, 2]
    assert settings == {(None, "1s", False)}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("local:0", "local:N needs N >= 1 workers"),
        ("local:two", "expected local, local:N"),
        ("tcp://host", "expected local, local:N"),
        ("my scheduler", "expected local, local:N"),
    ],
)
def test_a_malformed_dask_option_is_a_one_line_error(tmp_path, value, message):
    path = tmp_path / "s.toml"
    path.write_text(f'scenario = "{SCENARIOS / "typical-area.toml"}"\n[grid]\n"run.days" = [1]\n')
    args = ["sweep", str(path), "--store", str(tmp_path / "st"), "--dask", value]
    proc = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert proc.exit_code == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_dask_local_workers_reads_the_option():
    assert dask_local_workers("local:3") == 3
    assert dask_local_workers("local") == (os.cpu_count() or 1)
    assert dask_local_workers("tcp://10.0.0.5:8786") is None
    assert dask_local_workers("scheduler.example.ac.uk:8786") is None


def test_cli_sweep_on_a_local_dask_cluster_matches_the_serial_sweep(tmp_path):
    pytest.importorskip("distributed")
    path = tmp_path / "s.toml"
    path.write_text(
        f'scenario = "{SCENARIOS / "typical-area.toml"}"\nreplications = 2\nseed = 4\n'
        '[grid]\n"run.days" = [1]\n"demand.scale" = [1.0, 1.2]\n'
    )
    outputs = []
    for extra in ([], ["--dask", "local:2"]):
        args = [
            "sweep",
            str(path),
            "--store",
            str(tmp_path / f"st{len(extra)}"),
            "--format",
            "json",
        ]
        proc = CliRunner().invoke(cli, args + extra, catch_exceptions=False)
        assert proc.exit_code == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] and '"demand.scale": 1.2' in outputs[0]


def test_progress_is_drawn_in_a_jupyter_kernel_and_told_to_a_callback(monkeypatch):
    import sys
    import types

    from sim111 import ExecutionSettings

    class Shell:
        kernel = object()

    ipython = types.SimpleNamespace(get_ipython=lambda: Shell())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not ExecutionSettings().shows_progress()  # a pipe, no kernel
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert ExecutionSettings().shows_progress()
    assert not ExecutionSettings(progress=False).shows_progress()
    told = []
    tell = lambda done, total: told.append((done, total))  # noqa: E731
    run_sweep(small(), {"demand.scale": [1.0]}, 2, 1, progress=False, on_progress=tell)
    assert told == [(0, 2), (1, 2), (2, 2)]


def test_pool_results_come_back_through_files_that_go(tmp_path, monkeypatch):
    from sim111 import run_experiment
    from sim111.experiments import handoff, pools

    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    monkeypatch.setattr(handoff, "PIPE_BYTES", 0)  # every result through a file
    sent = []

    def spy(result, folder):
        sent.append(type(result).__name__)
        return handoff.receive(result, folder)

    monkeypatch.setattr(pools, "receive", spy)
    scenario = small()
    serial = run_experiment(scenario, replications=4, seed=5)
    pooled = run_experiment(scenario, replications=4, seed=5, workers=2, task_replications=1)
    pd.testing.assert_frame_equal(serial.kpis, pooled.kpis)
    pd.testing.assert_frame_equal(serial.intervals, pooled.intervals)
    assert sent == ["Filed"] * 4
    assert list(tmp_path.iterdir()) == []  # each file read and removed, then the folder
