"""Errors a user can act on.

Every problem with user input becomes a :class:`ScenarioError` whose message
names the file (or override), the dotted key and what is allowed. The CLI
prints that one line and exits with status 2. A value echoed in a message is
cut to a sensible length by :func:`shown`, and a message is never longer than
:data:`MAX_MESSAGE_CHARS` nor more than one line.
"""

from __future__ import annotations

from typing import Any

SHOWN_CHARS = 60  # of a value echoed in a message
TEXT_CHARS = 120  # of a path or key named in a message
MAX_MESSAGE_CHARS = 500  # of a whole message
WORD_CHARS = 120  # of one word (no spaces) of a message


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters.

    A longer one keeps its start and says how long it was:
    ``'xxxx…' (200000 characters)``. An integer too long to show whole is
    given by its number of digits.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"an integer of {len(str(abs(value)))} digits"  # str() of it is slow past 4300
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def shown_text(text: object, limit: int = TEXT_CHARS) -> str:
    """``text`` (a path, a key, a line of a file) fit for a one-line message: control
    characters escaped, cut to ``limit`` characters with "..."."""
    raw = str(text)
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw[: limit + 1])
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."


def _cut_word(word: str) -> str:
    """A word longer than :data:`WORD_CHARS` (a pasted value, a runaway key) cut in
    the middle, so a path keeps its start and its file name."""
    if len(word) <= WORD_CHARS:
        return word
    half = WORD_CHARS // 2 - 10
    return f"{word[:half]}…({len(word)} characters)…{word[-half:]}"


def one_line(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` on one line (line breaks as spaces), every word at most about
    :data:`WORD_CHARS` characters and the whole at most ``limit``."""
    text = " ".join(message.splitlines()) if "\n" in message or "\r" in message else message
    if any(len(word) > WORD_CHARS for word in text.split(" ")):
        text = " ".join(_cut_word(word) for word in text.split(" "))
    if len(text) <= limit:
        return text
    tail = f"… (message cut, {len(text)} characters)"
    return text[: limit - len(tail)] + tail


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message says where and why.

    The message is made one line of at most :data:`MAX_MESSAGE_CHARS` characters
    (a backstop: messages echo values through :func:`shown` already).
    """

    def __init__(self, message: object = "", *args: object) -> None:
        if isinstance(message, str):
            message = one_line(message)
        super().__init__(message, *args)


class FieldError(ValueError):
    """A problem with one field, raised while building; the loader adds the path.

    ``key`` is the dotted key relative to the object being built ("" for the
    object itself); the loader prefixes the parents' keys and the file name.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message

    def under(self, parent: str) -> FieldError:
        """The same error with ``parent`` prepended to its key."""
        key = f"{parent}.{self.key}" if self.key else parent
        return FieldError(key, self.message)
