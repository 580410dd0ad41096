"""Results of local pool workers handed back through files, not the pool's pipe.

A process pool sends each result back through one pipe of 64 KiB: a worker
writing a result of a megabyte (a 100-day replication's interval frames) waits
for the main process to read it in some fifteen pieces, one process switch
each, before it can start its next task — 8 to 9 ms a task on 2 workers
(``benchmarks/scaling.py``), most of the between-task overhead. Instead a
worker writes a large result, pickled, to a file of its own in a folder the
pool owns (on ``/dev/shm`` where there is one: memory, not disk), sends back
only the file's name, and goes on; the main process reads the file when it
gets to it and removes it. A small result, or one that cannot be written (a
full ``/dev/shm``), comes through the pipe as before.

The main process unpickles only what its own workers wrote: a file is read
only if it is a regular file owned by this user, in the very folder this
pool made (same device and inode, mode 0700, this user's), else the task's
replications fail with that said. The folder, and everything in it, is
removed when the pool closes. While the pool is open it holds a lock on the
folder; a folder left by a run that was killed (no one holds its lock) is
removed by this user's next pool on the same machine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import re
import shutil
import stat
import struct
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no locks, so no stale folders are removed
    fcntl = None  # type: ignore[assignment]

PIPE_BYTES = 64 * 1024  # a result up to this size goes through the pool's pipe
ALIGN = 64  # bytes: where in a result file each array's data starts


def _iov_max() -> int:
    try:
        return max(16, os.sysconf("SC_IOV_MAX"))
    except (AttributeError, ValueError, OSError):
        return 16  # POSIX's least


IOV_MAX = _iov_max()  # pieces one writev takes (Linux: 1024)
PREFIX = "sim111-results-"
LOCK = ".lock"
SHARED_MEMORY = Path("/dev/shm")
NAME = re.compile(re.escape(PREFIX) + r"[0-9]{1,10}-[A-Za-z0-9_]+", re.ASCII)


@dataclass(frozen=True)
class Filed:
    """A pickled result a worker left in ``path``, ``size`` bytes long."""

    path: str
    size: int


@dataclass(frozen=True)
class Inline:
    """A small result, through the pool's pipe: its pickle and out-of-band buffers."""

    pickled: bytes
    buffers: tuple[bytearray, ...]


@dataclass(frozen=True)
class ResultFolder:
    """The folder a pool's workers leave results in, as it was made."""

    path: str
    device: int
    inode: int


def send(
    pickled: bytes,
    buffers: Sequence[pickle.PickleBuffer],
    folder: str,
    pipe_bytes: int = PIPE_BYTES,
) -> Inline | Filed:
    """In a worker: a result pickled with protocol 5 (``pickled``, and its array data
    out of band in ``buffers``) as the pool should carry it back.

    A file holds a header (how many buffers, every length), the pickle and the
    buffers, each from a multiple of :data:`ALIGN` bytes, written as they are: no
    copy of the arrays is made on the way, and none when read back.
    """
    views = [b.raw() for b in buffers]
    if len(pickled) + sum(v.nbytes for v in views) <= pipe_bytes:
        return _inline(pickled, views)
    lengths = [len(pickled)] + [v.nbytes for v in views]
    pieces: list[bytes | memoryview] = [struct.pack(f"<{len(lengths) + 1}Q", len(views), *lengths)]
    at = len(pieces[0])
    for view in (memoryview(pickled), *views):
        pieces += [bytes(-at % ALIGN), view]
        at += -at % ALIGN + view.nbytes
    path = None
    try:
        fd, path = tempfile.mkstemp(dir=folder, suffix=".pickle")
        try:
            _write_all(fd, pieces)
        finally:
            os.close(fd)
    except OSError:  # no room, or the folder is gone: the pipe still works
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return _inline(pickled, views)
    return Filed(path, at)


def _inline(pickled: bytes, views: Sequence[memoryview]) -> Inline:
    """The result for the pipe, its buffers copied as ``bytearray``: arrays read back are
    writable, as a file's are."""
    return Inline(pickled, tuple(bytearray(v) for v in views))


def _write_all(fd: int, pieces: list[bytes | memoryview]) -> None:
    """Write ``pieces`` in as few system calls as the system allows (``writev``)."""
    views = [memoryview(p).cast("B") for p in pieces if len(p)]
    writev = getattr(os, "writev", lambda fd, views: os.write(fd, views[0]))  # Windows: none
    while views:
        done = writev(fd, views[:IOV_MAX])
        if done == 0:
            raise OSError(errno.EIO, "a result file took no bytes")
        while views and done >= views[0].nbytes:
            done -= views.pop(0).nbytes
        if views and done:
            views[0] = views[0][done:]


def receive(sent: Inline | Filed, folder: ResultFolder) -> Any:
    """In the main process: the result a worker sent, unpickled, its file removed.

    An ``OSError`` if the file is not one this pool's workers wrote: not in
    ``folder``, the folder not the one made (replaced while the pool ran), not a
    regular file owned by this user, or not ``size`` bytes long.
    """
    if isinstance(sent, Inline):
        return pickle.loads(sent.pickled, buffers=sent.buffers)
    path = Path(sent.path)
    _check_folder(path.parent, folder)  # nothing outside it is read, or removed
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not _mine(info):
                raise OSError(f"{path.name} is not a result file this run's workers wrote")
            data = bytearray(info.st_size)  # writable: the arrays read back are too
            got = file.readinto(data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    if got != sent.size or info.st_size != sent.size:
        raise OSError(f"a worker's result file holds {got} bytes, not {sent.size}")
    return _unpickled(memoryview(data))


def _unpickled(data: memoryview) -> Any:
    try:
        (count,) = struct.unpack_from("<Q", data)
        lengths = struct.unpack_from(f"<{count + 1}Q", data, 8)
    except struct.error as err:
        raise OSError(f"a worker's result file has no whole header: {err}") from None
    pieces, at = [], 8 * (count + 2)
    for length in lengths:
        at += -at % ALIGN
        pieces.append(data[at : at + length])
        at += length
    if at != len(data):
        raise OSError("a worker's result file is not laid out as written")
    return pickle.loads(pieces[0], buffers=pieces[1:])


def _check_folder(parent: Path, folder: ResultFolder) -> None:
    info = os.lstat(parent)
    same = str(parent) == folder.path and (info.st_dev, info.st_ino) == (
        folder.device,
        folder.inode,
    )
    if not same or not stat.S_ISDIR(info.st_mode) or not _mine(info) or info.st_mode & 0o077:
        raise OSError("a worker's result is not in the folder this pool made (it was replaced)")


def _mine(info: os.stat_result) -> bool:
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


@contextlib.contextmanager
def result_folder() -> Iterator[ResultFolder]:
    """A folder for one pool's result files, locked while in use, removed with them on leaving."""
    base = SHARED_MEMORY if _usable(SHARED_MEMORY) else Path(tempfile.gettempdir())
    remove_stale(base)
    path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)  # mode 0700
    lock = os.open(os.path.join(path, LOCK), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        info = os.lstat(path)
        yield ResultFolder(path, info.st_dev, info.st_ino)
    finally:
        os.close(lock)
        shutil.rmtree(path, ignore_errors=True)


def remove_stale(base: Path) -> None:
    """Remove this user's result folders in ``base`` that no pool holds (a killed run's)."""
    if fcntl is None:
        return
    try:
        names = [p for p in base.iterdir() if NAME.fullmatch(p.name)]
    except OSError:
        return
    for folder in names:
        with contextlib.suppress(OSError):
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or not _mine(info):
                continue  # a link, a file, or someone else's
            fd = os.open(folder / LOCK, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: the pool is running
            except OSError:
                continue
            finally:
                os.close(fd)
            shutil.rmtree(folder, ignore_errors=True)


def _usable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
