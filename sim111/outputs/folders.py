"""Output folders: ``--out DIR`` replaced as a whole, and never a folder sim111 did not write.

A command writes every file into a staging folder beside ``DIR`` and, only when
all are complete, swaps it for ``DIR``: the old results go as one, so no file of
an earlier run (a ``calls.csv.gz`` the new run did not write) is left beside the
new ones, and a failure leaves the old folder as it was and no staging folder.

A folder sim111 writes holds a marker file (:data:`MARKER`). ``DIR`` is replaced
only if it is missing, empty or holds that marker: a user's own folder named by
mistake is refused (:func:`check_out_folder`), never deleted.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from sim111.errors import ScenarioError
from sim111.version import __version__

MARKER = ".sim111-output"
MARKER_TEXT = (
    f"Written by sim111 {__version__}. A command given --out this folder replaces all of it.\n"
)

Writers = dict[str, Callable[[Path], object]]


def check_out_folder(out: str | Path, keep: Iterable[str | Path | None] = ()) -> Path:
    """The resolved ``--out`` folder, if sim111 may replace it; else :class:`ScenarioError`.

    Refused: a file (or a path under one); the current folder or one holding it; a non-empty folder
    without :data:`MARKER` (not written by sim111); a folder holding one of
    ``keep`` (e.g. the ``--store``), which replacing it would delete.
    """
    given = Path(out)
    if given.exists() and not given.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    target = given.resolve()
    existing = next(p for p in target.parents if p.exists())
    if not existing.is_dir():
        raise ScenarioError(f"--out {out}: {existing} is a file, not a folder")
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise ScenarioError(
            f"--out {out}: is the current folder or holds it; name a folder of its own"
        )
    for other in keep:
        if other is not None and target in (Path(other).resolve(), *Path(other).resolve().parents):
            raise ScenarioError(
                f"--out {out}: holds {other}, which replacing the folder would delete; "
                "keep them apart"
            )
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        raise ScenarioError(
            f"--out {out}: is a non-empty folder sim111 did not write (no {MARKER} file); "
            "name a new or empty folder, or remove this one yourself"
        )
    return target


def replace_folder(out: str | Path, writers: Writers) -> list[Path]:
    """Write each ``name`` with ``writers[name](path)``, then swap the lot in as ``out``.

    All or nothing: the files and :data:`MARKER` are written to a staging folder
    beside ``out``; the old ``out`` (checked by :func:`check_out_folder`) is moved
    aside, the staging folder renamed to ``out`` and the old one deleted. On any
    failure the old folder stays (or is put back) and the staging folder is
    removed. Returns the paths written (without the marker).
    """
    target = check_out_folder(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_folder(target, "staging")
    old: Path | None = None
    try:
        for name, write in writers.items():
            write(staging / name)
        (staging / MARKER).write_text(MARKER_TEXT)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
            os.rename(target, old)
        try:
            os.rename(staging, target)
        except OSError:
            if old is not None:
                os.rename(old, target)  # put the old results back
                old = None
            raise
        return [target / name for name in writers]
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # already gone after the swap
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _new_folder(target: Path, what: str) -> Path:
    """A new, hidden folder beside ``target`` (created here: never someone else's)."""
    while True:
        path = target.with_name(f".{target.name}.{what}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def csv_writer(frame: pd.DataFrame, columns: list[str]) -> Callable[[Path], object]:
    """A writer of ``frame`` as CSV (no index); with no columns, a header of ``columns``.

    An empty frame without columns (no failures in a sweep) would be written as a
    lone newline that ``pandas.read_csv`` cannot read; this writes its header row.
    """
    shown = frame if len(frame.columns) else pd.DataFrame(columns=columns)
    return lambda path: shown.to_csv(path, index=False)
