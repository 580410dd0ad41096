"""Pool workers exit when the main process dies (issue 20, defect 10).

``sim111 run --workers 2`` is started as a process of its own; once its pool
workers are up, only the main process is SIGKILLed (no clean-up runs in it).
Its workers must be gone within a few seconds, not left computing for no one, and
the folder its pool's workers handed results through goes with the next pool.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest

from sim111.experiments import handoff
from tests.conftest import ROOT, SCENARIOS, wait_for

WAIT_S = 5.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pids via /proc (Linux)")
def test_killing_the_main_process_of_a_pool_run_stops_its_workers():
    args = [sys.executable, "-m", "sim111", "run", str(SCENARIOS / "typical-area.toml")]
    args += ["--workers", "2", "-n", "40", "--set", "run.days=28", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    main = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        proc = psutil.Process(main.pid)
        assert wait_for(lambda: len(proc.children()) >= 2, 60, poll_s=0.05), (
            "the pool never started"
        )
        workers = proc.children(recursive=True)
        os.kill(main.pid, signal.SIGKILL)
        main.wait(10)
        gone, alive = psutil.wait_procs(workers, timeout=WAIT_S)
        assert alive == [], f"{len(alive)} of {len(workers)} workers outlived their parent"
        assert len(gone) >= 2
        left = list(handoff.SHARED_MEMORY.glob(f"{handoff.PREFIX}{main.pid}-*"))
        assert left or not handoff.SHARED_MEMORY.is_dir(), "no result folder was made"
        with handoff.result_folder():  # the next pool on the machine
            assert not any(folder.exists() for folder in left), left
    finally:
        if main.poll() is None:
            main.kill()
        for worker in workers:  # never left running, even when the test fails
            if worker.is_running():
                worker.kill()
