"""The entry point's signal handlers (:class:`sim111.cli.entry.Stop`), each in a fresh process.

Each case runs in its own interpreter so pytest's handlers are not touched. They
pin down what a loaded CI machine showed: a Ctrl-C during the imports lost, and a
forked pool worker raising the main process's ``SystemExit`` on SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def run_snippet(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_signal_while_held_is_noted_then_acted_on_at_release():
    done = run_snippet(
        """
        import os, signal
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install()
        os.kill(os.getpid(), signal.SIGINT)   # held: no KeyboardInterrupt here
        print("still here", stop.came == [signal.SIGINT], flush=True)
        stop.release()
        print("not reached")
        """
    )
    assert done.stdout.splitlines() == ["still here True"]
    assert done.stderr.splitlines() == ["interrupted"]
    assert done.returncode == 130


def test_sigterm_while_held_exits_143_at_release():
    done = run_snippet(
        """
        import os, signal
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install()
        os.kill(os.getpid(), signal.SIGTERM)
        stop.release()
        """
    )
    assert (done.returncode, done.stderr) == (143, "")


def test_a_swallowed_interrupt_still_ends_the_command_with_130():
    done = run_snippet(
        """
        import os, signal
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install(); stop.release()
        try:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10**6): pass
        except BaseException:   # library code that catches too much
            pass
        stop.act()
        print("not reached")
        """
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "interrupted\n")


def test_a_forked_child_dies_quietly_of_sigterm_and_ignores_sigint():
    done = run_snippet(
        """
        import os, signal, time
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install(); stop.release()
        pid = os.fork()
        if pid == 0:          # a pool worker before its initializer runs
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10**6): pass
            print("child ignored SIGINT", flush=True)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10**6): pass
            print("child survived SIGTERM", flush=True)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("child killed by", os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
        print("parent noted", stop.came)
        """
    )
    assert done.stdout.splitlines() == [
        "child ignored SIGINT",
        f"child killed by {int(signal.SIGTERM)}",
        "parent noted []",
    ]
    assert done.stderr == "" and done.returncode == 0


def test_an_ignored_sigint_stays_ignored():
    """Started with SIGINT ignored (``nohup``, a background job): sim111 does not undo it."""
    done = run_snippet(
        """
        import os, signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install(); stop.release()
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10**6): pass
        stop.act()
        print("ran on", stop.came)
        """
    )
    assert done.stdout.splitlines() == ["ran on []"] and done.returncode == 0


def test_a_signal_after_the_command_is_done_kills_the_process_with_it():
    """Not a ``KeyboardInterrupt`` reported in ``atexit`` and a status of 0."""
    done = run_snippet(
        """
        import atexit, os, signal
        from sim111.cli.entry import Stop
        stop = Stop(); stop.install(); stop.release(); stop.uninstall()
        atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))
        """
    )
    assert done.returncode == -signal.SIGINT and "Traceback" not in done.stderr
