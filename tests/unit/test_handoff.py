"""Pool results handed back through files (sim111.experiments.handoff)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from sim111.experiments import handoff
from sim111.experiments.handoff import PIPE_BYTES, Filed, receive, remove_stale, send


def test_a_small_result_goes_through_the_pipe(tmp_path: Path) -> None:
    packed = b"x" * PIPE_BYTES
    assert send(packed, str(tmp_path)) == packed
    assert list(tmp_path.iterdir()) == []


def test_a_large_result_goes_through_a_file_that_reading_removes(tmp_path: Path) -> None:
    packed = pickle.dumps(list(range(100_000)))
    assert len(packed) > PIPE_BYTES
    sent = send(packed, str(tmp_path))
    assert isinstance(sent, Filed)
    assert Path(sent.path).parent == tmp_path and sent.size == len(packed)
    assert receive(sent) == packed
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_take_the_file_leaves_the_pipe(tmp_path: Path) -> None:
    packed = b"y" * (PIPE_BYTES + 1)
    assert send(packed, str(tmp_path / "gone")) == packed


def test_a_short_or_missing_file_is_an_error_not_a_wrong_result(tmp_path: Path) -> None:
    sent = send(b"z" * (PIPE_BYTES + 10), str(tmp_path))
    assert isinstance(sent, Filed)
    Path(sent.path).write_bytes(b"z" * 10)  # cut short
    with pytest.raises(OSError, match="10 bytes"):
        receive(sent)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError):
        receive(sent)  # gone


def test_the_folder_goes_with_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    with handoff.result_folder() as folder:
        assert Path(folder).parent == tmp_path
        assert Path(folder).name.startswith(f"{handoff.PREFIX}{os.getpid()}-")
        send(b"w" * (PIPE_BYTES + 1), folder)  # never read
    assert list(tmp_path.iterdir()) == []


def test_a_killed_main_process_folder_goes_at_the_next_pool(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    left = tmp_path / f"{handoff.PREFIX}{dead.stdout.strip()}-abc"
    left.mkdir()
    (left / "r.pickle").write_bytes(b"1")
    mine = tmp_path / f"{handoff.PREFIX}{os.getpid()}-def"
    mine.mkdir()
    other = tmp_path / "sim111-results-notapid"
    other.mkdir()
    remove_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])
