"""The ``sim111`` entry point: Ctrl-C and SIGTERM end a run in one line, never a traceback.

SIGINT (Ctrl-C) anywhere, from the first import to the last file written, prints
``interrupted`` and exits with status 130; SIGTERM exits with status 143 (128 +
the signal, as a shell reports them). Both unwind the stack, so an ``--out``
folder being written is removed (:func:`~sim111.outputs.folders.replace_folder`)
and the old one kept. This module imports only the standard library: the rest is
imported inside :func:`main`, with both signals held until the import is done.

What the handlers (:class:`Stop`) guard against, each seen on a loaded machine:

- A ``KeyboardInterrupt`` raised inside an import can be lost: C code that tries an
  optional import and clears the error swallows it, and one raised through
  ``exec`` of a string (scipy's array-API shim) makes Python kill itself with
  SIGINT at exit whatever status was asked for. So a signal during the imports is
  noted and acted on once they are done.
- A signal noted but swallowed later still ends the command with its status once
  the command returns or exits: library code that catches too much, or Python
  itself, which only reports (``Exception ignored``) an exception raised in a
  fork callback, as when SIGTERM comes while a pool is being started.
- A signal once the command is done (Python joining threads as it exits) would
  only be reported: the handlers are then put back to the default
  (:meth:`Stop.uninstall`), so the process dies of the signal.
- A pool worker forked from this process inherits these handlers until its
  initializer replaces them; a signal to the whole process group in that moment
  must not raise there (a traceback from each worker, and a worker that exits
  holding the pool's queue lock hangs the pool). In another process the handlers
  ignore SIGINT (the worker's own choice, :func:`~sim111.experiments.workers.start_pool_worker`)
  and die quietly of SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM


class Stop:
    """SIGINT and SIGTERM handlers for this process: held (noted only) or acted on."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.came: list[int] = []
        self.held = True

    def install(self) -> None:
        """Handle SIGTERM, and SIGINT unless it was ignored when sim111 started (``nohup``)."""
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self.handle)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, self.handle)
        sys.unraisablehook = self.unraisable

    def unraisable(self, unraisable: object) -> None:
        """Python's report of an exception it could not raise, except one of ours.

        A handler's exception raised inside a fork callback, a finaliser or a
        ``__del__`` is reported, not raised (and not a traceback we want shown);
        :meth:`act` then ends the command as the signal asked.
        """
        exc = getattr(unraisable, "exc_value", None)
        if self.came and isinstance(exc, KeyboardInterrupt | SystemExit):
            return
        sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """Note the signal; unless held, raise ``KeyboardInterrupt`` or ``SystemExit(143)``."""
        if os.getpid() != self.pid:  # a forked worker before its initializer ran
            if signum == signal.SIGTERM:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)
            return
        self.came.append(signum)
        if self.held:
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(TERMINATED)

    def uninstall(self) -> None:
        """The command is done: from here a signal ends the process as by default.

        Python still runs code as it exits (joining threads, ``atexit``); a
        ``KeyboardInterrupt`` raised there would only be reported, and the
        process would exit 0 though it was interrupted. The shell reports a
        process killed by SIGINT or SIGTERM as 130 or 143, as it does our exits.
        """
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) == self.handle:
                signal.signal(signum, signal.SIG_DFL)

    def release(self) -> None:
        """Stop holding: act now on a signal that came while held."""
        self.held = False
        self.act()

    def act(self) -> None:
        """Exit as the first signal noted asks (nothing if none came)."""
        if signal.SIGTERM in self.came:
            sys.exit(TERMINATED)
        if signal.SIGINT in self.came:
            interrupted()


def main() -> None:
    """Run the ``sim111`` command group (:func:`sim111.cli.app.main`)."""
    stop = Stop()
    stop.install()
    try:
        try:
            from sim111.cli.app import main as run_cli

            stop.release()
            run_cli()
        except KeyboardInterrupt:
            interrupted()
        except SystemExit as err:
            if err.code not in (INTERRUPTED, TERMINATED):
                stop.act()  # say so, rather than the error the stop caused (a broken pool)
            raise
        stop.act()  # a signal some library code swallowed still ends the command
    finally:
        stop.uninstall()


def interrupted() -> None:
    """Say ``interrupted`` on stderr and exit with status 130."""
    try:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    finally:
        sys.exit(INTERRUPTED)
