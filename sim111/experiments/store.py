"""A durable on-disk store of finished replications (SQLite, standard library).

Each replication is stored the moment it finishes, in its own transaction,
under a key hashing the scenario (as validated data), the seed, the
replication number and the sim111 version. Re-running a sweep against the
same store skips what is there; killing a run loses no finished replication.

Everything is kept in plain SQL tables (:mod:`~sim111.experiments.store_tables`)
that any SQLite client reads without sim111; nothing is pickled, so opening a
store someone sent runs no code from it. A file that is not such a store is
refused with a one-line error (:mod:`~sim111.experiments.store_file`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.errors import ScenarioError
from sim111.experiments import store_check, store_file, store_tables
from sim111.experiments.store_keys import LIBRARIES as LIBRARIES
from sim111.experiments.store_keys import canonical_json as canonical_json
from sim111.experiments.store_keys import json_default as json_default
from sim111.experiments.store_keys import library_version as library_version
from sim111.experiments.store_keys import point_keys as point_keys
from sim111.experiments.store_keys import replication_key as replication_key
from sim111.experiments.store_keys import replication_keys as replication_keys
from sim111.experiments.store_keys import scenario_sha256 as scenario_sha256
from sim111.experiments.store_keys import versions as versions
from sim111.scenario import Scenario

log = logging.getLogger(__name__)
Stored = tuple[dict[str, float], pd.DataFrame, pd.DataFrame | None]

BUSY_TIMEOUT_S = 60  # how long a writer waits for another's lock (several processes write)


class ResultStore:
    """Finished replications in ``folder/results.sqlite``, checked before reuse.

    Opening a file that is not a store of this format raises
    :class:`~sim111.errors.ScenarioError` (one line, naming the file); nothing
    in it is read. ``check`` says what a damaged file or a stored replication
    that fails its check (:mod:`~sim111.experiments.store_check`) leads to:
    ``"recompute"`` (one warning line; a damaged file is moved aside and a new
    store started, failed replications are computed again) or ``"stop"`` (a
    one-line :class:`~sim111.errors.ScenarioError`).
    """

    def __init__(self, folder: str | Path, check: str = "recompute") -> None:
        if check not in store_check.CHECKS:
            raise ValueError(f"check must be one of {store_check.CHECKS}, not {check!r}")
        self.folder, self.check = Path(folder), check
        self.path = self.folder / "results.sqlite"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ScenarioError(
                f"result store {self.folder}: cannot be made ({err.strerror or err}): "
                "choose another --store"
            ) from None
        if self.path.exists() and not self.path.is_file():
            raise store_file.refuse(self.path, "is not a file")
        if not os.access(self.folder, os.W_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            raise ScenarioError(f"result store {self.path}: is read-only: choose another --store")
        try:
            self._prepare()
        except store_file.Damaged as err:
            if check == "stop":
                raise store_file.refuse(self.path, str(err)) from None
            aside = store_check.move_aside(self.path)
            log.warning(
                "result store %s: %s: moved to %s; a new store is started and its "
                "replications will be recomputed",
                self.path,
                err,
                aside.name,
            )
            self._prepare()

    def _prepare(self) -> None:
        """Check the file (:class:`~sim111.experiments.store_file.Damaged` if it is
        damaged as a whole) and make the tables of a new store."""
        store_file.check_header(self.path)
        existed = self.path.exists() and self.path.stat().st_size > 0
        with self._open() as db:
            try:
                if existed:
                    store_file.check_pages(db)
                tables, meta = store_file.read_schema(db)
                if not store_file.check_tables(self.path, tables, meta):
                    with _transaction(db):  # a new store (another process may be making it)
                        tables, meta = store_file.read_schema(db)
                        if not store_file.check_tables(self.path, tables, meta):
                            for statement in store_tables.SCHEMA.split(";"):
                                db.execute(statement)
            except sqlite3.DatabaseError as err:
                if _refusal(self.path, err) is not None:
                    raise
                raise store_file.Damaged(f"damaged ({err})") from None

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        """A connection (autocommit; writes use :func:`_transaction`), closed after;
        a damaged, locked or read-only file's errors become one-line
        :class:`~sim111.errors.ScenarioError`."""
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as err:
            raise store_file.refuse(self.path, f"cannot be opened ({err})") from None
        try:
            yield db
        except sqlite3.DatabaseError as err:
            refusal = _refusal(self.path, err)
            raise refusal or store_file.refuse(self.path, f"damaged ({err})") from None
        finally:
            db.close()

    def keys(self) -> set[str]:
        """Keys of every stored replication."""
        with self._open() as db:
            return {row[0] for row in db.execute("select key from replications")}

    def put(
        self,
        key: str,
        scenario: str | Scenario,
        seed: int,
        replication: int,
        point: dict[str, Any],
        kpis: dict[str, float],
        intervals: pd.DataFrame,
        periods: pd.DataFrame | None = None,
        *,
        wall_s: float | None = None,
    ) -> None:
        """Store one finished replication and its provenance (committed before returning).

        ``scenario`` is the scenario (its name and hash are kept) or only its name;
        ``wall_s`` the replication's wall-clock time, if measured.
        """
        name = scenario if isinstance(scenario, str) else scenario.name
        digest = None if isinstance(scenario, str) else scenario_sha256(scenario.to_data())
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = None if periods is None else len(periods)
        found = versions()
        with self._open() as db, _transaction(db):
            store_tables.delete_key(db, key)
            db.execute(
                "insert into replications values (?, ?, ?, ?, ?, ?, ?, ?, '')",
                (key, name, seed, replication, canonical_json(point), now, len(intervals), rows),
            )
            db.executemany(
                "insert into kpis values (?, ?, ?, ?)",
                [(key, i, k, _number(v)) for i, (k, v) in enumerate(kpis.items())],
            )
            store_tables.write_frame(db, key, "intervals", intervals)
            if periods is not None:
                store_tables.write_frame(db, key, "periods", periods)
            db.execute(
                f"insert into provenance ({store_tables.PROVENANCE_COLUMNS}) "
                f"values ({','.join('?' * 15)})",
                (
                    key,
                    name,
                    digest,
                    seed,
                    replication,
                    wall_s,
                    found["sim111"],
                    found["python"],
                    *(found[lib] for lib in LIBRARIES),
                    platform.platform(),
                    now,
                ),
            )
            checked = store_check.checksum(db, key)  # of the rows as SQLite keeps them
            db.execute("update replications set checksum = ? where key = ?", (checked, key))

    def get(self, key: str) -> Stored | None:
        """The KPIs, interval KPIs and period KPIs stored under ``key``, if any and
        if they pass their check (period KPIs ``None`` if they were not stored)."""
        return self.load({key: None}).get(key)

    def load(self, wanted: Mapping[str, str | None]) -> dict[str, Stored]:
        """The stored results of the keys of ``wanted`` that are stored and pass their
        check, by key; ``wanted[key]`` is the SHA-256 of the scenario the caller would
        simulate (``None``: not compared).

        Those that fail (a checksum mismatch, other versions or scenario, malformed
        or unreadable rows) are told in one warning line naming the file and them,
        and left out (to be computed again); under ``check="stop"`` that line is a
        :class:`~sim111.errors.ScenarioError` instead.
        """
        found, results = versions(), {}
        problems: list[tuple[str, str]] = []
        with self._open() as db:
            for key, scenario_sha in wanted.items():
                label, why = key[:12], None
                try:
                    row = db.execute(
                        "select scenario, replication, point, intervals_rows, periods_rows, "
                        "checksum from replications where key = ?",
                        (key,),
                    ).fetchone()
                    if row is None:
                        continue
                    label = f"{row[0]} {row[2]} replication {row[1]}"
                    why = store_check.problem(db, key, row[5], scenario_sha, found)
                    if why is None:
                        results[key] = self._read(db, key, row[3], row[4])
                except (ValueError, TypeError) as err:
                    why = f"malformed values ({err})"
                except sqlite3.DatabaseError as err:
                    if _refusal(self.path, err) is not None:
                        raise
                    why = f"unreadable ({err})"
                if why is not None:
                    problems.append((label[:80], why[:120]))
        if problems:
            line = store_check.report(self.path, problems, self.check)
            if self.check == "stop":
                raise ScenarioError(line)
            log.warning("%s", line)
        return results

    @staticmethod
    def _read(
        db: sqlite3.Connection, key: str, intervals_rows: Any, periods_rows: Any
    ) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame | None]:
        listed = db.execute(
            "select kpi, value from kpis where key = ? order by position", (key,)
        ).fetchall()
        kpis = {str(k): float("nan") if v is None else _number(v) for k, v in listed}
        intervals = store_tables.read_frame(db, key, "intervals", int(intervals_rows))
        if periods_rows is None:
            return kpis, intervals, None
        return kpis, intervals, store_tables.read_frame(db, key, "periods", int(periods_rows))

    def provenance(self) -> pd.DataFrame:
        """The provenance table: one row per stored replication, oldest first."""
        with self._open() as db:
            cursor = db.execute("select * from provenance order by finished_utc, key")
            names = [d[0] for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=names)

    def __len__(self) -> int:
        with self._open() as db:
            return int(db.execute("select count(*) from replications").fetchone()[0])


def _number(value: Any) -> Any:
    """A KPI value as stored: an int or a float (numpy scalars as Python ones)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a KPI value must be a number, not {type(value).__name__}")
    return int(value) if isinstance(value, int) else float(value)


def _refusal(path: Path, err: sqlite3.DatabaseError) -> ScenarioError | None:
    """The one-line error of a store that is locked or read-only (``None``: neither)."""
    if "locked" in str(err):
        return ScenarioError(
            f"result store {path}: locked by another process for {BUSY_TIMEOUT_S} s: "
            "wait for it to finish or choose another --store"
        )
    if "readonly" in str(err) or "read-only" in str(err):
        return ScenarioError(f"result store {path}: is read-only: choose another --store")
    return None


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (taking the write lock at once), rolled back on error."""
    db.execute("begin immediate")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()
