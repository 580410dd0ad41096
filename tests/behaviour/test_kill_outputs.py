"""Killing ``sim111 run --out DIR`` leaves DIR whole: absent, the old run or the new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.behaviour.kill_outputs import MOMENTS, ROOT, SCENARIO, SIGNALS, kills


@pytest.mark.slow
def test_killed_runs_leave_the_old_folder_or_the_whole_new_one(tmp_path):
    counts = kills(len(MOMENTS) * len(SIGNALS) - 2, tmp_path, seed=20)  # 10 kills
    assert sum(n for key, n in counts.items() if key.startswith("DIR left")) == 10
    # every signal was sent at the moments chosen (not only after the run ended)
    assert sum(n for key, n in counts.items() if key.endswith(": finished")) < 10


@pytest.mark.parametrize("delay_s", [0.15, 0.6, 2.5])  # importing, reading, simulating
def test_ctrl_c_anywhere_is_one_line_and_status_130(tmp_path, delay_s):
    proc = subprocess.Popen(
        # a year x 8: still simulating at 2.5 s on a machine twice as fast as ours
        [sys.executable, "-m", "sim111", "run", str(SCENARIO), "-n", "8", "--set", "run.days=365"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert err.decode().splitlines()[-1:] == ["interrupted"]
    assert "Traceback" not in err.decode()
