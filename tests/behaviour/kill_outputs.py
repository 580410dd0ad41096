"""Kill ``sim111 run --out DIR`` at random and at chosen moments; DIR is one whole run or none.

Each trial starts ``sim111 run scenarios/typical-area.toml --out DIR`` (two one-day
replications) and sends SIGINT, SIGTERM or SIGKILL: after a random delay, the
moment a staging folder appears beside DIR, the moment DIR appears (DIR removed
first) or the moment DIR is swapped (its inode changes). Afterwards DIR must be
absent (if it was), the previous complete run, or the new complete run, file for
file (:func:`fingerprint`), never a mix; SIGINT and SIGTERM leave no staging
folder of their own; and after one more complete run nothing but DIR is left.

``python -m tests.behaviour.kill_outputs --kills 50`` runs 50 and prints the counts;
``tests/behaviour/test_kill_outputs.py`` runs a few in CI.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "typical-area.toml"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
MOMENTS = ("random", "staging", "appears", "swapped")
SKIPPED = {"report.xlsx", "provenance.json"}  # zip and clock times differ run to run
POLL_S = 0.0005


def command(out: Path, seed: int) -> list[str]:
    """The run a trial kills: short, with every output file (calls, charts, report)."""
    return [
        *(sys.executable, "-m", "sim111", "run", str(SCENARIO), "--out", str(out)),
        *("-n", "2", "--seed", str(seed), "--set", "run.days=1", "--no-xlsx"),
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}


def fingerprint(folder: Path) -> dict[str, str]:
    """Each file's content hash (``calls.csv.gz`` unzipped), and the seed of provenance.json."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.name in SKIPPED:
            out[path.name] = "seed " + str(_seed(path)) if path.name == "provenance.json" else ""
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        out[path.name] = hashlib.sha256(data).hexdigest()
    return out


def _seed(path: Path) -> object:
    return json.loads(path.read_text()).get("seed")


def complete_run(out: Path, seed: int) -> dict[str, str]:
    """Run to the end into ``out``; its fingerprint."""
    subprocess.run(command(out, seed), env=_env(), check=True, capture_output=True, cwd=out.parent)
    return fingerprint(out)


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _listing(out: Path, left: list[str]) -> list[str]:
    return sorted(p.name for name in left for p in (out.parent / name).iterdir())


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _wait_for(proc: subprocess.Popen[bytes], moment: str, out: Path, delay_s: float) -> None:
    """Return at ``moment`` (or when the process has ended)."""
    if moment == "random":
        time.sleep(delay_s)
        return
    before = _inode(out)
    while proc.poll() is None:
        if moment == "staging" and any(f"-{proc.pid}-" in n for n in _leftovers(out)):
            return
        if moment == "appears" and out.exists():
            return
        if moment == "swapped" and _inode(out) != before:
            return
        time.sleep(POLL_S)


def trial(
    out: Path, refs: dict[int, dict[str, str]], moment: str, signum: int, delay_s: float = 0.0
) -> str:
    """One killed run; ``"old"``, ``"new"``, ``"none"`` or ``"finished"`` (how DIR was
    left, checked), else an ``AssertionError`` saying what was wrong."""
    if moment == "appears":
        shutil.rmtree(out, ignore_errors=True)
    before = fingerprint(out) if out.exists() else None
    old_seed = next((s for s, ref in refs.items() if ref == before), None)
    new_seed = next(s for s in refs if s != old_seed)
    proc = subprocess.Popen(
        command(out, new_seed),
        env=_env(),
        cwd=out.parent,  # not the checkout: `python -m` imports from the current folder first
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_for(proc, moment, out, delay_s)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    stderr = err.decode(errors="replace")
    assert "Traceback" not in stderr, stderr
    after = fingerprint(out) if out.exists() else None
    if after == before:
        state = "none" if before is None else "old"
    else:
        assert after == refs[new_seed], f"{moment} {signum}: DIR holds a mix: {after}"
        state = "new"
    if signum != signal.SIGKILL:
        # its own (a SIGKILLed run's are removed by the next run that writes DIR)
        left = [name for name in _leftovers(out) if f"-{proc.pid}-" in name]
        assert not left, (moment, signum, proc.returncode, left, _listing(out, left), stderr)
        if not finished:
            # -signum: before Python set its handlers or as it shut down (no traceback either)
            assert proc.returncode in (130, 143, -signum), (proc.returncode, stderr)
            if proc.returncode == 130:
                assert stderr.strip().splitlines()[-1:] == ["interrupted"], stderr
    return "finished" if finished else f"{state}, exit {proc.returncode}"


def kills(count: int, folder: Path, seed: int = 0) -> Counter[str]:
    """``count`` trials in ``folder``, signals and moments in turn; counts of the outcomes."""
    rng = random.Random(seed)
    out = folder / "out"
    start = time.monotonic()
    refs = {1: complete_run(folder / "ref", 1)}
    span_s = time.monotonic() - start  # a random kill comes within one run's time
    refs[2] = complete_run(out, 2)
    shutil.rmtree(folder / "ref")
    counts: Counter[str] = Counter()
    for i in range(count):
        moment = MOMENTS[i % len(MOMENTS)]
        signum = SIGNALS[(i // len(MOMENTS)) % len(SIGNALS)]
        state = trial(out, refs, moment, signum, rng.uniform(0.0, span_s))
        counts[f"{signal.Signals(signum).name} at {moment}: {state}"] += 1
        counts[f"DIR left {state.split(',')[0]}"] += 1
    complete_run(out, 1)
    assert not _leftovers(out), f"left after a complete run: {_leftovers(out)}"
    left = sorted(p.name for p in folder.iterdir())
    assert left == ["out"], f"left beside DIR after a complete run: {left}"
    return counts


def main() -> None:
    """``--kills N`` trials in a temporary folder; print the counts."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:  # started by `cmd &`: runs inherit it
        signal.signal(signal.SIGINT, signal.default_int_handler)
    with tempfile.TemporaryDirectory() as tmp:
        counts = kills(args.kills, Path(tmp), args.seed)
    for key, n in sorted(counts.items()):
        print(f"{n:4d}  {key}")
    print(f"{args.kills} kills: every DIR absent, the previous run or the complete new run")


if __name__ == "__main__":
    main()
