"""Files written by ``staff``, ``price``, ``contracts``, ``calibrate`` and ``fit-demand``
(:func:`~sim111.outputs.atomic.write_atomically`): killed or interrupted writers
leave the folder old or new, and their staging folders go with the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim111.outputs import atomic
from sim111.outputs.atomic import write_atomically
from tests.conftest import ROOT, SCENARIOS
from tests.unit.test_cli import sim111

NAMES = ("a.txt", "b.txt", "c.txt")


def writers(text: str) -> dict:
    return {name: (lambda p, n=name: p.write_text(f"{text} {n}")) for name in NAMES}


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


def killed_writer(out: Path, signum: int) -> subprocess.CompletedProcess[str]:
    """A process writing ``out`` that gets ``signum`` while writing its second file."""
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from sim111.outputs.atomic import write_atomically
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # as the sim111 command does
        def second(path):
            os.kill(os.getpid(), {int(signum)})
            path.write_text("new b.txt")
        write_atomically(sys.argv[1], {{
            "a.txt": lambda p: p.write_text("new a.txt"), "b.txt": second,
            "c.txt": lambda p: p.write_text("new c.txt"),
        }})
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, str(out)], env=env, capture_output=True, text=True
    )


def leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.iterdir() if p.name.startswith(".")] if out.is_dir() else []
    return beside + inside


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_killed_writer_leaves_the_old_files_and_the_next_removes_its_staging(signum, tmp_path):
    out = tmp_path / "roster"
    write_atomically(out, writers("old"))
    proc = killed_writer(out, signum)
    assert proc.returncode != 0
    assert contents(out) == {n: f"old {n}" for n in NAMES}
    if signum == signal.SIGKILL:
        assert [n.split("-")[0] for n in leftovers(out)] == [".sim111.staging"]
    else:  # SIGINT and SIGTERM unwind: nothing left
        assert leftovers(out) == []
        assert "Traceback" not in proc.stderr or "KeyboardInterrupt" in proc.stderr
    write_atomically(out, writers("new"))
    assert contents(out) == {n: f"new {n}" for n in NAMES}
    assert leftovers(out) == []


def test_a_killed_writer_of_a_new_folder_leaves_none(tmp_path):
    out = tmp_path / "staffed-x"
    proc = killed_writer(out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    (left,) = leftovers(out)
    assert left.startswith(".staffed-x.staging-")
    write_atomically(out, writers("new"))
    assert contents(out) == {n: f"new {n}" for n in NAMES}
    assert leftovers(out) == []


def test_other_files_in_the_folder_are_kept(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    write_atomically(tmp_path, writers("new"))
    assert contents(tmp_path) == {"notes.txt": "mine", **{n: f"new {n}" for n in NAMES}}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_ctrl_c_while_the_files_are_moved_in_comes_after_all_of_them(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_atomically(out, writers("old"))
    real_replace = os.replace

    def replace_then_signal(a, b):
        real_replace(a, b)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(atomic.os, "replace", replace_then_signal)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(out, writers("new"))
    assert contents(out) == {n: f"new {n}" for n in NAMES}
    assert leftovers(out) == []


def test_staff_removes_the_staging_folders_of_killed_runs(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid no process has now
    out = tmp_path / "staffed"
    out.mkdir()
    planted = [
        out / f".sim111.staging-{gone.pid}-0123abcd",
        tmp_path / f".staffed.staging-{gone.pid}-4567cdef",
    ]
    for folder in planted:
        folder.mkdir()
        (folder / "roster.toml").write_text("half")
    proc = sim111(
        "staff", str(SCENARIOS / "typical-area.toml"), "--set", "run.days=2", "-n", "3",
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert not any(p.exists() for p in planted)
    assert sorted(p.name for p in out.iterdir()) == [
        "headcount.csv",
        "roster.toml",
        "scenario.toml",
    ]
