"""Checks of a result store's file before anything in it is read.

A store is an SQLite file that any SQL client can read. A file that is not one
(another format, a truncated copy, a damaged page, a missing table) is
:class:`Damaged`: the store moves it aside or refuses it, as asked. A database
of something else, or a store written by another sim111 (an older one's results
were pickled: loading them could run code) is refused with a one-line
:class:`~sim111.errors.ScenarioError` naming the file and what is wrong
(:class:`OlderStore` for an older format). Nothing in a refused file is loaded.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sim111.errors import ScenarioError

MAGIC = b"SQLite format 3\x00"
FIX = "delete it or choose a new --store"


class Damaged(Exception):
    """The store file as a whole cannot be read (its message says why, in a few words)."""


class OlderStore(ScenarioError):
    """A store written by an older sim111, in a format this one does not read."""


def refuse(path: Path, problem: str) -> ScenarioError:
    """The one-line error for a store file that cannot be used."""
    return ScenarioError(f"result store {path}: {' '.join(problem.split())}: {FIX}")


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
        raise Damaged("not an SQLite database (not a sim111 result store)")
    if len(head) < 100:
        raise Damaged(f"truncated ({size} bytes, shorter than an SQLite header)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if page_size < 512 or size % page_size or (pages and size < pages * page_size):
        raise Damaged(f"truncated or damaged ({size} bytes of {pages * page_size})")


def check_pages(db: sqlite3.Connection) -> None:
    """Raise :class:`Damaged` unless SQLite finds every page of ``db`` well formed."""
    try:
        found = [str(r[0]) for r in db.execute("pragma quick_check(3)")]
    except sqlite3.DatabaseError as err:
        if "locked" in str(err):
            raise
        raise Damaged(f"damaged ({err})") from None
    if found != ["ok"]:  # SQLite's report has several lines: one line of it
        said = " ".join(" ".join(found).replace("*** in database main ***", "").split())
        raise Damaged(f"damaged ({said[:120]})")


def check_tables(path: Path, tables: dict[str, set[str]], meta: dict[str, str]) -> bool:
    """Raise unless ``tables`` (name: columns) are those of a store this version reads.

    Returns ``False`` for an empty database (a new store), ``True`` for a store.
    """
    from sim111.experiments.store_tables import FORMAT, FORMAT_NAME, TABLES

    if not tables:
        return False
    if "store_meta" not in tables:
        if "replications" in tables and "intervals" in tables["replications"]:
            raise OlderStore(str(refuse(path, "was written by an older sim111 (pickled results)")))
        names = ", ".join(sorted(tables)[:5])
        raise refuse(path, f"not a sim111 result store (it holds the tables {names})")
    if meta.get("format") != FORMAT_NAME:
        raise refuse(path, "not a sim111 result store (its store_meta names another format)")
    version = meta.get("version", "")
    if version.isdigit() and int(version) < FORMAT:
        problem = (
            f"was written by an older sim111 (store format {version}; this one reads {FORMAT})"
        )
        raise OlderStore(str(refuse(path, problem)))
    if version != str(FORMAT):
        raise refuse(path, f"store format {version!r}; this sim111 reads format {FORMAT}")
    missing = sorted(set(TABLES) - set(tables))
    if missing:
        raise Damaged(
            f"damaged (its table{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing)"
        )
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


def is_older(path: Path) -> bool:
    """Whether ``path`` is a whole store written by an older sim111 (nothing in it is loaded)."""
    try:
        check_header(path)
        if not path.is_file() or path.stat().st_size == 0:
            return False
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables, meta = read_schema(db)
        finally:
            db.close()
        check_tables(path, tables, meta)
    except OlderStore:
        return True
    except (Damaged, ScenarioError, sqlite3.Error, OSError):
        return False
    return False
