"""Reading a user's text file (a CSV of history, values or observed periods).

One reader, so every file sim111 takes in is held to the same rules: UTF-8 (a
byte-order mark allowed), a size limit where one is given, and one line naming
the file (and the line of a bad byte) for anything else — never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from sim111.errors import ScenarioError


def read_text(path: Path, kind: str, max_bytes: int | None = None) -> str:
    """The text of ``path``, a ``kind`` of file ("history file", "CSV file"...).

    Raises :class:`ScenarioError` if it is missing, a folder, unreadable, larger
    than ``max_bytes`` or not UTF-8.
    """
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise ScenarioError(f"{path}: larger than {max_bytes // 1_000_000} MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {kind}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a {kind}") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read: {err.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ScenarioError(
            f"{path}: line {line}: not UTF-8 (byte {raw[err.start]:#04x}); save the file as UTF-8"
        ) from None
