"""A damaged or tampered store is told in one line and recomputed, or stops the run.

Every kind of damage is made to a copy of one store; the run that reads it then
either recomputes (its results equal a fresh run's, one warning line names the
store file) or stops with a one-line error (``--store-check stop``, or a file
no check can make safe: another program's database, a directory, a lock).
Never a traceback, never a tampered row reused.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.errors import ScenarioError
from sim111.experiments import store as store_module
from sim111.experiments.replications import run_experiment
from sim111.experiments.store import ResultStore
from sim111.experiments.store_check import checksum
from sim111.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS

SEED, REPS = 3, 2
FILE = "results.sqlite"


def scenario():
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store of the run, and the fresh run's result."""
    folder = tmp_path_factory.mktemp("pristine")
    fresh = run_experiment(scenario(), REPS, SEED, progress=False, store=folder)
    return folder, fresh


def sql(*statements: str, fix: bool = False) -> Callable[[Path], None]:
    """Damage made with SQL (``fix``: the checksums are made to match again, so only
    the versions, scenario hash or values themselves can give the tampering away)."""

    def damage(path: Path) -> None:
        db = sqlite3.connect(path)
        for statement in statements:
            db.execute(statement)
        if fix:
            for (key,) in db.execute("select key from replications").fetchall():
                db.execute(
                    "update replications set checksum = ? where key = ?", (checksum(db, key), key)
                )
        db.commit()
        db.close()

    return damage


def first_key(table: str) -> str:
    return f"(select min(key) from {table})"


def pages(change: Callable[[bytes, int], bytes]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(change(data, len(data) // 4096))

    return damage


def replace(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        path.unlink()
        make(path)

    return damage


def foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("create table people (name text)")
    db.commit()
    db.close()


# kind: (damage, what happens: "rows" recomputed, "file" moved aside and all recomputed,
#        "fresh" an empty file is a new store, "refused" a one-line error in any mode)
KINDS = {
    "truncated file": (pages(lambda b, n: b[: len(b) // 2 + 100]), "file"),
    "zeroed pages": (
        pages(lambda b, n: b[: 4096 * (n // 2)] + bytes(8192) + b[4096 * (n // 2 + 2) :]),
        "file",
    ),
    "zeroed first page": (pages(lambda b, n: bytes(4096) + b[4096:]), "file"),
    "garbage page in the middle": (
        pages(
            lambda b, n: b[: 4096 * (n // 2)] + bytes(range(256)) * 16 + b[4096 * (n // 2 + 1) :]
        ),
        "file",
    ),
    "tampered number in a well-formed row": (
        sql(
            "update intervals set calls_answered = calls_answered + 1 "
            f"where key = {first_key('intervals')} and row = 20"
        ),
        "rows",
    ),
    "tampered KPI": (
        sql(f"update kpis set value = value * 1.01 where key = {first_key('kpis')}"),
        "rows",
    ),
    "deleted row in one table": (
        sql(f"delete from periods where key = {first_key('periods')} and row = 0"),
        "rows",
    ),
    "row with wrong types": (
        sql(f"update kpis set value = 'many' where key = {first_key('kpis')}"),
        "rows",
    ),
    "wrong types, checksum fixed": (
        sql(
            f"update frame_columns set dtype = 'complex128' where key = {first_key('kpis')}",
            fix=True,
        ),
        "rows",
    ),
    "wrong checksum": (sql("update replications set checksum = 'abc'"), "rows"),
    "other numpy version": (sql("update provenance set numpy = '0.1'", fix=True), "rows"),
    "other scenario hash": (sql("update provenance set scenario_sha256 = 'abc'", fix=True), "rows"),
    "dropped table": (sql("drop table periods"), "file"),
    "foreign SQLite database": (replace(foreign), "refused"),
    "empty file": (replace(lambda p: p.write_bytes(b"")), "fresh"),
    "directory in its place": (replace(lambda p: p.mkdir()), "refused"),
}


def damaged_copy(pristine_folder: Path, to: Path, kind: str) -> Path:
    shutil.copytree(pristine_folder, to)
    KINDS[kind][0](to / FILE)
    return to


def store_warnings(sim111_log) -> list[str]:
    return [
        r.getMessage() for r in sim111_log.records if r.name.startswith("sim111.experiments.store")
    ]


def assert_same(result, fresh) -> None:
    for frame in ("kpis", "intervals", "periods"):
        pd.testing.assert_frame_equal(
            getattr(result, frame), getattr(fresh, frame), check_exact=True
        )


@pytest.mark.parametrize("kind", list(KINDS))
def test_damage_is_told_in_one_line_and_recomputed_or_stops(kind, pristine, tmp_path, sim111_log):
    folder, fresh = pristine
    outcome = KINDS[kind][1]
    path = damaged_copy(folder, tmp_path / "recompute", kind) / FILE
    if outcome == "refused":
        with pytest.raises(ScenarioError) as err:
            run_experiment(scenario(), REPS, SEED, progress=False, store=path.parent)
        assert str(path) in str(err.value) and "\n" not in str(err.value)
        return
    result = run_experiment(scenario(), REPS, SEED, progress=False, store=path.parent)
    assert_same(result, fresh)
    told = store_warnings(sim111_log)
    if outcome == "fresh":
        assert told == []
    else:
        assert len(told) == 1 and "\n" not in told[0] and str(path) in told[0], told
        every = kind in ("wrong checksum", "other numpy version", "other scenario hash")
        said = "moved to" if outcome == "file" else f"{REPS if every else 1} stored replication"
        assert said in told[0], told
    if outcome == "file":
        assert len(list(path.parent.glob(f"{FILE}.damaged-*"))) == 1  # kept, not deleted
    sim111_log.clear()  # the recomputed replications were stored: reused now, silently
    assert len(ResultStore(path.parent, check="stop").load(_keys(path))) == REPS
    assert store_warnings(sim111_log) == []
    if outcome == "fresh":
        return
    path = damaged_copy(folder, tmp_path / "stop", kind) / FILE
    with pytest.raises(ScenarioError) as err:
        run_experiment(
            scenario(), REPS, SEED, progress=False, store=path.parent, store_check="stop"
        )
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def _keys(path: Path) -> dict[str, str | None]:
    with sqlite3.connect(path) as db:
        keys = {k: None for (k,) in db.execute("select key from replications")}
    db.close()
    return keys


def errors(stderr: str) -> list[str]:
    """stderr's lines but the scenario's own warnings (2 replications make wide intervals)."""
    return [line for line in stderr.strip().splitlines() if not line.startswith("warning:")]


def cli_run(store: Path | None, *more: str):
    args = ["run", str(SCENARIOS / "typical-area.toml"), "--set", "run.days=1", "-n", str(REPS)]
    args += ["--seed", str(SEED), "--format", "json", *more]
    if store is not None:
        args += ["--store", str(store)]
    return CliRunner().invoke(cli, args)


@pytest.mark.parametrize(
    "kind",
    [
        "tampered number in a well-formed row",
        "garbage page in the middle",
        "directory in its place",
    ],
)
def test_the_cli_recomputes_or_stops_in_one_line(kind, pristine, tmp_path, sim111_log):
    folder, _ = pristine
    fresh = cli_run(None)
    assert fresh.exit_code == 0, fresh.output
    refused = KINDS[kind][1] == "refused"
    result = cli_run(damaged_copy(folder, tmp_path / "a", kind))
    assert "Traceback" not in result.output
    if refused:
        assert result.exit_code == 2 and len(errors(result.stderr)) == 1, result.output
    else:
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["kpis"] == json.loads(fresh.stdout)["kpis"]
        assert len(store_warnings(sim111_log)) == 1
    result = cli_run(damaged_copy(folder, tmp_path / "b", kind), "--store-check", "stop")
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = errors(result.stderr)
    assert len(lines) == 1 and str(tmp_path / "b" / FILE) in lines[0], result.output


def test_a_tampered_store_is_one_stderr_line_in_a_real_process(pristine, tmp_path):
    folder, _ = pristine
    store = damaged_copy(folder, tmp_path / "t", "tampered KPI")
    args = [sys.executable, "-m", "sim111", "run", str(SCENARIOS / "typical-area.toml")]
    args += ["--set", "run.days=1", "-n", str(REPS), "--seed", str(SEED), "--store", str(store)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "result store" in line]
    assert len(lines) == 1 and "will be recomputed" in lines[0] and "Traceback" not in done.stderr
    stop = subprocess.run(
        [*args, "--store-check", "stop"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (
        stop.returncode == 0
    )  # the first run stored the recomputed replication: nothing fails now


def test_a_locked_or_read_only_store_is_a_one_line_error(pristine, tmp_path, monkeypatch):
    folder, _ = pristine
    locked = damaged_copy(folder, tmp_path / "locked", "empty file")
    ResultStore(locked)
    holder = sqlite3.connect(locked / FILE, isolation_level=None)
    holder.execute("begin exclusive")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    try:
        with pytest.raises(ScenarioError, match="locked by another process") as err:
            run_experiment(scenario(), REPS, SEED, progress=False, store=locked)
        assert "\n" not in str(err.value)
    finally:
        holder.rollback()
        holder.close()
    made = tmp_path / "file-not-folder"
    made.write_text("x")
    with pytest.raises(ScenarioError, match="cannot be made") as err:
        ResultStore(made / "sub")
    assert "\n" not in str(err.value)
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")  # the lock and folder cases ran
    readonly = damaged_copy(folder, tmp_path / "ro", "empty file")
    (readonly / FILE).chmod(0o444)
    with pytest.raises(ScenarioError, match="read-only"):
        ResultStore(readonly)
