"""``--out DIR``: the whole folder replaced at once, never a folder sim111 did not write."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.cli.run import default_store
from sim111.errors import ScenarioError
from sim111.outputs import plots, swap
from sim111.outputs.folders import MARKER, check_out_folder, csv_writer, replace_folder
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"


def text_writer(text: str):
    return lambda p: p.write_text(text)


def broken(path):
    raise OSError("disk full")


def test_a_second_write_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "out"
    replace_folder(out, {"summary.csv": text_writer("old"), "calls.csv.gz": text_writer("x")})
    written = replace_folder(out, {"summary.csv": text_writer("new")})
    assert written == [out.resolve() / "summary.csv"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "summary.csv"]  # no stale calls
    assert (out / "summary.csv").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left


def test_a_failed_write_leaves_the_old_folder_and_no_staging(tmp_path):
    out = tmp_path / "out"
    replace_folder(out, {"summary.csv": text_writer("old"), "calls.csv.gz": text_writer("x")})
    with pytest.raises(OSError, match="disk full"):
        replace_folder(out, {"summary.csv": text_writer("new"), "calls.csv.gz": broken})
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "calls.csv.gz", "summary.csv"]
    assert (out / "summary.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    replace_folder(out, {"summary.csv": text_writer("old")})

    real = swap.os.rename

    def refuse_staging(src, dst):
        if ".staging-" in str(src):
            raise OSError("cross-device link")
        return real(src, dst)

    monkeypatch.setattr(swap.os, "rename", refuse_staging)
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)  # two renames, not one swap
    with pytest.raises(OSError, match="cross-device"):
        replace_folder(out, {"summary.csv": text_writer("new")})
    assert (out / "summary.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_unrelated_folders_files_and_the_current_folder_are_refused(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ScenarioError, match="did not write"):
        replace_folder(mine, {"summary.csv": text_writer("x")})
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(ScenarioError, match="not a folder"):
        check_out_folder(tmp_path / "file")
    with pytest.raises(ScenarioError, match="is a file, not a folder"):
        check_out_folder(tmp_path / "file" / "sub")
    monkeypatch.chdir(mine)
    with pytest.raises(ScenarioError, match="current folder"):
        check_out_folder(tmp_path)
    with pytest.raises(ScenarioError, match="replacing the folder would delete"):
        check_out_folder(tmp_path / "out", keep=[None, tmp_path / "out" / "store"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_out_folder(empty) == empty.resolve()  # empty: nothing to lose


def test_run_refuses_an_unrelated_folder_before_running(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    args = ["run", str(TYPICAL), "-n", "2", "--set", "run.days=1", "--out", str(mine)]
    proc = CliRunner().invoke(cli, args)
    assert proc.exit_code == 2
    assert "did not write" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_a_second_run_leaves_no_stale_calls_file(tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "figures", lambda result: {})  # drawing is not the point here
    out = tmp_path / "out"
    args = ["run", str(TYPICAL), "-n", "2", "--set", "run.days=1", "--out", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (out / "calls.csv.gz").exists()
    assert CliRunner().invoke(cli, [*args, "--no-records"]).exit_code == 0
    assert not (out / "calls.csv.gz").exists()
    assert (out / "summary.json").exists() and (out / MARKER).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_empty_frame_is_written_with_its_header(tmp_path):
    csv_writer(pd.DataFrame(), ["point", "replication", "error"])(tmp_path / "f.csv")
    frame = pd.read_csv(tmp_path / "f.csv")
    assert len(frame) == 0 and list(frame.columns) == ["point", "replication", "error"]


def test_a_sweep_without_store_leaves_nothing_in_the_current_folder(tmp_path, monkeypatch):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        f'name = "tiny"\nscenario = "{TYPICAL}"\nreplications = 1\n[grid]\n"run.days" = [1]\n'
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    proc = CliRunner().invoke(cli, ["sweep", str(sweep_file)])
    assert proc.exit_code == 0, proc.output
    assert list(work.iterdir()) == []
    assert default_store("tiny") == tmp_path / "cache" / "sim111" / "sweeps" / "tiny.store"
    assert (default_store("tiny") / "results.sqlite").exists()


def older_run(folder):
    """A folder as `sim111 run --out` wrote it before the marker (names and signatures)."""
    folder.mkdir()
    (folder / "summary.json").write_text(
        '{"scenario": "t", "replications": 2, "seed": 1, "kpis": {}}'
    )
    for name in ("scenario.json", "summary.csv", "report.html", "staff.png", "calls.csv.gz"):
        (folder / name).write_text("{}")
    return folder


def test_older_sim111_output_without_the_marker_is_replaced(tmp_path):
    run = older_run(tmp_path / "run")
    assert check_out_folder(run) == run.resolve()
    replace_folder(run, {"summary.csv": text_writer("new")})
    assert sorted(p.name for p in run.iterdir()) == [MARKER, "summary.csv"]
    compared = tmp_path / "cmp"
    compared.mkdir()
    (compared / "comparison.csv").write_text("scenario,kpi,baseline,mean,difference,ci_low\n")
    (compared / "comparison.png").write_bytes(b"png")
    assert check_out_folder(compared) == compared.resolve()
    swept = tmp_path / "sweep"
    swept.mkdir()
    for name in ("summary.csv", "intervals.csv", "failures.csv"):
        (swept / name).write_text("\n")
    (swept / "kpis_by_replication.csv").write_text("point,demand.scale,replication\n")
    assert check_out_folder(swept) == swept.resolve()


def test_older_output_holding_a_users_file_is_refused_and_kept(tmp_path):
    run = older_run(tmp_path / "run")
    (run / "my_analysis.csv").write_text("keep me")
    with pytest.raises(ScenarioError, match=r"looks like older sim111 output.*my_analysis\.csv"):
        replace_folder(run, {"summary.csv": text_writer("x")})
    assert (run / "my_analysis.csv").read_text() == "keep me"
    (run / "my_analysis.csv").unlink()
    (run / "notes").mkdir()  # a sub-folder is never sim111's
    with pytest.raises(ScenarioError, match=r"older sim111 output.*notes"):
        check_out_folder(run)


def test_only_sim111_signatures_make_a_folder_older_output(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.json").write_text('{"total": 3}')  # a user's own summary.json
    (mine / "scenario.json").write_text("{}")
    with pytest.raises(ScenarioError, match="did not write"):
        check_out_folder(mine)
    (mine / "summary.json").unlink()
    (mine / "comparison.csv").write_text("area,value\n")
    with pytest.raises(ScenarioError, match="did not write"):
        check_out_folder(mine)
