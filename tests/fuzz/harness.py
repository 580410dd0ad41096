"""Running the CLI on bad input and judging what it did, by behaviour, not wording.

A *clear error* is exit status 2 with one line on stderr starting ``error:`` (lines
starting ``warning:`` may come before it), no traceback, at most
:data:`MAX_ERROR_CHARS` characters, naming the file, key or option involved. An
*accepted* input exits 0. Anything else (a traceback, another exit status, a
timeout) is a defect. ``benchmarks/fuzz_inputs.py`` sorts its inputs with
:func:`verdict`, so the suite and the long fuzz run judge alike.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import resource
import signal
import subprocess
import sys
import time
import tomllib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
MAX_ERROR_CHARS = 500  # sim111.errors.MAX_MESSAGE_CHARS
TIME_LIMIT_S = 20.0
MEMORY_LIMIT_BYTES = 4 * 1024**3  # a child reading /dev/zero stops here, not at the machine's


@dataclass(frozen=True)
class Outcome:
    """What one CLI invocation did."""

    code: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.code is None

    def error_lines(self) -> list[str]:
        """stderr's non-empty lines that are not ``warning:`` lines."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return [line for line in lines if not line.startswith("warning:")]


def verdict(outcome: Outcome) -> str:
    """``clear``, ``accepted``, ``unclear`` (status 2, not one ``error:`` line, e.g.
    click's usage text), ``traceback``, ``failed`` (another status, no traceback)
    or ``hang``."""
    if outcome.timed_out:
        return "hang"
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        return "traceback"
    if outcome.code == 0:
        return "accepted"
    if outcome.code != 2:
        return "failed"
    lines = outcome.error_lines()
    one = len(lines) == 1 and lines[0].startswith("error:")
    return "clear" if one and len(lines[0]) <= MAX_ERROR_CHARS else "unclear"


def describe(outcome: Outcome) -> str:
    """The outcome for an assertion message (stderr cut to its last 3,000 characters)."""
    return f"exit {outcome.code} after {outcome.seconds:.1f} s; stderr:\n{outcome.stderr[-3000:]}"


def assert_clear_error(outcome: Outcome, *names: str) -> str:
    """Exit 2, one ``error:`` line of at most 500 characters naming one of ``names``."""
    assert verdict(outcome) == "clear", describe(outcome)
    (line,) = outcome.error_lines()
    if names:
        assert any(n in line for n in names), f"names none of {names}: {line}"
    return line


def assert_accepted(outcome: Outcome) -> None:
    """Exit 0, no traceback."""
    assert verdict(outcome) == "accepted", describe(outcome)


def assert_clear_or_accepted(outcome: Outcome, *names: str) -> bool:
    """A clear error naming one of ``names``, or accepted; True if accepted."""
    if verdict(outcome) == "accepted":
        return True
    assert_clear_error(outcome, *names)
    return False


def invoke(*args: str, cwd: Path | None = None) -> Outcome:
    """``sim111 ARGS`` in this process (click's runner, as tests/unit/test_cli.py does).

    An exception other than the CLI's own exit is shown as the traceback it would print.
    """
    start = time.perf_counter()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        from sim111.cli import cli

        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    stderr = result.stderr
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed and result.exc_info is not None:
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Outcome(result.exit_code, result.stdout, stderr, time.perf_counter() - start)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a ``python -m sim111`` child: this tree first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def spawn(
    *args: str,
    cwd: Path | None = None,
    timeout_s: float = TIME_LIMIT_S,
    env: dict[str, str] | None = None,
) -> Outcome:
    """``python -m sim111 ARGS`` in a child process (its own session, memory-limited),
    killed with everything it started after ``timeout_s``."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "sim111", *args],
        cwd=cwd or ROOT,
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
        preexec_fn=_limit_memory,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout_s)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            out, err = proc.communicate()
            code = None
    return Outcome(code, out, err, time.perf_counter() - start)


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (a child started in its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def strict_json(text: str) -> Any:
    """``json.loads`` that refuses ``Infinity``, ``-Infinity`` and ``NaN`` (not JSON)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def library(name: str) -> dict[str, Any]:
    """A library scenario file (``scenarios/NAME.toml``) as data."""
    with (SCENARIOS / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def typical(days: int = 1, replications: int = 2) -> dict[str, Any]:
    """The typical area, ``days`` long with ``replications`` replications, self-contained."""
    data = library("typical-area")
    data["run"].update(days=days, replications=replications)
    return data


def erlang(days: int = 1, replications: int = 2) -> dict[str, Any]:
    """The Erlang-A validation queue, small: ``days`` days, ``replications`` replications."""
    data = library("validation/erlang-a")
    data["run"].update(days=days, replications=replications, warmup_min=60)
    data["demand"]["calls_per_hour"] = 30
    data["advisors"]["count"] = 6
    return data


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    """``data`` as a TOML file at ``path`` (folders made); the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(copy.deepcopy(data)), encoding="utf-8")
    return path


def tree_snapshot(root: Path, skip: Path | None = None) -> dict[str, int]:
    """Every file and folder under ``root`` (except under ``skip``): relative path -> size."""
    out: dict[str, int] = {}
    for path in root.rglob("*"):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        out[str(path.relative_to(root))] = path.lstat().st_size if path.is_file() else -1
    return out
