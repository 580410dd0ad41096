"""The ``sim111`` entry point: Ctrl-C and SIGTERM end a run in one line, never a traceback.

SIGINT (Ctrl-C) anywhere, from the first import to the last file written, prints
``interrupted`` and exits with status 130; SIGTERM exits with status 143 (128 +
the signal, as a shell reports them). Both unwind the stack, so an ``--out``
folder being written is removed (:func:`~sim111.outputs.folders.replace_folder`)
and the old one kept. This module imports only the standard library: the rest is
imported inside :func:`main`, where an interrupt is caught.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(TERMINATED)


def main() -> None:
    """Run the ``sim111`` command group (:func:`sim111.cli.app.main`)."""
    signal.signal(signal.SIGTERM, _terminate)  # SIGINT: Python's KeyboardInterrupt already
    try:
        from sim111.cli.app import main as run_cli

        run_cli()
    except KeyboardInterrupt:
        interrupted()


def interrupted() -> None:
    """Say ``interrupted`` on stderr and exit with status 130."""
    try:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    finally:
        sys.exit(INTERRUPTED)
