"""Fuzz the ``sim111`` command with generated bad and edge-case input (issue 20).

    python benchmarks/fuzz_inputs.py --count 1200 --seed 1 --out fuzz-findings

Generates ``--count`` inputs across scenario files (mutated documents and damaged
bytes), ``extends`` chains, ``--set`` overrides, CSV files (demand history,
empirical values, observed periods), sweep files, names, CLI options and result
stores; runs each as ``python -m sim111 ...`` in a child process of its own
(``--jobs`` at a time, each in a fresh working folder three levels below a
temporary root, killed after ``--timeout`` seconds, memory-limited), and sorts
the outcomes as ``tests/fuzz/harness.py`` does: clear (exit 2, one ``error:``
line), accepted (exit 0), unclear (exit 2, not one short line), failed (another
exit status), traceback, hang; plus escaped (a file appeared outside the working
folder). Prints the counts and the distinct root causes of the tracebacks
(exception type and the sim111 function that raised), and writes a reproducer
folder (files, ``command.txt``, ``stderr.txt``) for each input that was not clear
or accepted. The same ``--seed`` gives the same inputs.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.cases import GENERATORS, Input  # noqa: E402
from tests.fuzz.harness import Outcome, child_env, spawn, verdict  # noqa: E402

BAD = ("traceback", "hang", "failed", "unclear", "escaped")


def prepare(case: Input, root: Path, number: int) -> Path:
    cwd = root / f"{number:05d}" / "a" / "b" / "c"
    cwd.mkdir(parents=True)
    for name, data in case.files.items():
        (cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (cwd / name).write_bytes(data)
    for name in case.fifos:
        os.mkfifo(cwd / name)
    for name, target in case.links.items():
        (cwd / name).symlink_to(target)
    return cwd


def escaped(cwd: Path) -> bool:
    """Whether anything appeared beside the working folder or its parents."""
    return any(
        [p.name for p in level.parent.iterdir()] != [level.name]
        for level in (cwd, cwd.parent, cwd.parent.parent)
    )


def run_one(case: Input, root: Path, number: int, timeout_s: float) -> tuple[str, Outcome]:
    cwd = prepare(case, root, number)
    env = child_env(XDG_CACHE_HOME=str(cwd / "cache"), MPLBACKEND="Agg")
    outcome = spawn(*case.args, cwd=cwd, timeout_s=timeout_s, env=env)
    kind = verdict(outcome)
    if kind in ("clear", "accepted") and escaped(cwd):
        kind = "escaped"
    return kind, outcome


FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def root_cause(stderr: str) -> str:
    """``ExceptionType at sim111/module.py:function`` of the last traceback in ``stderr``."""
    text = stderr[stderr.rfind("Traceback") :]
    frames = FRAME.findall(text)
    ours = [f for f in frames if "/sim111/" in f[0]] or frames
    where = f"{ours[-1][0].split('/sim111/')[-1]}:{ours[-1][2]}" if ours else "?"
    last = [line for line in text.splitlines() if line and not line.startswith(" ")]
    exc = last[-1].split(":")[0] if last else "?"
    return (
        f"{exc} at sim111/{where}"
        if "/sim111/" in (ours[-1][0] if ours else "")
        else f"{exc} at {where}"
    )


def generate(count: int, seed: int) -> list[Input]:
    import random

    rng = random.Random(seed)
    weights = [w for _, w, _ in GENERATORS]
    cases = []
    for _ in range(count):
        name, _, make = rng.choices(GENERATORS, weights)[0]
        case = make(rng)
        case.kind = name
        cases.append(case)
    return cases


def save(case: Input, outcome: Outcome, kind: str, folder: Path, number: int) -> None:
    target = folder / kind / f"{number:05d}-{case.kind}"
    target.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    notes = [f"fifo: {n}" for n in case.fifos] + [
        f"link: {n} -> {t}" for n, t in case.links.items()
    ]
    command = "sim111 " + " ".join(repr(a) if " " in a or not a else a for a in case.args)
    (target / "command.txt").write_text("\n".join([command[:5000], *notes]) + "\n")
    err = outcome.stderr
    err = err if len(err) <= 20000 else f"{err[:5000]}\n[... cut ...]\n{err[-15000:]}"
    (target / "stderr.txt").write_text(f"exit {outcome.code}\n{err}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per input")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    opts = parser.parse_args()
    cases = generate(opts.count, opts.seed)
    shutil.rmtree(opts.out, ignore_errors=True)
    counts: collections.Counter[str] = collections.Counter()
    by_kind: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    causes: collections.Counter[str] = collections.Counter()
    with (
        tempfile.TemporaryDirectory(prefix="sim111-fuzz-") as tmp,
        ThreadPoolExecutor(opts.jobs) as pool,
    ):
        futures = [pool.submit(run_one, c, Path(tmp), n, opts.timeout) for n, c in enumerate(cases)]
        for number, (case, future) in enumerate(zip(cases, futures, strict=True)):
            kind, outcome = future.result()
            counts[kind] += 1
            by_kind[case.kind][kind] += 1
            if kind == "traceback":
                causes[root_cause(outcome.stderr)] += 1
            if kind in BAD:
                save(case, outcome, kind, opts.out, number)
            if (number + 1) % 100 == 0:
                print(f"{number + 1} inputs: {dict(counts)}", file=sys.stderr, flush=True)
    report(opts, counts, by_kind, causes)


def report(opts, counts, by_kind, causes) -> None:
    order = ("clear", "accepted", *BAD)
    print(f"{sum(counts.values())} inputs (seed {opts.seed}, timeout {opts.timeout:g} s)")
    print("  ".join(f"{k}: {counts.get(k, 0)}" for k in order))
    print(f"\n{'input kind':<22}" + "".join(f"{k:>10}" for k in order))
    for name in sorted(by_kind):
        print(f"{name:<22}" + "".join(f"{by_kind[name].get(k, 0):>10}" for k in order))
    if causes:
        print(f"\n{len(causes)} distinct root causes of tracebacks:")
        for cause, n in causes.most_common():
            print(f"{n:>5}  {cause}")
    if any(counts.get(k) for k in BAD):
        print(f"\nreproducers: {opts.out}/<verdict>/")


if __name__ == "__main__":
    main()
