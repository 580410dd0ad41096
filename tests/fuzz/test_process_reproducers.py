"""Issue 20's reproducers that need a real process or a file system to watch.

Names that could be paths (``/../../x``) are run from a working folder three
levels below a temporary root, and the root outside it must be unchanged after.
Kills and interrupts go to ``python -m sim111`` children started in their own
session, which the test kills whole at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fuzz.harness import (
    assert_clear_error,
    assert_clear_or_accepted,
    child_env,
    describe,
    invoke,
    kill_group,
    spawn,
    tree_snapshot,
    typical,
    verdict,
    write_toml,
)

HOSTILE_NAMES = ["/../../x", "../../../escaped", "a/../../../b"]


def nested_cwd(tmp: Path) -> Path:
    cwd = tmp / "a" / "b" / "c"
    cwd.mkdir(parents=True)
    return cwd


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_staff_with_a_hostile_name_writes_nothing_outside_the_working_folder(tmp_path, name):
    cwd = nested_cwd(tmp_path)
    data = typical()
    data["name"] = name
    write_toml(cwd / "x.toml", data)
    before = tree_snapshot(tmp_path, skip=cwd)
    out = spawn("staff", "x.toml", "-n", "2", "--max-iterations", "1", cwd=cwd, timeout_s=60)
    assert verdict(out) in ("clear", "accepted"), describe(out)
    assert tree_snapshot(tmp_path, skip=cwd) == before


# Names that escape the cache folder but stay inside the test's own temporary root
# (the "/../../x" lands at /x.store, outside it).
@pytest.mark.parametrize("name", ["../../../../../x", "a/../../../../../../y", "ABSOLUTE"])
def test_sweep_with_a_hostile_name_keeps_its_store_in_the_cache(tmp_path, name):
    cwd = nested_cwd(tmp_path)
    cache = cwd / "cache"
    outside = tmp_path / "planted"
    name = str(outside) if name == "ABSOLUTE" else name
    write_toml(cwd / "x.toml", typical())
    sweep = f'name = "{name}"\nscenario = "x.toml"\nreplications = 2\n[grid]\n"run.days" = [1]\n'
    (cwd / "s.toml").write_text(sweep, encoding="utf-8")
    before = tree_snapshot(tmp_path, skip=cwd)
    out = spawn("sweep", "s.toml", cwd=cwd, env=child_env(XDG_CACHE_HOME=str(cache)))
    assert verdict(out) in ("clear", "accepted"), describe(out)
    assert tree_snapshot(tmp_path, skip=cwd) == before


def _outside_extends(tmp: Path, target: str) -> str:
    folder = tmp / "inside"
    folder.mkdir(exist_ok=True)
    (folder / "x.toml").write_text(f'extends = "{target}"\n', encoding="utf-8")
    line = assert_clear_error(invoke("run", str(folder / "x.toml")), "x.toml", "extends")
    return line.replace(target, "TARGET")


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "/etc/hostname"])
def test_extends_outside_the_tree_is_refused_without_saying_whether_it_exists(tmp_path, target):
    assert _outside_extends(tmp_path, target) == _outside_extends(tmp_path, "/etc/no-such-file")


def test_extends_outside_the_tree_does_not_echo_the_files_values(tmp_path):
    secret = tmp_path / "outside" / "secret.toml"
    secret.parent.mkdir()
    secret.write_text('[run]\ndays = "SECRET-TOKEN"\n', encoding="utf-8")
    folder = tmp_path / "inside"
    folder.mkdir()
    (folder / "x.toml").write_text(f'extends = "{secret}"\n', encoding="utf-8")
    out = invoke("run", str(folder / "x.toml"))
    assert_clear_error(out)
    assert "SECRET-TOKEN" not in out.stderr


def test_sweep_scenario_outside_the_tree_is_refused(tmp_path):
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        'name = "s"\nscenario = "/proc/self/environ"\n[grid]\n"run.days" = [1]\n', encoding="utf-8"
    )
    assert_clear_error(invoke("sweep", str(sweep), "--store", str(tmp_path / "st")), "s.toml")


# SIGINT, SIGKILL and --out ---------------------------------------------------------------


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim111", *args],
        cwd=cwd,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("delay_s", [0.3, 0.7, 1.2])
def test_sigint_during_start_up_prints_no_traceback(tmp_path, delay_s):
    # 90 days x 5: still running at 1.2 s on a fast machine (a week x 5 was not)
    path = write_toml(tmp_path / "x.toml", typical(days=90, replications=5))
    proc = start(["run", str(path)], tmp_path)
    try:
        time.sleep(delay_s)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        kill_group(proc.pid)
    assert proc.returncode != 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(c) for c in text.split()}
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_pool_workers_exit_when_the_main_process_is_killed(tmp_path):
    path = write_toml(tmp_path / "x.toml", typical(days=28, replications=8))
    proc = start(["run", str(path), "--workers", "2"], tmp_path)
    try:
        deadline = time.monotonic() + 20
        while len(workers := children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) >= 2, "no pool workers started"
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(w) for w in workers), "pool workers outlived their parent"
    finally:
        kill_group(proc.pid)


@pytest.fixture(scope="module")
def complete_output(tmp_path_factory) -> tuple[Path, set[str]]:
    """A scenario and the files a complete ``run --out`` of it writes."""
    tmp = tmp_path_factory.mktemp("complete")
    path = write_toml(tmp / "x.toml", typical(days=1, replications=2))
    out = spawn("run", str(path), "--out", str(tmp / "out"), "--no-records", timeout_s=60)
    assert verdict(out) == "accepted", describe(out)
    return path, set(tree_snapshot(tmp / "out"))


def _kill_when_out_appears(scenario: Path, parent: Path, sig: int, after_s: float) -> None:
    proc = start(["run", str(scenario), "--out", str(parent / "out"), "--no-records"], parent)
    try:
        deadline = time.monotonic() + 30
        while not (parent / "out").exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "--out never appeared"
            time.sleep(0.002)
        time.sleep(after_s)
        proc.send_signal(sig)
        proc.communicate(timeout=20)
    finally:
        kill_group(proc.pid)


@pytest.mark.parametrize(
    ("sig", "after_s"), [(signal.SIGINT, 0.0), (signal.SIGKILL, 0.0), (signal.SIGTERM, 0.3)]
)
def test_a_killed_run_leaves_nothing_or_the_complete_folder(
    tmp_path, complete_output, sig, after_s
):
    scenario, complete = complete_output
    parent = tmp_path / "outs"
    parent.mkdir()
    _kill_when_out_appears(scenario, parent, sig, after_s)
    out = parent / "out"
    assert not out.exists() or set(tree_snapshot(out)) == complete
    if sig != signal.SIGKILL:
        assert {p.name for p in parent.iterdir()} <= {"out"}, "staging folders left behind"
    again = spawn("run", str(scenario), "--out", str(out), "--no-records", timeout_s=60)
    assert verdict(again) == "accepted", describe(again)
    assert set(tree_snapshot(out)) == complete
    assert {p.name for p in parent.iterdir()} == {"out"}, "stale staging folders kept"


def test_reusing_an_out_folder_keeps_none_of_the_earlier_runs_files(tmp_path, complete_output):
    scenario, complete = complete_output
    out = tmp_path / "out"
    first = invoke("run", str(scenario), "--out", str(out), "--records")
    assert_clear_or_accepted(first)
    second = invoke("run", str(scenario), "--out", str(out), "--no-records")
    assert verdict(second) == "accepted", describe(second)
    assert set(tree_snapshot(out)) == complete
