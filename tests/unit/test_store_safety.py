"""The result store is plain SQL: exact round trips, no pickle, clear refusals.

A store someone sends you must not run code when opened; any SQLite client must
read its numbers; a file that is not a store gets one line naming it, never a
traceback.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim111 import run_sweep
from sim111.cli import cli
from sim111.errors import ScenarioError
from sim111.experiments.compare import compare
from sim111.experiments.store import ResultStore, scenario_sha256, versions
from sim111.outputs.comparison_report import write_comparison
from sim111.outputs.files import DEFAULT_SWEEP_KPIS
from sim111.outputs.sweep_report import write_sweep
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

OLD_SCHEMA = """create table replications (key text primary key, scenario text not null,
    seed integer not null, replication integer not null, point text not null,
    kpis text not null, intervals blob not null, finished_utc text not null, periods blob)"""


class Planted:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def planted_blob(marker: Path) -> bytes:
    return zlib.compress(pickle.dumps(Planted(marker)))


def typical(days: int = 2):
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": days})


def old_store(folder: Path, marker: Path) -> Path:
    """A store as sim111 <= 0.7 wrote it, its blobs a pickle that would create ``marker``."""
    folder.mkdir()
    blob = planted_blob(marker)
    with sqlite3.connect(folder / "results.sqlite") as db:
        db.execute(OLD_SCHEMA)
        db.execute(
            "insert into replications values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("k", "s", 1, 0, "{}", '{"calls_offered": 1.0}', blob, "2024-01-01", blob),
        )
    return folder


def test_an_old_pickled_store_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    folder = old_store(tmp_path / "old", marker)
    with pytest.raises(ScenarioError, match="older sim111 \\(pickled results\\)") as err:
        ResultStore(folder)
    assert str(folder / "results.sqlite") in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ScenarioError, match="choose a new --store"):
        run_sweep(typical(1), {"demand.scale": [1.0]}, 1, 1, store=folder)
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        f'scenario = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n'
        'replications = 1\n[grid]\n"run.days" = [1]\n'
    )
    result = CliRunner().invoke(cli, ["sweep", str(sweep_file), "--store", str(folder)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "older sim111" in lines[0] and "Traceback" not in result.output
    assert not marker.exists()


def test_a_pickle_planted_in_a_new_store_is_never_loaded(tmp_path):
    marker = tmp_path / "pwned"
    store = ResultStore(tmp_path / "st", check="stop")
    frame = pd.DataFrame({"x": [1.5, 2.5], "t": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    for column, table in (("value", "kpis"), ("x", "intervals"), ("t", "intervals")):
        store.put("k", "s", 1, 0, {}, {"a": 1.0}, frame, frame)
        with sqlite3.connect(store.path) as db:
            db.execute(f'update {table} set "{column}" = ?', (planted_blob(marker),))
        with pytest.raises(ScenarioError, match="checksum mismatch"):
            store.get("k")
        assert ResultStore(store.folder).get("k") is None  # recompute: never reused
    assert not marker.exists()


def awkward_frame() -> pd.DataFrame:
    floats = [0.1 + 0.2, np.nan, np.inf, -np.inf, 5e-324, np.finfo(float).max]
    return pd.DataFrame(
        {
            "value": floats,
            "count": np.array([0, -1, 2**62, 3, 4, 5], dtype=np.int64),
            "in_warmup": [True, False, True, False, False, True],
            "interval_start": np.array(
                [
                    "2015-03-02T00:00:00.000001",
                    "NaT",
                    "2015-03-02",
                    "1900-01-01",
                    "2100-12-31",
                    "2015-03-02",
                ],
                dtype="datetime64[us]",
            ),
            "period_start": pd.to_datetime(["2015-03-02"] * 6).astype("datetime64[s]"),
            "label": pd.array(["Mon 2 Mar", "é ✓", "", None, "x'y\"z", "a"], dtype="str"),
            "weekday": pd.Series(["monday", None, "sunday", None, "x", "y"], dtype=object),
            "small": np.array([1.5, 2.25, -0.0, 3, 4, 5], dtype=np.float32),
        }
    )


def test_kpis_and_frames_round_trip_exactly(tmp_path):
    store = ResultStore(tmp_path)
    kpis = {"calls_offered": 547.0, "fees_gbp": 0, "tiny": 0.1 + 0.2, "none": float("nan")}
    frame, empty = awkward_frame(), pd.DataFrame({"value": pd.Series([], dtype=float)})
    store.put("k", "s", 1, 0, {"demand.scale": 1.2}, kpis, frame, empty)
    got_kpis, intervals, periods = store.get("k")
    assert list(got_kpis) == list(kpis) and type(got_kpis["fees_gbp"]) is int
    assert got_kpis["tiny"] == 0.1 + 0.2 and np.isnan(got_kpis["none"])
    pd.testing.assert_frame_equal(intervals, frame, check_exact=True)
    pd.testing.assert_frame_equal(periods, empty, check_exact=True)
    assert (intervals.dtypes == frame.dtypes).all()
    for bad in (pd.DataFrame({"key": [1]}), pd.DataFrame({"a": [1]}, index=[5])):
        with pytest.raises(ValueError):
            store.put("j", "s", 1, 0, {}, {}, bad)
    assert store.keys() == {"k"}  # the failed puts left nothing behind


def test_a_store_is_plain_sql(tmp_path):
    scenario = typical()
    result = run_sweep(scenario, {"demand.scale": [1.0, 1.2]}, 2, 5, store=tmp_path)
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        rows = db.execute(
            "select r.point, r.replication, k.value from replications r join kpis k "
            "on k.key = r.key where k.kpi = 'calls_offered'"
        ).fetchall()
        offered = {(json.loads(p)["demand.scale"], r): v for p, r, v in rows}
        answered = db.execute(
            "select sum(calls_answered), sum(in_warmup) from intervals"
        ).fetchone()
        days = db.execute("select count(*) from periods where period = 'day'").fetchone()[0]
        pickled = db.execute("select count(*) from sqlite_master where sql like '%blob%'")
        assert pickled.fetchone()[0] == 0
    for row in result.kpis.itertuples():
        assert offered[(row._2, row.replication)] == row.calls_offered
    assert answered == (result.intervals["calls_answered"].sum(), 0)
    assert days == 2 * 2 * 2 == len(result.periods[result.periods["period"] == "day"])


def test_provenance_is_written_with_every_replication(tmp_path):
    scenario = typical()
    run_sweep(scenario, {"demand.scale": [1.0, 1.2]}, 2, 5, store=tmp_path)
    table = ResultStore(tmp_path).provenance()
    assert len(table) == 4 and set(table["seed"]) == {5}
    assert sorted(table["replication"]) == [0, 0, 1, 1]
    assert (table["wall_s"] > 0).all() and (table["wall_s"] < 60).all()
    hashes = {
        scenario_sha256(scenario.with_overrides({"demand.scale": s}).to_data()) for s in (1.0, 1.2)
    }
    assert set(table["scenario_sha256"]) == hashes
    for name, version in versions().items():
        assert set(table[name]) == {version}


def write(path: Path, data: bytes) -> Path:
    path.mkdir()
    (path / "results.sqlite").write_bytes(data)
    return path


def sqlite_bytes(tmp_path: Path, *statements: str) -> bytes:
    db_path = tmp_path / "made.sqlite"
    with sqlite3.connect(db_path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()
    data = db_path.read_bytes()
    db_path.unlink()
    return data


def test_files_that_are_not_stores_are_refused_in_one_line(tmp_path):
    ResultStore(tmp_path / "good").put("k", "s", 1, 0, {}, {"a": 1.0}, awkward_frame())
    whole = (tmp_path / "good" / "results.sqlite").read_bytes()
    cases = {
        "not an SQLite database": b"scenario = 'typical'\n" * 50,
        "truncated": whole[: len(whole) // 2],
        "shorter than": whole[:60],
        "tables people": sqlite_bytes(tmp_path, "create table people (name text)"),
        "this sim111 reads format 3": sqlite_bytes(
            tmp_path,
            "create table store_meta (name text, value text)",
            "insert into store_meta values ('format', 'sim111-result-store'), ('version', '9')",
        ),
    }
    for i, (message, data) in enumerate(cases.items()):
        folder = write(tmp_path / f"bad{i}", data)
        with pytest.raises(ScenarioError, match=message) as err:
            ResultStore(folder, check="stop").get("k")
        assert str(folder / "results.sqlite") in str(err.value) and "\n" not in str(err.value)


def test_sweep_and_compare_out_folders_carry_provenance(tmp_path):
    scenario = typical()
    result = run_sweep(scenario, {"demand.scale": [1.0, 1.2]}, 2, 5)
    write_sweep(tmp_path / "sw", "s", result, scenario, DEFAULT_SWEEP_KPIS)
    record = json.loads((tmp_path / "sw" / "provenance.json").read_text(encoding="utf-8"))
    assert record["seed"] == 5 and record["replications"] == 2
    assert record["scenario_sha256"] == scenario_sha256(scenario.to_data())
    assert record["points"] == [{"demand.scale": 1.0}, {"demand.scale": 1.2}]
    more = scenario.with_overrides({"advisors.roster_scale": 1.2})
    comparison = compare([scenario, more], 2, 3)
    write_comparison(tmp_path / "cmp", comparison, DEFAULT_SWEEP_KPIS)
    record = json.loads((tmp_path / "cmp" / "provenance.json").read_text(encoding="utf-8"))
    assert [s["scenario_sha256"] for s in record["scenarios"]] == [
        scenario_sha256(s.to_data()) for s in (scenario, more)
    ]
    assert record["libraries"]["pandas"] == pd.__version__
