"""Speed and memory benchmarks: ``python benchmarks/run.py [--quick] [--against GITREF]``.

How it measures:

- Each case lives in its own long-lived child process, so its peak memory (max
  RSS, pool workers included) is its own. The parent imports no ``sim111``; it
  sends each child one command per line over a pipe ("run" or "end") and reads
  one JSON line back. A child builds its case once (imports and reading the
  scenario are not timed), then each "run" times one whole run: simulating and
  computing every KPI, interval KPIs included, from the per-call records.
- Every case gets one untimed warm-up run first, then the timed runs are
  interleaved in rounds: round 1 runs case A, B, C once each, round 2 again
  A, B, C, and so on, so a noisy spell on the machine hits all peers alike.
  The national year is the exception: one run, timed whole, worker start-up
  included, no warm-up (it takes minutes).
- Reported: the median of the runs with their range (min-max) and the number of
  runs, never the best of them. Rates are calls offered per second of wall
  clock at the median time. Targets are judged on medians. A ratio between two
  cases is the ratio of their medians; its range is that of the ratios of the
  two cases' runs within the same round (they ran next to each other).
- ``--against GITREF`` exports that revision's ``sim111`` package
  (``git archive``) into a temporary directory, and every sim111 case runs also
  in a child whose ``PYTHONPATH`` is that copy, in the same rounds, next to its
  peer on this tree (the pair's order alternates from round to round, over an
  even number of rounds). Both
  read the scenario files of this tree. The ratio new/old is of time per
  offered call (the time itself when both simulate the same calls).

The Erlang-A case is also run as a plain idiomatic SimPy model and in Ciw
(``pip install ciw``), and the ratios are printed. The load average is printed
at the start and at the end: a run on a busy machine is worth less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
ERLANG_A = {"calls_per_hour": 120.0, "servers": 18, "handle_min": 8.0, "patience_min": 5.0}
# Even, so each case of a new/old pair runs first in as many rounds as the other: the run
# that follows another child's long run is measurably slower (seen up to 2x on the 20 ms
# typical-area week, right after the plain-SimPy case), and with an odd count the median
# ratio lands in whichever order had the extra round.
ROUNDS = 16

# ---------------------------------------------------------------------------
# Every use of sim111 in the benchmark is in this block (the package is being
# reorganised into sub-packages, and --against may name a revision from before
# or after that). Each name is looked for where it lives now first, then where
# it used to live; update the first entries when modules move.
SIM111_API = {
    "simulate_replication": ("sim111.experiments.runner", "sim111.sweep"),
    "run_task": ("sim111.experiments.runner",),
    "load_scenario": ("sim111", "sim111.scenario"),
    "run_sweep": ("sim111", "sim111.experiments.sweep", "sim111.sweep"),
}


class _SameCopy(importlib.abc.MetaPathFinder):
    """Submodules of sim111 come from the copy its package came from, or not at all.

    Without this, a module missing from one copy (say ``sim111.experiments`` on
    an old revision) is served by the next finder on ``sys.meta_path``: an
    editable install's finder, which hands over that module of *another* copy
    of sim111, and the benchmark times a mixture of two trees.
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if not fullname.startswith("sim111."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return spec


def _sim111(name: str) -> Any:
    """``name`` from the first module of ``SIM111_API[name]`` that has it.

    A module that does not exist is skipped; one that exists but fails to
    import (a broken package) raises, rather than silently falling back.
    """
    if not any(isinstance(finder, _SameCopy) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SameCopy())
    for module_name in SIM111_API[name]:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            missing = err.name or ""
            if module_name == missing or module_name.startswith(missing + "."):
                continue
            raise
        if hasattr(module, name):
            return getattr(module, name)
    raise ImportError(f"{name} is in none of {', '.join(SIM111_API[name])}")


def _load(path: Path) -> Any:
    """The scenario at ``path``."""
    return _sim111("load_scenario")(path)


def _one_replication(scenario: Any) -> Callable[[], int]:
    """Replication 0 of ``scenario`` with every KPI; returns the calls offered."""
    simulate_replication = _sim111("simulate_replication")

    def run() -> int:
        kpis, _, _ = simulate_replication(scenario, 0, 1)
        return int(kpis["calls_offered"])

    return run


def _sweep(scenario: Any, replications: int, workers: int) -> Callable[[], int]:
    """``replications`` of ``scenario`` on ``workers`` processes; returns the calls offered."""
    run_sweep = _sim111("run_sweep")

    def run() -> int:
        result = run_sweep(
            scenario,
            {"demand.scale": [1.0]},
            replications=replications,
            seed=1,
            workers=workers,
            progress=False,
        )
        return int(result.kpis["calls_offered"].sum())

    return run


# End of the sim111 block.
# ---------------------------------------------------------------------------


def _erlang_a_scenario(days: int) -> Any:
    return _load(ROOT / "scenarios" / "validation" / "erlang-a.toml").with_overrides(
        {
            "demand.calls_per_hour": ERLANG_A["calls_per_hour"],
            "advisors.count": ERLANG_A["servers"],
            "advisors.handle_time.mean_min": ERLANG_A["handle_min"],
            "callers.patience.mean_min": ERLANG_A["patience_min"],
            "run.days": days,
            "run.warmup_min": 0,
        }
    )


def case_sim111_erlang_a(days: int) -> Callable[[], int]:
    return _one_replication(_erlang_a_scenario(days))


def case_plain_simpy(days: int) -> Callable[[], int]:
    from baselines import plain_simpy

    return lambda: plain_simpy(**ERLANG_A, days=days, seed=1)


def case_ciw(days: int) -> Callable[[], int]:
    from baselines import ciw_model

    return lambda: ciw_model(**ERLANG_A, days=days, seed=1)


def case_typical_area(days: int) -> Callable[[], int]:
    scenario = _load(ROOT / "scenarios" / "typical-area.toml")
    return _one_replication(scenario.with_overrides({"run.days": days}))


def case_national_year(days: int) -> Callable[[], int]:
    """England for a year as 45 contract areas of ~1.25 m people, on 2 processes."""
    area = _load(ROOT / "scenarios" / "typical-area.toml").with_overrides(
        {
            "run.days": days,
            "run.start_date": dt.date(2015, 1, 1),
            "demand.population": 1_250_000,
            "demand.calls_per_1000_per_year": 360.0,
            "advisors.roster_scale": 1.6,
            "clinicians.0.roster_scale": 1.6,
        }
    )
    return _sweep(area, replications=45, workers=2)


def _england_year(file: str, days: int) -> Callable[[], int]:
    """One replication of an England 2014 file, run as ``sim111 run`` runs it: one
    process, KPIs, intervals and periods, no records kept (as for each replication of
    the national year)."""
    scenario = _load(ROOT / "scenarios" / "england-2014" / file)
    scenario = scenario.with_overrides({"run.days": days})
    run_task = _sim111("run_task")

    def run() -> int:
        outcome = run_task(scenario, 0, 0, 1)
        if outcome.error is not None:
            raise RuntimeError(outcome.error)
        return int(outcome.kpis["calls_offered"])

    return run


def case_england_pooled_year(days: int) -> Callable[[], int]:
    """England's 44 areas of 2014 for a year, one national pool: one coupled run."""
    return _england_year("national.toml", days)


def case_england_apart_year(days: int) -> Callable[[], int]:
    """The same 44 areas for a year, each answering its own calls, one after another:
    the same engine and measuring with no coupling, beside the coupled case, so the
    ratio of the two is what coupling costs."""
    return _england_year("apart.toml", days)


SCENARIO_CASE = "scenarios/"


def case_scenario(relative_path: str) -> Callable[[], int]:
    """One replication of a library scenario as it stands (its own days and settings)."""
    return _one_replication(_load(ROOT / SCENARIO_CASE / relative_path))


def _app_run_page() -> None:  # AppTest's script: the app's Run page alone
    from sim111.app.views.run import render

    render()


def case_app_run_page(days: int) -> Callable[[], int]:
    """The web app's Run page (issue #17), in process through Streamlit's AppTest: a
    typical-area week x 10 replications from pressing Run to the whole page drawn
    (headline, KPI cards, days, the charts). The result cache is cleared each time."""
    import os

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["SIM111_SCENARIOS"] = str(ROOT / "scenarios")
    main = sys.modules["__main__"]

    def run() -> int:
        st.cache_data.clear()
        page = AppTest.from_function(_app_run_page, default_timeout=300).run()
        page.number_input(key="run_reps").set_value(10)
        page.button(key="run_go").click().run()
        sys.modules["__main__"] = main  # AppTest leaves its script there
        if page.exception:
            raise RuntimeError(str(page.exception[0].value))
        kept = page.session_state["sim111_run_result"]
        return int(kept[1].kpis["calls_offered"].sum())

    return run


CASES: dict[str, Callable[[int], Callable[[], int]]] = {
    "sim111 Erlang-A": case_sim111_erlang_a,
    "plain SimPy Erlang-A": case_plain_simpy,
    "Ciw Erlang-A": case_ciw,
    "sim111 typical-area week": case_typical_area,
    "sim111 typical-area 4 weeks": case_typical_area,
    "sim111 national year (2 processes)": case_national_year,
    "sim111 England year, one pool (coupled)": case_england_pooled_year,
    "sim111 England year, 44 areas apart (1 process)": case_england_apart_year,
    "sim111 app Run page, typical-area week x 10": case_app_run_page,
}
APP_CASE = "sim111 app Run page, typical-area week x 10"
NATIONAL = "sim111 national year (2 processes)"
COUPLED = "sim111 England year, one pool (coupled)"
APART = "sim111 England year, 44 areas apart (1 process)"
ONCE = (NATIONAL, COUPLED, APART)  # minutes each: one run, timed whole, no warm-up
PROCESSES = {NATIONAL: 2}


def _uses_sim111(name: str) -> bool:
    return name.startswith(("sim111 ", SCENARIO_CASE))


def _child(name: str, days: int, sim111_dir: str) -> None:
    """Serve one case: build it, then answer "run" and "end" from stdin."""
    replies, sys.stdout = sys.stdout, sys.stderr  # stray prints cannot garble the replies
    sys.path.insert(0, str(ROOT / "benchmarks"))
    if name.startswith(SCENARIO_CASE):
        run = case_scenario(name.removeprefix(SCENARIO_CASE))
    else:
        run = CASES[name](days)
    # Every sim111 module comes from the copy under test, not one installed elsewhere.
    for module in list(sys.modules.values()):
        if module.__name__.split(".")[0] == "sim111" and getattr(module, "__file__", None):
            where = Path(module.__file__).resolve()
            if not where.is_relative_to(Path(sim111_dir).resolve() / "sim111"):
                raise SystemExit(f"{module.__name__} imported from {where}, not {sim111_dir}")
    _reply(replies, {"ready": True})
    for command in sys.stdin:
        if command.strip() == "run":
            start = time.perf_counter()
            calls = run()
            _reply(replies, {"calls": calls, "seconds": time.perf_counter() - start})
        else:
            usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            _reply(replies, {"peak_mb": max(usage, children) / 1024})
            return


def _reply(stream: IO[str], message: dict[str, Any]) -> None:
    print(json.dumps(message), file=stream, flush=True)


@dataclass
class Peer:
    """One case on one copy of sim111, served by a child process."""

    name: str
    days: int
    rounds: int
    warmup: bool
    sim111_dir: Path
    calls: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = float("nan")
    error: str | None = None
    process: subprocess.Popen[str] | None = None
    stderr: IO[str] | None = None

    def start(self) -> None:
        # A file, not a pipe: a chatty child cannot block on a full pipe. Closed in stop().
        self.stderr = tempfile.TemporaryFile("w+")  # noqa: SIM115
        label = self.name.split(" @")[0]
        command = [sys.executable, __file__, "--child", label, "--days", str(self.days)]
        self.process = subprocess.Popen(
            [*command, "--sim111-dir", str(self.sim111_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env={**os.environ, "PYTHONPATH": str(self.sim111_dir)},
        )

    def ask(self, command: str) -> dict[str, Any] | None:
        """Send ``command``; the child's answer, or None (and the error noted) if it died."""
        if self.error is not None or self.process is None:
            return None
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            if command:
                self.process.stdin.write(command + "\n")
                self.process.stdin.flush()
            line = self.process.stdout.readline()
        except BrokenPipeError:
            line = ""
        if line:
            return json.loads(line)
        self.process.wait()
        assert self.stderr is not None
        self.stderr.seek(0)
        lines = self.stderr.read().strip().splitlines()
        self.error = lines[-1] if lines else f"exit status {self.process.returncode}"
        return None

    def run(self) -> None:
        answer = self.ask("run")
        if answer is not None:
            self.calls.append(answer["calls"])
            self.seconds.append(answer["seconds"])

    def stop(self) -> None:
        answer = self.ask("end")
        if answer is not None:
            self.peak_mb = answer["peak_mb"]
        if self.process is not None:
            self.process.wait()
        if self.stderr is not None:
            self.stderr.close()

    def result(self) -> dict[str, Any]:
        return {"calls": self.calls[-1], "seconds": self.seconds, "peak_mb": self.peak_mb}


def _measure(plan: list[Peer]) -> None:
    """Start every child, warm each case up, then run the rounds interleaved."""
    for peer in plan:
        peer.start()
    for peer in plan:
        peer.ask("")  # wait until it is ready
    for peer in plan:
        if peer.warmup:
            peer.ask("run")
    for r in range(max((peer.rounds for peer in plan), default=0)):
        for pair in _pairs(plan):
            # A case and its peer on the other revision run next to each other,
            # first one then the other first, round by round.
            for peer in pair if r % 2 == 0 else pair[::-1]:
                if r < peer.rounds:
                    peer.run()
    for peer in plan:
        peer.stop()


def _pairs(plan: list[Peer]) -> list[list[Peer]]:
    pairs: dict[str, list[Peer]] = {}
    for peer in plan:
        pairs.setdefault(peer.name.split(" @")[0], []).append(peer)
    return list(pairs.values())


@contextmanager
def _export(gitref: str) -> Iterator[tuple[Path, str]]:
    """``gitref``'s sim111 package in a temporary directory, and its short commit."""
    commit = _git("rev-parse", "--verify", "--short", f"{gitref}^{{commit}}")
    if not commit:
        raise SystemExit(f"--against {gitref}: no such revision in {ROOT} (or no git)")
    with tempfile.TemporaryDirectory(prefix="sim111-bench-") as tmp:
        archive = subprocess.Popen(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "sim111"],
            stdout=subprocess.PIPE,
        )
        subprocess.run(["tar", "-x", "-C", tmp], stdin=archive.stdout, check=True)
        assert archive.stdout is not None
        archive.stdout.close()
        if archive.wait():
            raise SystemExit(f"git archive {commit} sim111 failed")
        yield Path(tmp), commit


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {dt.datetime.now():%Y-%m-%d %H:%M}"
    )


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def main(argv: list[str] | None = None) -> None:
    """Run the cases and print the table, the ratios and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10 days instead of 30 for Erlang-A, and no national year (seconds, not minutes)",
    )
    parser.add_argument(
        "--scenarios", action="store_true", help="also one replication of each library scenario"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=ROUNDS,
        metavar="N",
        help=f"timed runs of each case, in N interleaved rounds (default {ROUNDS}; "
        "the national year is run once)",
    )
    parser.add_argument(
        "--against",
        metavar="GITREF",
        help="also run the sim111 cases on that revision's sim111 (e.g. main or a commit)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="only the cases whose name contains TEXT (may be given more than once)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--sim111-dir", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.days, args.sim111_dir)
        return
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.against and args.repeats % 2:
        args.repeats += 1  # each of a pair first equally often (see ROUNDS)
    started = time.perf_counter()
    days = 10 if args.quick else 30
    cases = [
        ("sim111 Erlang-A", days),
        ("plain SimPy Erlang-A", days),
        ("Ciw Erlang-A", days),
        ("sim111 typical-area week", 7),
        ("sim111 typical-area 4 weeks", 28),
    ]
    if importlib.util.find_spec("streamlit") is not None:  # the app extra
        cases.append((APP_CASE, 7))
    if args.scenarios:
        paths = sorted((ROOT / SCENARIO_CASE).glob("*.toml"))
        cases += [(f"{SCENARIO_CASE}{path.name}", 0) for path in paths]
    if not args.quick:
        cases += [(NATIONAL, 365), (COUPLED, 365), (APART, 365)]
    if args.only:
        cases = [(name, d) for name, d in cases if any(text in name for text in args.only)]
    if "Ciw Erlang-A" in dict(cases) and importlib.util.find_spec("ciw") is None:
        cases = [(name, d) for name, d in cases if name != "Ciw Erlang-A"]
        skipped = "Ciw Erlang-A: skipped (pip install ciw)"
    else:
        skipped = ""

    revision = _git("rev-parse", "--short", "HEAD") or "unknown revision"
    if _git("status", "--porcelain", "--", "sim111"):
        revision += " with uncommitted changes to sim111"
    print(f"machine: {_machine()}")
    print(f"load average at start: {_load_average()}")
    print(f"new: sim111 of this tree, {ROOT} ({revision})")
    with _export(args.against) if args.against else _nothing() as exported:
        old = ""
        if exported is not None:
            old_dir, commit = exported
            old = f"@{args.against if len(args.against) <= 12 else commit}"
            print(f"old ({old}): sim111 of {args.against} = {commit}, exported to {old_dir}")
        plan = []
        for name, n_days in cases:
            rounds, warmup = (1, False) if name in ONCE else (args.repeats, True)
            plan.append(Peer(name, n_days, rounds, warmup, ROOT))
            if exported is not None and _uses_sim111(name):
                plan.append(Peer(f"{name} {old}", n_days, rounds, warmup, exported[0]))
        print(
            f"each case: one untimed warm-up run, then {args.repeats} timed runs in interleaved "
            "rounds (national year: 1 run, no warm-up); median (min-max) of the runs"
        )
        _measure(plan)
    print(f"load average at end: {_load_average()}")
    print()

    results = {peer.name: peer.result() for peer in plan if peer.error is None and peer.seconds}
    for line in _table(results):
        print(line)
    for peer in plan:
        if peer.error is not None:
            print(f"{peer.name}: failed: {peer.error}")
    if skipped:
        print(skipped)
    if old:
        print(f"\nnew / old ({old}), time per offered call; median ratio (min-max of per-round):")
        for name in results:
            if f"{name} {old}" in results:
                ratio, lo, hi, n = _ratio(results, name, f"{name} {old}", time_per_call=True)
                print(f"  {name}: {ratio:.2f} ({lo:.2f}-{hi:.2f}, n={n})")
    print("\ntargets (issue #8), judged on medians:")
    for line in _targets(results, old):
        print(f"  {line}")
    print(f"\ntook {time.perf_counter() - started:.0f} s")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def _stats(values: list[float]) -> tuple[float, float, float, int]:
    """Median, min, max and count of ``values``."""
    return statistics.median(values), min(values), max(values), len(values)


def _rate(r: dict[str, Any], seconds: float, name: str) -> float:
    return r["calls"] / seconds / PROCESSES.get(name, 1)


def _ratio(
    results: dict[str, dict[str, Any]], a: str, b: str, time_per_call: bool = False
) -> tuple[float, float, float, int]:
    """``a`` over ``b``: the ratio of their medians, and min, max and count of per-round ratios.

    Rates (calls per second per core) by default; time per offered call if asked.
    Runs are paired by round (the i-th timed run of each ran in the same round).
    """

    def value(name: str, seconds: float) -> float:
        r = results[name]
        return seconds / r["calls"] if time_per_call else _rate(r, seconds, name)

    sa, sb = results[a]["seconds"], results[b]["seconds"]
    ratio = value(a, statistics.median(sa)) / value(b, statistics.median(sb))
    per_round = [value(a, x) / value(b, y) for x, y in zip(sa, sb, strict=False)]
    return ratio, min(per_round), max(per_round), len(per_round)


def _table(results: dict[str, dict[str, Any]]) -> list[str]:
    width = max([42, *(len(name) for name in results)])
    lines = [
        f"{'case':{width}} {'calls':>11} {'runs':>4} {'median s':>9} {'min-max s':>15} "
        f"{'calls/s':>9} {'per core':>9} {'peak MB':>8}"
    ]
    for name, r in results.items():
        median, lo, hi, n = _stats(r["seconds"])
        rate = r["calls"] / median
        per_core = rate / PROCESSES.get(name.split(" @")[0], 1)  # a peer: its case's count
        lines.append(
            f"{name:{width}} {r['calls']:>11,} {n:>4} {median:>9.3g} "
            f"{f'{lo:.3g}-{hi:.3g}':>15} {rate:>9,.0f} {per_core:>9,.0f} {r['peak_mb']:>8.0f}"
        )
    return lines


def _targets(results: dict[str, dict[str, Any]], old: str = "") -> list[str]:
    """Each target of issue #8 with the measured median and whether it is met.

    ``old`` is the suffix of the cases run on the ``--against`` revision, if any.
    """
    lines = []
    ours = "sim111 Erlang-A"
    for other, target in (("plain SimPy Erlang-A", 5.0), ("Ciw Erlang-A", 8.0)):
        if ours in results and other in results:
            ratio, lo, hi, n = _ratio(results, ours, other)
            lines.append(
                f"sim111 / {other}: {ratio:.1f}x ({lo:.1f}-{hi:.1f}x, n={n}) "
                f"(>= {target:.0f}x: {_ok(ratio >= target)})"
            )
    for name in ("sim111 typical-area week", "sim111 typical-area 4 weeks"):
        if name in results:
            median, lo, hi, n = _stats(results[name]["seconds"])
            rate = _rate(results[name], median, name)
            low, high = _rate(results[name], hi, name), _rate(results[name], lo, name)
            lines.append(
                f"{name}: {rate:,.0f} offered calls/s per core ({low:,.0f}-{high:,.0f}, n={n}) "
                f"(>= 150,000: {_ok(rate >= 150_000)})"
            )
    week, week_old = "sim111 typical-area week", f"sim111 typical-area week {old}"
    if old and week in results and week_old in results:
        ratio, lo, hi, n = _ratio(results, week, week_old, time_per_call=True)
        lines.append(
            f"typical-area week, time new / {old}: {ratio:.2f} ({lo:.2f}-{hi:.2f}, n={n}) "
            f"(<= 1.10, at most 10% slower: {_ok(ratio <= 1.10)})"
        )
    if NATIONAL in results:
        r = results[NATIONAL]
        seconds = statistics.median(r["seconds"])
        n = len(r["seconds"])
        lines.append(f"national year: {seconds:.0f} s, n={n} (< 120: {_ok(seconds < 120)})")
        lines.append(
            f"national year: {r['peak_mb']:.0f} MB peak (< 1024: {_ok(r['peak_mb'] < 1024)})"
        )
    if COUPLED in results:  # issue #15: at the national year's rate per core, under 2 GB
        r = results[COUPLED]
        rate = _rate(r, statistics.median(r["seconds"]), COUPLED)
        line = f"England year coupled: {rate:,.0f} offered calls/s"
        if NATIONAL in results:
            per_core = _rate(
                results[NATIONAL], statistics.median(results[NATIONAL]["seconds"]), NATIONAL
            )
            line += f" (>= national year's {per_core:,.0f} per core: {_ok(rate >= per_core)})"
        lines.append(line)
        lines.append(
            f"England year coupled: {r['peak_mb']:.0f} MB peak (< 2048: {_ok(r['peak_mb'] < 2048)})"
        )
        if APART in results:  # what coupling costs: no target, see the README
            apart = _rate(results[APART], statistics.median(results[APART]["seconds"]), APART)
            lines.append(
                f"England year coupled / the same areas apart: {rate / apart:.2f} of the rate "
                f"({apart:,.0f} calls/s apart; information, no target)"
            )
    return lines


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
