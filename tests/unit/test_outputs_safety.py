"""Issue 20's output side: names are not paths, --out/--store are tried before simulating,
JSON has no Infinity, user text is not mathtext, failure lines name the swept keys."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim111.cli.run as run_module
from sim111.cli import cli
from sim111.cli.run import default_store, report_failures
from sim111.experiments.replications import run_experiment
from sim111.outputs import folders, swap
from sim111.outputs.files import result_json, write_outputs
from sim111.outputs.folders import MARKER, replace_folder, slug
from sim111.outputs.jsonsafe import json_text
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"
HOSTILE = ("/../../x", "../../etc/passwd", "..", "a/b\\c", "", ".hidden", "A$x$ \\frac")


def strict_json(text: str):
    def refuse(word: str):
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_becomes_one_safe_file_name(name, tmp_path, monkeypatch):
    made = slug(name)
    assert made and "/" not in made and "\\" not in made and not made.startswith(".")
    assert set(made) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = default_store(name)
    assert store.parent == tmp_path / "cache" / "sim111" / "sweeps"  # nowhere else
    monkeypatch.chdir(tmp_path)
    folder = (tmp_path / f"staffed-{slug(name)}").resolve()
    assert folder.parent == tmp_path.resolve()  # what `sim111 staff` writes without --out


def test_slugs_keep_ordinary_names():
    assert slug("typical-area") == "typical-area"
    assert slug("Easter 2013 (backlog)") == "Easter-2013-backlog"
    assert slug("x" * 200) == "x" * 64


@pytest.mark.parametrize("out", ["/sys/x", "/proc/x", "{file}/x"])
def test_an_unwritable_out_is_one_line_before_simulating(out, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("mine")
    out = out.format(file=tmp_path / "file")

    def must_not_run(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(run_module, "run_experiment", must_not_run)
    got = CliRunner().invoke(cli, ["run", str(TYPICAL), "-n", "2", "--out", out])
    assert got.exit_code == 2, got.output
    assert got.output.startswith(f"error: --out {out}") and got.output.count("\n") == 1
    assert (tmp_path / "file").read_text() == "mine"


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_an_unwritable_store_is_one_line_before_simulating(command, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("simulated before checking --store")

    monkeypatch.setattr(run_module, "run_experiment", must_not_run)
    monkeypatch.setattr(run_module, "run_sweep", must_not_run)
    file = TYPICAL if command == "run" else SCENARIOS / "sweeps" / "advisors-x-surge.toml"
    got = CliRunner().invoke(cli, [command, str(file), "-n", "2", "--store", "/sys/x.store"])
    assert got.exit_code == 2, got.output
    assert got.output == "error: --store /sys/x.store: cannot write in /sys: " + (
        "Operation not permitted\n"
    )


def test_json_text_writes_non_finite_numbers_as_null():
    data = {"a": math.inf, "b": [np.float64("nan"), -math.inf, 1.5], "c": (np.int64(3),)}
    assert strict_json(json_text(data)) == {"a": None, "b": [None, None, 1.5], "c": [3]}


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(TYPICAL).with_overrides({"run.days": 1})
    return run_experiment(scenario, replications=2, seed=3)


def test_infinite_kpis_are_null_in_summary_json_and_format_json(result, tmp_path):
    summary = result.summary.copy()
    summary.loc["answered_within_60s", ["mean", "ci_high"]] = [math.inf, -math.inf]
    infinite = dataclasses.replace(result, summary=summary)
    write_outputs(infinite, tmp_path / "out", xlsx=False)
    written = strict_json((tmp_path / "out" / "summary.json").read_text())
    kpi = written["kpis"]["answered_within_60s"]
    assert kpi["mean"] is None and kpi["ci_high"] is None
    assert kpi["ci_low"] == pytest.approx(summary.loc["answered_within_60s", "ci_low"])
    for name in ("provenance.json", "scenario.json"):
        strict_json((tmp_path / "out" / name).read_text())
    assert strict_json(json_text(result_json(infinite)))["kpis"] == written["kpis"]


def test_names_with_dollars_are_drawn_as_written(result, tmp_path):
    # each is a mathtext error were it parsed (names may not hold a backslash)
    name = "A $x_$ {$"
    scenario = result.scenario
    clinical = scenario.clinical
    priorities = tuple(
        dataclasses.replace(p, name=f"{p.name} $x^{{{i}$")
        for i, p in enumerate(clinical.priorities)
    )
    odd = dataclasses.replace(
        scenario, name=name, clinical=dataclasses.replace(clinical, priorities=priorities)
    )
    written = write_outputs(dataclasses.replace(result, scenario=odd), tmp_path / "out", xlsx=False)
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) >= 5 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    assert name in (tmp_path / "out" / "report.html").read_text() or "A $x_$" in (
        tmp_path / "out" / "report.html"
    ).read_text().replace("&#x27;", "'")


def test_failure_lines_name_the_swept_keys(capsys):
    failures = pd.DataFrame(
        [
            {
                "point": 1,
                "advisors.count": 18,
                "demand.scale": 1.2,
                "replication": 0,
                "seed": 7,
                "error": "ValueError: boom\nmore",
            }
        ]
    )
    report_failures(failures)
    err = capsys.readouterr().err
    assert err == (
        "error: replication failed {'point': 1, 'advisors.count': 18, 'demand.scale': 1.2, "
        "'replication': 0, 'seed': 7}: ValueError: boom\n"
    )


def dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid -= 1


def test_a_later_run_removes_staging_folders_of_killed_runs(tmp_path):
    out = tmp_path / "out"
    replace_folder(out, {"a.csv": lambda p: p.write_text("old")})
    dead = dead_pid()
    for name in (f".out.staging-{dead}-0123abcd", f".out.old-{dead}-4567abcd"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "half.csv").write_text("x")
    live = tmp_path / f".out.staging-{os.getppid()}-89abcdef"  # another live run's: kept
    live.mkdir()
    replace_folder(out, {"a.csv": lambda p: p.write_text("new")})
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "out"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.csv"]


def test_a_run_killed_between_its_renames_gets_its_old_folder_back(tmp_path):
    out = tmp_path / "out"
    replace_folder(out, {"a.csv": lambda p: p.write_text("old")})
    os.rename(out, tmp_path / f".out.old-{dead_pid()}-0123abcd")  # killed: out missing
    assert swap.remove_stale(out)
    assert (out / "a.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_sigint_in_a_held_block_comes_after_it():
    came = []
    with pytest.raises(KeyboardInterrupt), swap.signals_held():
        signal.raise_signal(signal.SIGINT)
        came.append("finished the block")
    assert came == ["finished the block"]


def test_the_writable_probe_leaves_nothing_when_a_signal_comes_during_it(tmp_path, monkeypatch):
    made = []

    def new_folder_then_ctrl_c(target, what):
        made.append(swap.new_folder(target, what))
        signal.raise_signal(signal.SIGINT)  # between mkdir and rmdir
        return made[-1]

    monkeypatch.setattr(folders, "new_folder", new_folder_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        folders.check_writable(tmp_path, "--out x")
    assert made and list(tmp_path.iterdir()) == []


def test_a_probe_left_by_a_killed_run_is_removed_by_the_next_check(tmp_path):
    left = tmp_path / f".{folders.PROBE}.staging-{dead_pid()}-0123abcd"  # SIGKILLed mid-probe
    left.mkdir()
    live = tmp_path / f".{folders.PROBE}.staging-{os.getppid()}-89abcdef"  # probing now
    live.mkdir()
    folders.check_out_folder(tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir()] == [live.name]


def test_writing_files_says_a_failure_in_one_line_naming_what_was_given(tmp_path):
    from sim111.errors import ScenarioError
    from sim111.outputs.atomic import write_files

    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(ScenarioError, match=r"^--out taken: exists and is not a folder$"):
        write_files(tmp_path / "taken", {"a.csv": lambda p: p.write_text("x")}, given="taken")

    def full(path):
        raise OSError(28, "No space left on device")

    with pytest.raises(ScenarioError, match=r"^--store s: cannot write: No space left on device$"):
        write_files(tmp_path / "new", {"a.csv": full}, option="--store", given="s")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # nothing half-written
