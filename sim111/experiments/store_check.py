"""Checks of a result store's rows before they are reused (issue 20).

Every stored replication carries a SHA-256 of its content: its rows in every
table (KPIs, frame columns, interval and period rows) and its provenance (the
versions and the scenario hash that produced it). Before a stored replication
is reused, :func:`problem` recomputes that checksum from what is in the file
and compares the provenance with this run's versions and scenario; a
replication that fails is reported (one line for all of them,
:func:`report`) and computed again, or (``--store-check stop``) the run stops
with that line as its error. A store whose file as a whole is damaged is
moved aside (:func:`move_aside`) and a new one started, or the run stops.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim111.experiments.store_file import is_older, quote
from sim111.experiments.store_tables import FRAMES, PROVENANCE_COLUMNS

CHECKS = ("recompute", "stop")  # what a failed check does: recompute them, or stop the run
# The provenance columns that must match this run for a stored result to be reused.
MATCHED = ("sim111", "numpy", "scipy", "simpy", "pandas", "holidays")
SHOWN = 4  # replications named in the one-line report (then "and N more")
log = logging.getLogger(__name__)


def _feed(digest: Any, label: str, rows: Iterable[Sequence[Any]]) -> None:
    """Hash ``rows`` as their Python values (types kept: 1, 1.0 and '1' differ)."""
    digest.update(label.encode())
    for row in rows:
        digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
        digest.update(b"\n")


def checksum(db: sqlite3.Connection, key: str) -> str:
    """SHA-256 of everything stored under ``key`` but the checksum itself."""
    digest = hashlib.sha256()
    one = (key,)
    _feed(
        digest,
        "replications",
        db.execute(
            "select key, scenario, seed, replication, point, finished_utc, intervals_rows, "
            "periods_rows from replications where key = ?",
            one,
        ),
    )
    _feed(
        digest,
        "kpis",
        db.execute("select position, kpi, value from kpis where key = ? order by position", one),
    )
    columns = db.execute(
        "select frame, position, name, dtype from frame_columns where key = ? "
        "order by frame, position",
        one,
    ).fetchall()
    _feed(digest, "frame_columns", columns)
    for frame in FRAMES:
        names = ",".join(["row", *(quote(str(c[2])) for c in columns if c[0] == frame)])
        rows = db.execute(f"select {names} from {frame} where key = ? order by row", one)
        _feed(digest, frame, rows)
    _feed(
        digest,
        "provenance",
        db.execute(f"select {PROVENANCE_COLUMNS} from provenance where key = ?", one),
    )
    return digest.hexdigest()


def problem(
    db: sqlite3.Connection,
    key: str,
    stored_checksum: Any,
    scenario_sha256: str | None,
    found: Mapping[str, str | None],
) -> str | None:
    """Why the replication stored under ``key`` must not be reused, or ``None``.

    ``scenario_sha256`` is the hash of the scenario this run would simulate
    (``None``: not checked); ``found`` this run's versions.
    """
    if not isinstance(stored_checksum, str) or checksum(db, key) != stored_checksum:
        return "checksum mismatch"
    listed = ", ".join(("scenario_sha256", *MATCHED))
    row = db.execute(f"select {listed} from provenance where key = ?", (key,)).fetchone()
    if scenario_sha256 is not None and row[0] != scenario_sha256:
        return "made from another scenario (its hash differs)"
    for name, value in zip(MATCHED, row[1:], strict=True):
        if value != found.get(name):
            return f"made with {name} {value} (this run has {found.get(name)})"
    return None


def report(path: Path, problems: Sequence[tuple[str, str]], check: str) -> str:
    """One line naming the store file and the replications that failed their check.

    ``problems`` lists (replication, why); ``check`` says what happens to them.
    """
    named = " ".join("; ".join(f"{what}: {why}" for what, why in problems[:SHOWN]).split())
    if len(problems) > SHOWN:
        named += f"; and {len(problems) - SHOWN} more"
    count = f"{len(problems)} stored replication{'s' if len(problems) != 1 else ''}"
    if check == "stop":
        return (
            f"result store {path}: {count} failed the check ({named}): "
            "use --store-check recompute to compute them again, or a new --store"
        )
    return f"result store {path}: {count} failed the check and will be recomputed ({named})"


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")


def move_aside(path: Path) -> Path:
    """Rename a damaged store file (and its journal) to ``<name>.damaged-<UTC time>``."""
    aside = path.with_name(f"{path.name}.damaged-{_stamp()}")
    for suffix in ("-journal", "-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + suffix))
    path.rename(aside)
    return aside


def retire_older(folder: Path) -> Path | None:
    """Rename the store ``folder`` to ``<name>.old-<UTC time>`` if it holds a store
    written by an older sim111 (one warning line); the new folder aside, else ``None``.

    Only for a store in a place sim111 chose (a sweep's default store in the cache
    folder): a store the user named with ``--store`` is refused instead.
    """
    if not is_older(folder / "results.sqlite"):
        return None
    aside = folder.with_name(f"{folder.name}.old-{_stamp()}")
    folder.rename(aside)
    log.warning(
        "result store %s was written by an older sim111: moved to %s; a new store is started",
        folder,
        aside.name,
    )
    return aside
