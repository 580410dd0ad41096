"""Bad scenario and sweep files are one line on stderr and exit status 2, never a
traceback or a hang (issue 20): encodings, FIFOs and devices, sizes, nesting,
``extends`` chains, NUL bytes, and files outside the scenario's folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.errors import ScenarioError
from sim111.scenario import load_scenario
from sim111.scenario.loading import MAX_EXTENDS
from sim111.scenario.textfile import MAX_NESTING, nesting_depth, parse_toml, read_text
from tests.conftest import ROOT, SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"
SHORT = "[run]\ndays = 1\nreplications = 2\n"


def sim111(*args: str) -> subprocess.CompletedProcess[str]:
    """``sim111 ARGS`` in this process, as a finished process would report it."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def real_sim111(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m sim111 ARGS`` in a new process, killed after 60 s (a hang fails)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sim111", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one ``error:`` line of a refused command, holding each of ``words``."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'name = "caf\xe9"\n', "line 1: not UTF-8 (byte 0xe9); save the file as UTF-8"),
        ('name = "x"\n'.encode("utf-16"), "UTF-16: save as UTF-8"),
        (bytes(range(256)) * 4, "not UTF-8"),
        (b'name = "a"\n\x00\x00\n', "line 2: a NUL byte"),
        (b"[run\n", "not valid TOML: Expected ']' at the end of a table declaration (at line 1"),
    ],
    ids=["latin-1", "utf-16", "binary", "nul", "toml"],
)
def test_a_file_that_is_not_utf8_toml_is_one_line(tmp_path, data, says):
    path = write(tmp_path / "x.toml", data)
    one_line_error(sim111("run", str(path)), "x.toml", says)
    one_line_error(sim111("sweep", str(path)), "x.toml", says)


def test_a_utf8_bom_is_read_as_without_it(tmp_path):
    text = f'extends = "{TYPICAL}"\n{SHORT}'
    plain = write(tmp_path / "plain.toml", text)
    bom = write(tmp_path / "bom.toml", b"\xef\xbb\xbf" + text.encode())
    runs = [sim111("run", str(p), "--format", "json") for p in (plain, bom)]
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr
    kpis = [json.loads(r.stdout)["kpis"] for r in runs]
    assert kpis[0]["calls_offered"]["mean"] > 100
    assert kpis[0] == kpis[1]
    sweep = write(tmp_path / "s.toml", b'\xef\xbb\xbfscenario = "plain.toml"\n[grid]\n"x" = [1]\n')
    one_line_error(sim111("sweep", str(sweep)), "s.toml: point 0")  # read, then validated


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_scenario_or_extends_is_refused_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")
    write(tmp_path / "child.toml", 'extends = "pipe.toml"\n')
    for name in ("pipe.toml", "child.toml"):
        start = time.monotonic()
        proc = real_sim111("run", name, cwd=tmp_path)
        one_line_error(proc, "pipe.toml: not a regular file")
        assert time.monotonic() - start < 30


def test_a_device_as_extends_is_refused_without_reading_it(tmp_path):
    child = write(tmp_path / "child.toml", 'extends = "/dev/zero"\n')
    one_line_error(sim111("run", str(child)), "child.toml", "outside this scenario's folder")
    proc = sim111("run", str(child), "--allow-outside-files")
    one_line_error(proc, "/dev/zero: not a regular file")


def test_a_folder_is_refused_by_name(tmp_path):
    (tmp_path / "base.toml").mkdir()
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n')
    one_line_error(sim111("run", str(child)), "base.toml: is a folder, not a scenario file")


def test_size_limits(tmp_path):
    big = write(tmp_path / "big.toml", "#" * 1_000_001 + "\n")
    one_line_error(sim111("run", str(big)), "big.toml: larger than 1 MB")
    csv = write(tmp_path / "h.csv", "date,calls\n" * 100)
    with pytest.raises(ScenarioError, match=r"h\.csv: larger than 0\.001 MB"):
        read_text(csv, "history file", max_bytes=1000)
    assert read_text(csv, "history file").count("\n") == 100  # the default limit is 100 MB


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 10_000 + "]" * 10_000,
        "a = " + "{b = " * 5_000 + "1" + "}" * 5_000,
        "a = " + "[" * 40 + "]" * 40,
        "[" + ".".join(["a"] * 40_000) + "]\nx = 1",
        ".".join(["a"] * 40_000) + " = 1",
    ],
    ids=["arrays", "inline-tables", "40-arrays", "table-header", "dotted-key"],
)
def test_deep_nesting_is_refused_quickly(tmp_path, text):
    path = write(tmp_path / "deep.toml", text + "\n")
    start = time.monotonic()
    proc = sim111("run", str(path))
    one_line_error(proc, "deep.toml", f"more than {MAX_NESTING}")
    assert time.monotonic() - start < 5


def test_the_nesting_limit_is_exact():
    at = "a = " + "[" * MAX_NESTING + "]" * MAX_NESTING
    assert nesting_depth(parse_toml(at, "x")) == MAX_NESTING
    with pytest.raises(ScenarioError, match="nested more than"):
        parse_toml("a = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "x")
    key = ".".join(["a"] * MAX_NESTING)
    assert nesting_depth(parse_toml(f"{key} = 1", "x")) == MAX_NESTING - 1
    with pytest.raises(ScenarioError, match="dotted key of more than"):
        parse_toml(f"a.{key} = 1", "x")
    assert parse_toml('"advisors.roster_scale" = [1.5, 2.5]\nip = "1.2.3.4"', "x")


def chain(folder: Path, files: int) -> Path:
    """``c0.toml`` extending ``c1.toml``... the last a copy of the typical area."""
    for k in range(files - 1):
        write(folder / f"c{k}.toml", f'extends = "c{k + 1}.toml"\n')
    shutil.copy(TYPICAL, folder / f"c{files - 1}.toml")
    return folder / "c0.toml"


def test_an_extends_chain_is_limited(tmp_path):
    longest = chain(tmp_path / "ok", MAX_EXTENDS)
    assert load_scenario(longest).demand.population == load_scenario(TYPICAL).demand.population
    proc = sim111("run", str(chain(tmp_path / "long", MAX_EXTENDS + 1)))
    one_line_error(proc, "c0.toml", f"'extends' chains more than {MAX_EXTENDS} files")


def test_a_nul_byte_in_extends_is_one_line(tmp_path):
    child = write(tmp_path / "child.toml", 'extends = "base\\u0000.toml"\n')
    one_line_error(sim111("run", str(child)), "child.toml: 'extends' is not a file name")
