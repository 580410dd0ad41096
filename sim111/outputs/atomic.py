"""Files written all or nothing into a folder that may be the user's own.

:func:`write_atomically` is how every command but ``run``/``compare``/``sweep --out``
(whose folder is replaced whole, :func:`~sim111.outputs.folders.replace_folder`)
writes: ``calibrate``, ``price``, ``contracts``, ``staff``, ``fit`` and ``schema``.
:func:`write_files` and :func:`write_text_file` say a failure in one line naming the
option, as every input problem is said (:class:`~sim111.errors.ScenarioError`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sim111.errors import ScenarioError
from sim111.outputs.swap import new_folder, remove_stale, signals_held

Writers = dict[str, Callable[[Path], object]]


def write_atomically(out_dir: str | Path, writers: Writers) -> list[Path]:
    """Write each ``name`` with ``writers[name](path)`` into folder ``out_dir``, all or
    nothing; other files in the folder are kept (it may be the user's own).

    The files are written to a staging folder named for this process
    (:func:`~sim111.outputs.swap.new_folder`): beside ``out_dir`` when it is new,
    which is then renamed into place whole (even SIGKILL finds it absent or
    complete); else inside it, as ``.sim111.staging-PID-HEX``, and the files are
    moved in with SIGINT and SIGTERM held (:func:`~sim111.outputs.swap.signals_held`).
    On failure or a signal the staging folder is removed; those of killed writers
    are removed by the next call (:func:`~sim111.outputs.swap.remove_stale`).
    """
    out = Path(out_dir)
    whole = out.absolute()
    whole.parent.mkdir(parents=True, exist_ok=True)
    inside = whole / "sim111"  # staging in an existing folder: .sim111.staging-PID-HEX
    remove_stale(whole)
    if whole.is_dir():
        remove_stale(inside)
    staging: Path | None = None
    try:
        with signals_held():  # a Ctrl-C during mkdir comes once `staging` is known
            staging = new_folder(inside if whole.is_dir() else whole, "staging")
        for name, write in writers.items():
            write(staging / name)
        with signals_held():  # moved in as one: a Ctrl-C comes after
            if staging.parent == whole:
                for name in writers:
                    os.replace(staging / name, whole / name)
            else:
                os.rename(staging, whole)
                staging = None
        return [out / name for name in writers]
    finally:
        if staging is not None:
            with signals_held():
                shutil.rmtree(staging, ignore_errors=True)


def write_files(
    out: str | Path, writers: Writers, option: str = "--out", given: str | Path | None = None
) -> list[Path]:
    """:func:`write_atomically` into folder ``out``; a failure is one line naming
    ``option`` and what was given for it (``given``, default ``out``; exit status 2),
    not a traceback."""
    said = out if given is None else given
    if Path(out).exists() and not Path(out).is_dir():
        raise ScenarioError(f"{option} {said}: exists and is not a folder")
    try:
        return write_atomically(out, writers)
    except OSError as err:
        raise ScenarioError(f"{option} {said}: cannot write: {err.strerror or err}") from None


def write_text_file(out: str | Path, text: str, option: str = "--out") -> Path:
    """Write ``text`` (UTF-8) to the file ``out`` by :func:`write_atomically`, so a
    killed writer leaves the old file or the new one; a failure (a missing folder
    included: it is not made) is one line naming ``option``."""
    target = Path(out)
    if not target.absolute().parent.is_dir():
        raise ScenarioError(f"{option} {out}: cannot write: no such folder")
    write = {target.name: lambda path: path.write_text(text, encoding="utf-8")}
    write_files(target.parent, write, option, given=out)
    return target
