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

The folder is removed with everything in it when the pool closes; a folder
left by a main process that was killed is removed by the next pool made on
the machine (its name carries the process id).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PIPE_BYTES = 64 * 1024  # a result up to this size goes through the pool's pipe
PREFIX = "sim111-results-"
SHARED_MEMORY = Path("/dev/shm")


@dataclass(frozen=True)
class Filed:
    """A pickled result a worker left in ``path``, ``size`` bytes long."""

    path: str
    size: int


def send(packed: bytes, folder: str) -> bytes | Filed:
    """In a worker: a pickled result as the pool should carry it back."""
    if len(packed) <= PIPE_BYTES:
        return packed
    path = None
    try:
        fd, path = tempfile.mkstemp(dir=folder, suffix=".pickle")
        with os.fdopen(fd, "wb") as file:
            file.write(packed)
    except OSError:  # no room, or the folder is gone: the pipe still works
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return packed
    return Filed(path, len(packed))


def receive(sent: bytes | Filed) -> bytes:
    """In the main process: the pickled result a worker sent, its file removed."""
    if isinstance(sent, bytes):
        return sent
    try:
        data = Path(sent.path).read_bytes()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(sent.path)
    if len(data) != sent.size:
        raise OSError(f"a worker's result file holds {len(data)} bytes, not {sent.size}")
    return data


@contextlib.contextmanager
def result_folder() -> Iterator[str]:
    """A folder for one pool's result files, removed with them on leaving."""
    base = SHARED_MEMORY if _usable(SHARED_MEMORY) else Path(tempfile.gettempdir())
    remove_stale(base)
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(base: Path) -> None:
    """Remove result folders in ``base`` whose main process is gone (it was killed)."""
    with contextlib.suppress(OSError):
        for folder in base.glob(f"{PREFIX}*"):
            pid = folder.name[len(PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _usable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
