"""Swapping a finished staging folder in for ``--out DIR``, whatever signal comes.

:func:`swap_in` exchanges the staging folder and ``DIR`` in one step where the
system can (Linux ``renameat2(RENAME_EXCHANGE)``), so even ``SIGKILL`` finds
``DIR`` holding either the old run or the new one, never neither and never a mix;
elsewhere it renames the old folder aside and the new one in, with SIGINT and
SIGTERM held off between the two renames (:func:`signals_held`).

Staging and set-aside folders are named ``.DIR.staging-PID-HEX`` and
``.DIR.old-PID-HEX`` beside ``DIR``, PID being the writing process, so a later run
can tell a folder left by a killed run (:func:`remove_stale`: its writer is gone,
or it is older than :data:`STALE_AFTER_S`) from one another run is writing now.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import re
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

STALE_AFTER_S = 3600  # a staging folder untouched for an hour is a killed run's
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100
HELD = (signal.SIGINT, signal.SIGTERM)


def new_folder(target: Path, what: str) -> Path:
    """A new, hidden ``.NAME.WHAT-PID-HEX`` folder beside ``target``, created here."""
    while True:
        path = target.with_name(f".{target.name}.{what}-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def _pattern(target: Path) -> re.Pattern[str]:
    """Names of the folders :func:`new_folder` makes beside ``target`` (and the PID-less
    ``.NAME.staging-HEX`` of earlier versions)."""
    return re.compile(rf"\.{re.escape(target.name)}\.(staging|old)-(?:(\d+)-)?[0-9a-f]{{8}}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _is_stale(path: Path, pid: str | None) -> bool:
    if pid is not None and int(pid) != os.getpid() and not _alive(int(pid)):
        return True
    try:
        age_s = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    return age_s > STALE_AFTER_S


def remove_stale(target: Path) -> list[Path]:
    """Remove the staging and set-aside folders of killed runs beside ``target``.

    A set-aside ``.old`` folder of a run killed between its two renames is the
    previous complete output: it is put back as ``target`` if ``target`` is missing.
    Returns the folders removed or put back.
    """
    pattern = _pattern(target)
    try:
        entries = sorted(target.parent.iterdir())
    except OSError:
        return []
    done = []
    for path in entries:
        match = pattern.fullmatch(path.name)
        if match is None or path.is_symlink() or not path.is_dir():
            continue
        if not _is_stale(path, match.group(2)):
            continue
        with signals_held():
            if match.group(1) == "old" and not target.exists():
                os.rename(path, target)
                log.warning("put back %s, left aside by a killed run", target)
            else:
                shutil.rmtree(path, ignore_errors=True)
                log.info("removed %s, left by a killed run", path)
        done.append(path)
    return done


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step; ``False`` if this system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not on this file system
        return False
    raise OSError(errno, os.strerror(errno), str(a))


def swap_in(staging: Path, target: Path) -> Path | None:
    """Make the complete ``staging`` folder ``target``; return where the old one went.

    The old ``target`` (if any) ends up at the returned path, for the caller to
    delete; if the second rename fails, it is put back and the error raised.
    """
    if not target.exists():
        os.rename(staging, target)
        return None
    if _exchange(staging, target):
        return staging  # now holds the old folder
    with signals_held():
        old = target.with_name(staging.name.replace(".staging-", ".old-", 1))
        os.rename(target, old)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(old, target)  # put the old results back
            raise
    return old


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (then act as they would have).

    Only in the main thread (elsewhere signals cannot be handled and are not
    delivered to Python code anyway).
    """
    if threading.current_thread() is not threading.main_thread() or None in map(
        signal.getsignal, HELD
    ):
        yield  # handlers set outside Python could not be put back
        return
    came: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        came.append(signum)

    before = {s: signal.signal(s, note) for s in HELD}
    try:
        yield
    finally:
        for held, handler in before.items():
            signal.signal(held, handler)
        for signum in dict.fromkeys(came):
            signal.raise_signal(signum)
