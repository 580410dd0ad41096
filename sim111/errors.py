"""Errors a user can act on.

Every problem with user input becomes a :class:`ScenarioError` whose message
names the file (or override), the dotted key and what is allowed. The CLI
prints that one line and exits with status 2.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message says where and why."""


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
