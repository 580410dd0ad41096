"""The ``sim111`` command line: argument parsing only; the work is in the library.

``options`` declares the options the commands share, ``run`` and ``plan`` hold
the commands, ``app`` makes them one group and is the entry point.
"""

from sim111.cli.app import cli, main

__all__ = ["cli", "main"]
