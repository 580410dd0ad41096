"""Ctrl-C reaches the whole process group: only the main process answers it.

A terminal's Ctrl-C signals every process of the foreground group, so the pool
workers of ``sim111 run --workers 2`` get SIGINT too. They must print no
``KeyboardInterrupt`` traceback: the main process alone says ``interrupted``
(status 130), or exits with 143 on SIGTERM, and no worker is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.conftest import ROOT, SCENARIOS, wait_for


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pids via /proc (Linux)")
@pytest.mark.parametrize(
    ("signum", "status", "group"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, True), (signal.SIGINT, 130, False)],
    ids=["ctrl-c", "sigterm-group", "sigint-main-only"],
)
def test_a_signal_to_the_process_group_ends_a_pool_run_in_one_line(signum, status, group):
    """``group``: the whole process group is signalled (a terminal's Ctrl-C), else the
    main process only (``kill -INT PID``), which then stops its workers' tasks."""
    # long enough (seconds of work, even on a machine twice as fast as ours: a 150-day
    # run left a quarter of a second) that the signal comes while two workers compute
    # and the third waits (with nothing to do) for a task
    args = [sys.executable, "-m", "sim111", "run", str(SCENARIOS / "typical-area.toml")]
    args += ["--workers", "3", "-n", "2", "--set", "run.days=400", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    main = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a shell makes
    )
    workers: list[psutil.Process] = []
    try:
        proc = psutil.Process(main.pid)
        assert wait_for(lambda: len(proc.children()) >= 3, 60), "the pool never started"
        workers = proc.children(recursive=True)
        assert wait_for(lambda: sum(w.cpu_times().user for w in workers) > 0.3, 30)
        (os.killpg if group else os.kill)(main.pid, signum)
        started = time.monotonic()
        out, err = main.communicate(timeout=30)
        stopped_s = time.monotonic() - started
        assert out == "", "the run finished before the signal: make it longer"
        assert main.returncode == status
        assert err.splitlines()[-1:] == (["interrupted"] if signum == signal.SIGINT else [])
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert stopped_s < 5, "the main process waited for its workers' tasks"
        _gone, alive = psutil.wait_procs(workers, timeout=5)
        assert alive == [], f"{len(alive)} of {len(workers)} workers outlived the run"
    finally:
        if main.poll() is None:
            main.kill()
        for worker in workers:
            if worker.is_running():
                worker.kill()
