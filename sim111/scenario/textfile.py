"""Reading a user's text file: a scenario or sweep TOML file, or a CSV of history,
values or observed periods.

One reader, so every file sim111 takes in is held to the same rules, and breaking
one gives one line naming the file (and the line of a bad byte), never a
traceback or a hang:

- only a regular file is read: a folder, FIFO, socket or device (``/dev/zero``)
  is refused after a ``stat``, before it is opened (opening a FIFO would wait for
  a writer for ever);
- each kind of file has a size limit (:data:`MAX_TOML_BYTES`,
  :data:`MAX_CSV_BYTES`, or the caller's), and no more than that is read;
- the text is UTF-8, a byte-order mark allowed; a UTF-16 file, another encoding
  or a binary file (NUL bytes) is refused saying so.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from sim111.errors import ScenarioError, shown_text

MAX_TOML_BYTES = 1_000_000  # a scenario or sweep file: the largest in the library is 14 kB
MAX_CSV_BYTES = 100_000_000  # a history or values CSV: ten years of 5-minute counts is ~25 MB
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1_000_000:g} MB"


def _folder_hint(folder: Path, suffix: str) -> str:
    """``"; FOLDER holds a.toml, b.toml"``: the files of ``folder`` a user may have
    meant (those ending in ``suffix``, at most 8), or ``""``: none, no such folder, or
    a symbolic link (it may lead out of the scenario's own folder)."""
    try:
        if not suffix or folder.is_symlink() or not folder.is_dir():
            return ""
        names = sorted(p.name for p in folder.iterdir() if p.suffix == suffix and p.is_file())
    except (OSError, ValueError):
        return ""
    if not names:
        return ""
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return f"; {shown_text(folder)}{os.sep} holds {', '.join(names[:8])}{more}"


def _missing_hint(path: Path) -> str:
    """For a missing ``scenarios/england-2014.toml``: the files of the folder
    ``scenarios/england-2014/`` with that suffix, if it exists (see :func:`_folder_hint`)."""
    suffix = path.suffix
    stem = path.name[: -len(suffix)] if suffix else ""
    if stem in ("", ".", ".."):
        return ""
    return _folder_hint(path.parent / stem, suffix)


def _regular_or_refuse(path: Path, kind: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            hint = _folder_hint(path, ".toml") if kind == "scenario file" else ""
            raise ScenarioError(f"{shown_text(path)}: is a folder, not a {kind}{hint}")
        raise ScenarioError(f"{shown_text(path)}: not a regular file; a {kind} must be one")


def _read_bytes(path: Path, kind: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them."""
    name = shown_text(path)
    try:
        mode = os.stat(path).st_mode
        _regular_or_refuse(path, kind, mode)  # before opening: a FIFO would block
        # O_NONBLOCK: were it swapped for a FIFO since the stat, opening still returns
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError(f"{name}: no such {kind}{_missing_hint(path)}") from None
    except ScenarioError:
        raise
    except ValueError:  # an embedded NUL byte
        raise ScenarioError(f"{name}: not a file name (it holds a NUL byte)") from None
    except OSError as err:
        raise ScenarioError(f"{name}: cannot read: {err.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        _regular_or_refuse(path, kind, os.fstat(fd).st_mode)
        try:
            raw = file.read(max_bytes + 1)
        except OSError as err:
            raise ScenarioError(f"{name}: cannot read: {err.strerror}") from None
    if len(raw) > max_bytes:
        raise ScenarioError(f"{name}: larger than {_megabytes(max_bytes)}, the limit for a {kind}")
    return raw


def read_text(path: Path, kind: str, max_bytes: int | None = None) -> str:
    """The text of ``path``, a ``kind`` of file ("history file", "scenario file"...).

    Raises :class:`ScenarioError` if it is missing, not a regular file (a
    folder, FIFO or device), unreadable, larger than ``max_bytes`` (default
    :data:`MAX_CSV_BYTES`) or not UTF-8 (a byte-order mark is allowed).
    """
    raw = _read_bytes(path, kind, MAX_CSV_BYTES if max_bytes is None else max_bytes)
    name = shown_text(path)
    if raw.startswith(UTF16_BOMS):
        raise ScenarioError(f"{name}: UTF-16: save as UTF-8 (a {kind} must be UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ScenarioError(
            f"{name}: line {line}: not UTF-8 (byte {raw[err.start]:#04x}); save the file as UTF-8"
        ) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise ScenarioError(f"{name}: line {line}: a NUL byte; a {kind} is UTF-8 text, not binary")
    return text


MAX_NESTING = 32  # tables and arrays inside one another; the library's deepest is 5
_KEY_PART = r"(?:[\w-]++|\"[^\"\n]*+\"|'[^'\n]*+')[ \t]*+\.[ \t]*+"  # a key part and its dot
# a dotted key of more than MAX_NESTING parts (tomllib takes minutes on a long one)
_DEEP_KEY = re.compile(r"(?<![\w\"'.-])(?:" + _KEY_PART + f"){{{MAX_NESTING},}}")


def nesting_depth(data: object) -> int:
    """How many tables and arrays deep ``data`` goes inside itself (``{"a": [1]}``: 1),
    without recursion; any number over :data:`MAX_NESTING` may stand for a deeper one."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break  # deep enough to refuse: the rest need not be walked
        if isinstance(node, dict | list):
            values = node.values() if isinstance(node, dict) else node
            stack.extend((value, depth + 1) for value in values if isinstance(value, dict | list))
    return deepest


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML document ``text`` of the file ``source``, nested at most :data:`MAX_NESTING`
    deep; any problem is one :class:`ScenarioError` with the line and column."""
    too_deep = f"{source}: nested more than {MAX_NESTING} tables or arrays deep"
    deep_key = _DEEP_KEY.search(text)
    if deep_key is not None:
        line = text.count("\n", 0, deep_key.start()) + 1
        raise ScenarioError(f"{source}: line {line}: a dotted key of more than {MAX_NESTING} parts")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {shown_text(err, 200)}") from None
    except RecursionError:
        raise ScenarioError(too_deep) from None
    if nesting_depth(data) > MAX_NESTING:
        raise ScenarioError(too_deep)
    return data


def read_toml(path: Path, kind: str) -> dict[str, Any]:
    """The TOML file ``path`` (a ``kind``: "scenario file", "sweep file"), read by
    :func:`read_text` (at most :data:`MAX_TOML_BYTES`) and :func:`parse_toml`."""
    return parse_toml(read_text(path, kind, MAX_TOML_BYTES), shown_text(path))
