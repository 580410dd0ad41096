"""A durable on-disk store of finished replications (SQLite, standard library).

Each replication is stored the moment it finishes, in its own transaction,
under a key hashing the scenario (as validated data), the seed, the
replication number and the sim111 version. Re-running a sweep against the
same store skips what is there; killing a run loses no finished replication.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from sim111.scenario import Scenario

BUSY_TIMEOUT_S = 60  # how long a writer waits for another's lock (several processes write)

SCHEMA = """
create table if not exists replications (
    key text primary key,
    scenario text not null,
    seed integer not null,
    replication integer not null,
    point text not null,
    kpis text not null,
    intervals blob not null,
    finished_utc text not null,
    periods blob
)
"""
# Added after the first stores were written: a store from before gets the column
# (empty), and its replications run again when read (sweep._stored_and_todo).
ADDED_COLUMNS = {"periods": "blob"}
COLUMNS = "key, scenario, seed, replication, point, kpis, intervals, finished_utc, periods"


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


MARKS = ",".join("?" * len(COLUMNS.split(",")))


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Add to a store written by an earlier version the columns it lacks."""
    have = {row[1] for row in db.execute("pragma table_info(replications)")}
    for name, kind in ADDED_COLUMNS.items():
        if name in have:
            continue
        try:
            db.execute(f"alter table replications add column {name} {kind}")
        except sqlite3.OperationalError as err:  # another process added it meanwhile
            if "duplicate column" not in str(err):
                raise


def _pack(frame: pd.DataFrame) -> bytes:
    # pickle keeps every float bit, so stored and fresh results compare equal;
    # the store is the user's own file, written and read by this package only.
    return zlib.compress(pickle.dumps(frame, protocol=5))


def _unpack(blob: bytes) -> pd.DataFrame:
    frame: pd.DataFrame = pickle.loads(zlib.decompress(blob))
    return frame


class ResultStore:
    """Finished replications in ``folder/results.sqlite``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "results.sqlite"
        with self._connect() as db:
            db.execute(SCHEMA)
            _add_missing_columns(db)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)

    def keys(self) -> set[str]:
        """Keys of every stored replication."""
        with self._connect() as db:
            return {row[0] for row in db.execute("select key from replications")}

    def put(
        self,
        key: str,
        scenario: str,
        seed: int,
        replication: int,
        point: dict[str, Any],
        kpis: dict[str, float],
        intervals: pd.DataFrame,
        periods: pd.DataFrame | None = None,
    ) -> None:
        """Store one finished replication (committed before returning)."""
        row = (
            key,
            scenario,
            seed,
            replication,
            canonical_json(point),
            json.dumps(kpis),
            _pack(intervals),
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            None if periods is None else _pack(periods),
        )
        with self._connect() as db:
            db.execute(f"insert or replace into replications ({COLUMNS}) values ({MARKS})", row)

    def get(self, key: str) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame | None] | None:
        """The KPIs, interval KPIs and period KPIs stored under ``key``, if any
        (period KPIs ``None`` if stored before they were)."""
        with self._connect() as db:
            row = db.execute(
                "select kpis, intervals, periods from replications where key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return json.loads(row[0]), _unpack(row[1]), None if row[2] is None else _unpack(row[2])

    def __len__(self) -> int:
        with self._connect() as db:
            return int(db.execute("select count(*) from replications").fetchone()[0])
