"""An older sim111's store in the default cache folder is moved aside; a named one is refused.

``sim111 sweep`` without ``--store`` keeps its replications in the user's cache
folder, a place sim111 chose: a store there in an older format (pickled, or
without checksums) is renamed ``NAME.store.old-<time>`` with one warning line
and a new store started. A store the user named with ``--store`` is still refused.
"""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from sim111.cli import cli
from sim111.cli.run import default_store
from sim111.experiments.store import ResultStore
from tests.conftest import SCENARIOS
from tests.unit.test_store_safety import old_store


def format_2_store(folder):
    """A store as written before checksums (format 2): refused, never read."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "results.sqlite") as db:
        db.execute("create table store_meta (name text primary key, value text not null)")
        db.execute(
            "insert into store_meta values ('format', 'sim111-result-store'), ('version', '2')"
        )
        db.execute("create table replications (key text primary key)")
    db.close()
    return folder


def sweep_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(
        f'name = "tiny"\nscenario = "{(SCENARIOS / "typical-area.toml").as_posix()}"\n'
        'replications = 2\nseed = 4\n[grid]\n"run.days" = [1]\n',
        encoding="utf-8",
    )
    return path


def test_an_older_default_store_is_moved_aside_and_a_new_one_started(
    tmp_path, monkeypatch, sim111_log
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    sweeps = tmp_path / "cache" / "sim111" / "sweeps"
    for make in (lambda f: old_store(f, tmp_path / "pwned"), format_2_store):
        sim111_log.clear()
        folder = default_store("tiny")
        assert folder.parent == sweeps
        sweeps.mkdir(parents=True, exist_ok=True)
        make(folder)
        before = sorted(p.name for p in sweeps.glob("tiny.store.old-*"))
        result = CliRunner().invoke(cli, ["sweep", str(sweep_file(tmp_path))])
        assert result.exit_code == 0, result.output
        moved = sorted(p.name for p in sweeps.glob("tiny.store.old-*"))
        assert len(moved) == len(before) + 1
        new = (set(moved) - set(before)).pop()
        assert (sweeps / new / "results.sqlite").exists()  # kept, not deleted
        told = [r.getMessage() for r in sim111_log.records if "older sim111" in r.getMessage()]
        assert len(told) == 1 and new in told[0] and "\n" not in told[0]
        assert len(ResultStore(folder).keys()) == 2  # the new store holds this sweep
        folder.rename(sweeps / f"done-{len(moved)}")
    assert not (tmp_path / "pwned").exists()


def test_an_older_store_named_with_store_is_still_refused(tmp_path):
    folder = format_2_store(tmp_path / "mine")
    result = CliRunner().invoke(cli, ["sweep", str(sweep_file(tmp_path)), "--store", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "older sim111 (store format 2; this one reads 3)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "tiny.toml"]
