"""The ``sim111`` command line: argument parsing only; the work is in the library.

``options`` declares the options the commands share, ``run`` and ``plan`` hold
the commands, ``app`` makes them one group, ``entry`` is the entry point
(:func:`main`; importing this package imports nothing heavy, so Ctrl-C during
start-up is caught too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim111.cli.entry import main

if TYPE_CHECKING:
    from sim111.cli.app import cli

__all__ = ["cli", "main"]


def __getattr__(name: str) -> Any:
    """``sim111.cli.cli``, the click group, imported on first use."""
    if name == "cli":
        from sim111.cli.app import cli

        return cli
    raise AttributeError(f"module 'sim111.cli' has no attribute {name!r}")
