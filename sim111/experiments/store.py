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
import hashlib
import json
import platform
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.experiments import store_file, store_tables
from sim111.scenario import Scenario

BUSY_TIMEOUT_S = 60  # how long a writer waits for another's lock (several processes write)

# The libraries whose versions can change a result (the engine, its draws, its tables).
LIBRARIES = ("numpy", "scipy", "simpy", "pandas", "holidays")


def json_default(obj: Any) -> Any:
    """JSON for values json cannot write itself: dates as ISO strings."""
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def canonical_json(data: Any) -> str:
    """Stable JSON text (sorted keys, dates as ISO strings)."""
    return json.dumps(data, sort_keys=True, default=json_default, separators=(",", ":"))


def replication_key(scenario: Scenario, seed: int, replication: int) -> str:
    """The store key of one replication: a hash of what determines its result."""
    return replication_keys(scenario, seed, [replication])[0]


def replication_keys(scenario: Scenario, seed: int, replications: Iterable[int]) -> list[str]:
    """:func:`replication_key` of several replications, serialising the scenario once.

    The hashed text is exactly ``canonical_json`` of ``{"replication", "scenario",
    "seed", "v"}``, assembled from its sorted parts.
    """
    from sim111.version import __version__

    scenario_json = canonical_json(scenario.to_data())
    tail = f',"scenario":{scenario_json},"seed":{canonical_json(seed)},"v":'
    tail += canonical_json(__version__) + "}"
    return [
        hashlib.sha256(f'{{"replication":{canonical_json(r)}{tail}'.encode()).hexdigest()
        for r in replications
    ]


def scenario_sha256(data: Any) -> str:
    """SHA-256 of a scenario's canonical JSON (sorted keys, dates as ISO strings): the
    same on every machine for the same validated scenario."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def library_version(package: str) -> str | None:
    """The installed version of ``package``, or ``None``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """sim111's, Python's and :data:`LIBRARIES`' versions."""
    from sim111.version import __version__

    found = {"sim111": __version__, "python": platform.python_version()}
    return {**found, **{name: library_version(name) for name in LIBRARIES}}


class ResultStore:
    """Finished replications in ``folder/results.sqlite``.

    Opening a file that is not a store of this format raises
    :class:`~sim111.errors.ScenarioError` (one line, naming the file); nothing
    in it is read.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "results.sqlite"
        store_file.check_header(self.path)
        with self._open() as db:
            tables, meta = store_file.read_schema(db)
            if not store_file.check_tables(self.path, tables, meta):
                with _transaction(db):  # a new store (another process may be making it too)
                    tables, meta = store_file.read_schema(db)
                    if not store_file.check_tables(self.path, tables, meta):
                        for statement in store_tables.SCHEMA.split(";"):
                            db.execute(statement)

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        """A connection (autocommit; writes use :func:`_transaction`), closed after;
        a damaged file's errors become one-line :class:`~sim111.errors.ScenarioError`."""
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as err:
            raise store_file.refuse(self.path, f"cannot be opened ({err})") from None
        try:
            yield db
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise
            raise store_file.refuse(self.path, f"damaged ({err})") from None
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
                "insert into replications values (?, ?, ?, ?, ?, ?, ?, ?)",
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

    def get(self, key: str) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame | None] | None:
        """The KPIs, interval KPIs and period KPIs stored under ``key``, if any
        (period KPIs ``None`` if they were not stored)."""
        with self._open() as db:
            row = db.execute(
                "select intervals_rows, periods_rows from replications where key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            try:
                return self._read(db, key, row[0], row[1])
            except (ValueError, TypeError) as err:
                raise store_file.refuse(self.path, f"damaged ({err})") from None

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
