"""Giving freed memory back to the operating system after a long run.

A long run's per-call columns are ``array.array`` buffers of a few megabytes
each per area. glibc's allocator serves blocks of that size from its heap
(its ``mmap`` threshold rises to 32 MB once a large block has been freed), and
a freed block in the middle of the heap stays in the process: the pooled
copy of a year of England (:mod:`sim111.measures.pooling`), made of
100-megabyte blocks that glibc maps afresh, then came on top of 1.4 GB of
freed area columns the process still held (5.5 GB peak instead of 3.6).
``malloc_trim(0)`` hands free heap pages back (the same call Dask's workers
make to trim their memory). Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return the allocator's free memory to the operating system; ``True`` if it could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
