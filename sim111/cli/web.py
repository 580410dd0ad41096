"""``sim111 app``: start the planner's web app (Streamlit) on this machine."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import click

from sim111.errors import ScenarioError

APP_SCRIPT = Path(__file__).resolve().parents[1] / "app" / "main.py"


def app_command_line(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command that serves the app on ``host``:``port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


@click.command("app")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port."
)
@click.option(
    "--scenarios",
    "library",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of scenario files to offer [default: ./scenarios, else the clone's].",
)
def app_command(host: str, port: int, library: Path | None) -> None:
    """Start the web app for planners (needs: pip install "sim111[app]")."""
    if importlib.util.find_spec("streamlit") is None:
        raise ScenarioError('the app needs Streamlit: pip install "sim111[app]"')
    env = dict(os.environ)
    if library is not None:
        env["SIM111_SCENARIOS"] = str(library.resolve())
    click.echo(f"sim111 app on http://{host}:{port} (Ctrl+C stops it)", err=True)
    command = app_command_line(host, port)
    if os.name == "posix":  # become the server: a signal to sim111 app reaches it
        os.execve(command[0], command, env)
    try:  # elsewhere: wait for it
        status = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        status = 0
    raise SystemExit(status)
