"""Checks of a result store's file before anything in it is read.

A store is an SQLite file that any SQL client can read. A file that is not one
(another format, a truncated copy), a database of something else, or a store
written by an older sim111 (whose results were pickled: loading them could run
code) is refused with a one-line :class:`~sim111.errors.ScenarioError` naming
the file and what is wrong. Nothing in a refused file is loaded.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sim111.errors import ScenarioError

MAGIC = b"SQLite format 3\x00"
FIX = "delete it or choose a new --store"


def refuse(path: Path, problem: str) -> ScenarioError:
    """The one-line error for a store file that cannot be used."""
    return ScenarioError(f"result store {path}: {problem}: {FIX}")


def check_header(path: Path) -> None:
    """Raise if ``path`` exists but is not a whole SQLite file (an empty file is fine)."""
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as file:
        head = file.read(100)
    if not head.startswith(MAGIC[: min(len(head), len(MAGIC))]) or size < len(MAGIC):
        raise refuse(path, "not an SQLite database (not a sim111 result store)")
    if len(head) < 100:
        raise refuse(path, f"truncated ({size} bytes, shorter than an SQLite header)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if page_size < 512 or size % page_size or (pages and size < pages * page_size):
        raise refuse(path, f"truncated or damaged ({size} bytes of {pages * page_size})")


def check_tables(path: Path, tables: dict[str, set[str]], meta: dict[str, str]) -> bool:
    """Raise unless ``tables`` (name: columns) are those of a store this version reads.

    Returns ``False`` for an empty database (a new store), ``True`` for a store.
    """
    from sim111.experiments.store_tables import FORMAT, FORMAT_NAME

    if not tables:
        return False
    if "store_meta" not in tables:
        if "replications" in tables and "intervals" in tables["replications"]:
            raise refuse(path, "was written by an older sim111 (pickled results)")
        names = ", ".join(sorted(tables)[:5])
        raise refuse(path, f"not a sim111 result store (it holds the tables {names})")
    if meta.get("format") != FORMAT_NAME:
        raise refuse(path, "not a sim111 result store (its store_meta names another format)")
    version = meta.get("version", "")
    if version != str(FORMAT):
        raise refuse(path, f"store format {version!r}; this sim111 reads format {FORMAT}")
    return True


def read_schema(db: sqlite3.Connection) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The tables of ``db`` with their columns, and the store_meta entries (if any)."""
    names = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
    tables = {
        name: {r[1] for r in db.execute(f"pragma table_info({quote(name)})")} for name in names
    }
    meta: dict[str, str] = {}
    if "store_meta" in tables and {"name", "value"} <= tables["store_meta"]:
        meta = {str(k): str(v) for k, v in db.execute("select name, value from store_meta")}
    return tables, meta


def quote(name: str) -> str:
    """``name`` as an SQL identifier (double quotes, inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'
