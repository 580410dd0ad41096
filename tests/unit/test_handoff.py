"""Pool results handed back through files (sim111.experiments.handoff)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim111.experiments import handoff
from sim111.experiments.handoff import (
    PIPE_BYTES,
    Filed,
    Inline,
    receive,
    remove_stale,
    result_folder,
    send,
)


def pickled(value: object) -> tuple[bytes, list[pickle.PickleBuffer]]:
    buffers: list[pickle.PickleBuffer] = []
    return pickle.dumps(value, protocol=5, buffer_callback=buffers.append), buffers


BIG = pickled(np.arange(PIPE_BYTES // 8 + 1, dtype=np.float64))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    with result_folder() as made:
        yield made


def test_a_small_result_goes_through_the_pipe(folder) -> None:
    value = {"a": np.arange(10.0), "b": "text"}
    sent = send(*pickled(value), folder.path)
    assert isinstance(sent, Inline)
    got = receive(sent, folder)
    assert got["b"] == "text" and np.array_equal(got["a"], value["a"])
    assert [p.name for p in Path(folder.path).iterdir()] == [handoff.LOCK]


def test_a_large_result_comes_back_equal_through_a_file_that_reading_removes(folder) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.random(50_000),
            "n": np.arange(50_000),
            "flag": rng.random(50_000) < 0.5,
            "when": pd.date_range("2014-10-01", periods=50_000, freq="30min"),
            "name": ["a", "bc"] * 25_000,
        }
    )
    value = {"frame": frame, "odd": np.arange(7, dtype=np.int8), "cut": frame["x"].to_numpy()[1::3]}
    sent = send(*pickled(value), folder.path)
    assert isinstance(sent, Filed)
    assert Path(sent.path).parent == Path(folder.path)
    got = receive(sent, folder)
    pd.testing.assert_frame_equal(got["frame"], frame)
    assert np.array_equal(got["odd"], value["odd"]) and np.array_equal(got["cut"], value["cut"])
    got["frame"].loc[0, "x"] = -1.0  # the arrays read back are writable
    assert [p.name for p in Path(folder.path).iterdir()] == [handoff.LOCK]


def test_a_folder_that_cannot_take_the_file_leaves_the_pipe(tmp_path: Path) -> None:
    sent = send(*BIG, str(tmp_path / "gone"))
    assert isinstance(sent, Inline)


def test_a_short_or_missing_file_is_an_error_not_a_wrong_result(folder) -> None:
    sent = send(*BIG, folder.path)
    assert isinstance(sent, Filed)
    Path(sent.path).write_bytes(b"z" * 10)  # cut short
    with pytest.raises(OSError, match="10 bytes"):
        receive(sent, folder)
    with pytest.raises(OSError):
        receive(sent, folder)  # gone


def test_only_files_in_the_folder_this_pool_made_are_read(folder, tmp_path: Path) -> None:
    planted = tmp_path / "planted.pickle"
    planted.write_bytes(b"x" * 100)
    with pytest.raises(OSError, match="not in the folder"):
        receive(Filed(str(planted), 100), folder)
    link = Path(folder.path) / "link.pickle"
    link.symlink_to(planted)
    with pytest.raises(OSError):
        receive(Filed(str(link), 100), folder)  # a link is not followed
    assert planted.exists()


def test_a_replaced_folder_is_refused(folder) -> None:
    sent = send(*BIG, folder.path)
    assert isinstance(sent, Filed)
    data = Path(sent.path).read_bytes()
    for p in Path(folder.path).iterdir():
        p.unlink()
    os.rmdir(folder.path)
    os.mkdir(folder.path, 0o700)  # same name, another folder
    Path(sent.path).write_bytes(data)
    with pytest.raises(OSError, match="replaced"):
        receive(sent, folder)


def test_the_folder_goes_with_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    with result_folder() as made:
        assert Path(made.path).parent == tmp_path
        assert Path(made.path).name.startswith(f"{handoff.PREFIX}{os.getpid()}-")
        assert oct(Path(made.path).stat().st_mode & 0o777) == "0o700"
        send(*BIG, made.path)  # never read
    assert list(tmp_path.iterdir()) == []


def test_only_folders_no_pool_holds_are_removed(tmp_path: Path) -> None:
    # a folder whose pool was killed: its lock file is there, no one holds it
    left = tmp_path / f"{handoff.PREFIX}123-abc"
    left.mkdir(mode=0o700)
    (left / handoff.LOCK).touch()
    (left / "r.pickle").write_bytes(b"1")
    # a running pool's folder, held by another process
    held = tmp_path / f"{handoff.PREFIX}456-def"
    held.mkdir(mode=0o700)
    (held / handoff.LOCK).touch()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(held / handoff.LOCK)!r}, os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        odd = [f"{handoff.PREFIX}99999999999999999999-x", f"{handoff.PREFIX}\u00b2-x", "other"]
        for name in odd:
            (tmp_path / name).mkdir()
        target = tmp_path / "not-mine"
        target.mkdir()
        (tmp_path / f"{handoff.PREFIX}789-link").symlink_to(target)
        remove_stale(tmp_path)
        kept = sorted(p.name for p in tmp_path.iterdir())
        assert left.name not in kept
        assert held.name in kept and f"{handoff.PREFIX}789-link" in kept and target.exists()
        assert all(name in kept for name in odd)
    finally:
        holder.kill()
        holder.wait()
    remove_stale(tmp_path)  # its holder gone, it goes too
    assert not held.exists()


def test_a_file_is_whole_however_the_system_splits_the_writes(folder, monkeypatch) -> None:
    value = [np.arange(n, dtype=np.float64) for n in range(1, 40)] + [np.zeros(PIPE_BYTES)]
    real = os.writev

    def short_writes(fd, views):  # at most 3 pieces and 1,000 bytes a call
        return real(fd, [memoryview(v)[:1000] for v in views[:3]][:1])

    monkeypatch.setattr(handoff, "IOV_MAX", 3)
    monkeypatch.setattr(os, "writev", short_writes)
    sent = send(*pickled(value), folder.path)
    assert isinstance(sent, Filed)
    got = receive(sent, folder)
    assert all(np.array_equal(a, b) for a, b in zip(got, value, strict=True))


def test_arrays_come_back_writable_whichever_way_they_came(folder) -> None:
    small, large = pd.DataFrame({"x": np.arange(5.0)}), pd.DataFrame({"x": np.arange(1e5)})
    for frame in (small, large):
        sent = send(*pickled(frame), folder.path)
        got = receive(sent, folder)
        got.loc[0, "x"] = -1.0  # through the pipe too (buffers were read-only bytes once)
        assert got.loc[0, "x"] == -1.0


def test_a_file_that_takes_no_bytes_falls_back_to_the_pipe(folder, monkeypatch) -> None:
    monkeypatch.setattr(os, "writev", lambda fd, views: 0)  # else: a loop for ever
    sent = send(*BIG, folder.path)
    assert isinstance(sent, Inline)
    assert [p.name for p in Path(folder.path).iterdir()] == [handoff.LOCK]


def test_a_file_without_a_whole_header_is_an_oserror(folder) -> None:
    sent = send(*BIG, folder.path)
    assert isinstance(sent, Filed)
    Path(sent.path).write_bytes(b"\xff" * 8 + b"\x00" * (sent.size - 8))  # 2**64-1 buffers
    with pytest.raises(OSError, match="header"):
        receive(sent, folder)


def test_records_come_back_through_a_file_with_their_one_value_columns_still_one(
    folder,
) -> None:
    from sim111.engine import simulate
    from sim111.scenario import load_scenario
    from tests.conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 3})
    calls = simulate(scenario, 0, 1).calls
    sent = send(*pickled(calls), folder.path)
    assert isinstance(sent, Filed)
    got = receive(sent, folder)
    for name, values in calls.columns.items():
        assert np.array_equal(got.columns[name], values, equal_nan=values.dtype.kind == "f")
        assert (got.columns[name].strides == (0,)) == (values.strides == (0,)), name
    assert got.columns["downstream_end_min"].strides == (0,)
