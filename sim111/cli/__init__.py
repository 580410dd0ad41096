"""The ``sim111`` command line: argument parsing only; the work is in the library."""

from sim111.cli.commands import cli, main

__all__ = ["cli", "main"]
