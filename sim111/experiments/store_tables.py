"""The result store's tables: plain SQL any SQLite client reads without sim111.

``replications`` (one row per replication: scenario, seed, swept point as JSON,
a SHA-256 of everything stored for it: :mod:`~sim111.experiments.store_check`),
``kpis`` (key, position, kpi, value), ``intervals`` and ``periods`` (one row per
row of the frame, one typed column per column: REAL, INTEGER, ISO-8601 TEXT for
times, TEXT), ``frame_columns`` (each frame's columns in order with their pandas
dtype, so a frame reads back identical: float bits, NaN as NULL, bools, times,
strings), ``provenance`` (versions, scenario hash, seed, wall time) and
``store_meta`` (the format). Nothing is pickled.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sim111.experiments.store_file import quote

FORMAT_NAME = "sim111-result-store"
# 1: the pickled stores of sim111 <= 0.7 (refused, never read); 2: no checksums (refused)
FORMAT = 3
TABLES = (
    "store_meta",
    "replications",
    "kpis",
    "frame_columns",
    "intervals",
    "periods",
    "provenance",
)
FRAMES = ("intervals", "periods")
RESERVED = {"key", "row"}
DTYPE = re.compile(
    r"(float|int|uint)(8|16|32|64)|bool|datetime64\[(s|ms|us|ns)\]|str|string|object"
)
PROVENANCE_COLUMNS = (
    "key, scenario, scenario_sha256, seed, replication, wall_s, sim111, python, "
    "numpy, scipy, simpy, pandas, holidays, platform, finished_utc"
)

SCHEMA = f"""
create table if not exists store_meta (name text primary key, value text not null);
create table if not exists replications (
    key text primary key, scenario text not null, seed integer not null,
    replication integer not null, point text not null, finished_utc text not null,
    intervals_rows integer not null, periods_rows integer, checksum text not null
);
create table if not exists kpis (
    key text not null, position integer not null, kpi text not null, value,
    primary key (key, position)
);
create table if not exists frame_columns (
    key text not null, frame text not null, position integer not null,
    name text not null, dtype text not null, primary key (key, frame, position)
);
create table if not exists intervals (key text not null, row integer not null,
    primary key (key, row));
create table if not exists periods (key text not null, row integer not null,
    primary key (key, row));
create table if not exists provenance (
    key text primary key, scenario text not null, scenario_sha256 text, seed integer not null,
    replication integer not null, wall_s real, sim111 text not null, python text not null,
    numpy text, scipy text, simpy text, pandas text, holidays text, platform text,
    finished_utc text not null
);
insert or ignore into store_meta values ('format', '{FORMAT_NAME}'), ('version', '{FORMAT}');
"""


def sql_type(dtype: Any) -> str:
    """The SQLite column type of a pandas dtype (ValueError for one not stored)."""
    name = str(dtype)
    if not DTYPE.fullmatch(name):
        raise ValueError(f"the result store cannot keep a column of dtype {name}")
    kind = np.dtype(object).kind if name in ("str", "string") else np.dtype(name).kind
    return {"f": "REAL", "i": "INTEGER", "u": "INTEGER", "b": "INTEGER"}.get(kind, "TEXT")


def sql_values(column: pd.Series) -> list[Any]:
    """The values of ``column`` as SQLite stores them (NaN, NaT and None as NULL)."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else "O"
    if kind == "M":
        unit = np.datetime_data(column.dtype)[0]
        text = np.datetime_as_string(column.to_numpy(), unit=unit)  # type: ignore[call-overload]
        return [None if t == "NaT" else t for t in text.tolist()]
    if kind in "fiub":
        return list(column.to_numpy().tolist())
    values = column.to_numpy(dtype=object)
    out: list[Any] = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        else:
            raise ValueError(f"column {column.name!r}: the store keeps text, not {type(v)}")
    return out


def frame_values(name: str, dtype: str, values: list[Any]) -> Any:
    """The column ``name`` of pandas dtype ``dtype`` from the values SQLite returned."""
    if not DTYPE.fullmatch(dtype):
        raise ValueError(f"column {name!r} has an unknown dtype {dtype!r}")
    if dtype in ("str", "string", "object"):
        if not all(v is None or isinstance(v, str) for v in values):
            raise ValueError(f"column {name!r} holds values that are not text")
        return pd.array(values, dtype=object if dtype == "object" else dtype)
    if dtype.startswith("datetime64"):
        return np.array(["NaT" if v is None else _text(name, v) for v in values], dtype=dtype)
    if dtype.startswith("float"):
        return np.array([np.nan if v is None else _number(name, v) for v in values], dtype=dtype)
    numbers = np.array([_number(name, v) for v in values], dtype=np.int64)
    return numbers.astype(dtype)


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"column {name!r} holds {type(value).__name__}, not a number")
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"column {name!r} holds {type(value).__name__}, not a time")
    return value


def write_frame(db: sqlite3.Connection, key: str, table: str, frame: pd.DataFrame) -> None:
    """Insert ``frame``'s rows and its column list under ``key`` (inside a transaction)."""
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise ValueError(f"{table}: the result store keeps frames with a default index")
    names = [str(c) for c in frame.columns]
    if names != list(frame.columns) or len({n.lower() for n in names} | RESERVED) != len(
        names
    ) + len(RESERVED):
        raise ValueError(f"{table}: column names must be distinct text, not {sorted(RESERVED)}")
    have = {r[1].lower(): r[2] for r in db.execute(f"pragma table_info({table})")}
    for name in names:
        kind = sql_type(frame[name].dtype)
        if name.lower() not in have:
            db.execute(f"alter table {table} add column {quote(name)} {kind}")
        elif (have[name.lower()] == "TEXT") != (kind == "TEXT"):
            raise ValueError(f"{table}: column {name!r} is {have[name.lower()]} in this store")
    db.executemany(
        "insert into frame_columns values (?, ?, ?, ?, ?)",
        [(key, table, i, n, str(frame[n].dtype)) for i, n in enumerate(names)],
    )
    columns = [sql_values(frame[n]) for n in names]
    marks = ",".join("?" * (len(names) + 2))
    listed = ",".join(["key", "row", *map(quote, names)])
    rows: Iterable[tuple[Any, ...]] = zip(
        [key] * len(frame), range(len(frame)), *columns, strict=True
    )
    db.executemany(f"insert into {table} ({listed}) values ({marks})", rows)


def read_frame(db: sqlite3.Connection, key: str, table: str, length: int) -> pd.DataFrame:
    """The frame stored by :func:`write_frame` (ValueError if the store was tampered with)."""
    listed = db.execute(
        "select name, dtype from frame_columns where key = ? and frame = ? order by position",
        (key, table),
    ).fetchall()
    if not listed:
        return pd.DataFrame(index=pd.RangeIndex(length))
    select = ",".join(quote(str(n)) for n, _ in listed)
    rows = db.execute(f"select {select} from {table} where key = ? order by row", (key,))
    values = list(zip(*rows.fetchall(), strict=True)) or [() for _ in listed]
    if len(values[0]) != length:
        raise ValueError(f"{table}: {len(values[0])} rows stored, {length} expected")
    index = pd.RangeIndex(length)
    data = {  # Series keep their dtype (an object column of text is not inferred as str)
        str(n): pd.Series(frame_values(str(n), str(d), list(v)), index=index, dtype=str(d))
        for (n, d), v in zip(listed, values, strict=True)
    }
    return pd.DataFrame(data, index=index)


def delete_key(db: sqlite3.Connection, key: str) -> None:
    """Remove everything stored under ``key`` (before it is stored again)."""
    for table in ("replications", "kpis", "frame_columns", *FRAMES, "provenance"):
        db.execute(f"delete from {table} where key = ?", (key,))
