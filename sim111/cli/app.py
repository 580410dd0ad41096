"""The ``sim111`` group: its commands, and bad input as one line and exit status 2."""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import click

from sim111.cli.animate import animate_command
from sim111.cli.calibrate import backtest_command, calibrate_command
from sim111.cli.contracts import contracts_command
from sim111.cli.entry import INTERRUPTED, interrupted
from sim111.cli.fit import fit_demand_command
from sim111.cli.plan import price, staff
from sim111.cli.run import compare_command, run, sweep
from sim111.cli.schema import schema_command
from sim111.cli.web import app_command
from sim111.errors import ScenarioError, one_line
from sim111.version import __version__

USAGE_ERROR = 2


class BadInput(click.ClickException):
    """A :class:`~sim111.errors.ScenarioError` as the CLI shows it: ``error: ...``, status 2."""

    exit_code = USAGE_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on stderr, no usage text."""
        click.echo(f"error: {self.format_message()}", file=file, err=True)


class Interrupted(click.ClickException):
    """Ctrl-C: ``interrupted`` on stderr, status 130 (not click's blank line and ``Aborted!``)."""

    exit_code = INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on stderr."""
        click.echo("interrupted", file=file, err=True)


def usage_error(err: click.UsageError) -> click.ClickException:
    """click's own usage error (a bad option value, a missing argument, an unknown
    option or command) as one line, status 2, pointing at the right ``--help``:
    ``error: invalid value for '--workers': ... (sim111 run --help lists the options)``.

    ``sim111`` alone still prints the group's help (click's ``NoArgsIsHelpError``).
    """
    if isinstance(err, click.exceptions.NoArgsIsHelpError):
        return err
    ctx = err.ctx
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    command = " ".join(["sim111", *reversed(names)])
    group = err.ctx is None or isinstance(err.ctx.command, click.Group)
    lists = "commands and options" if group else "options"
    what = one_line(err.format_message()).rstrip(".").replace(". Did you", "; did you")
    what = what[:1].lower() + what[1:]
    return BadInput(f"{what} ({command} --help lists the {lists})")


class Sim111Group(click.Group):
    """A group whose commands' :class:`~sim111.errors.ScenarioError` is :class:`BadInput`,
    and whose usage errors are one line (:func:`usage_error`).

    So ``sim111`` and ``CliRunner().invoke(cli, ...)`` report bad input alike.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The group's own options and command name; a usage error as one line."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            raise usage_error(err) from None

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command, turning bad input into :class:`BadInput`."""
        try:
            return super().invoke(ctx)
        except ScenarioError as err:
            raise BadInput(str(err)) from None
        except click.UsageError as err:
            raise usage_error(err) from None
        except KeyboardInterrupt:
            raise Interrupted from None


@click.group(cls=Sim111Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(version=__version__, package_name="sim111")
def cli(verbose: bool) -> None:
    """Simulate NHS 111 call centres from TOML scenario files."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)


for command in (
    run,
    staff,
    price,
    sweep,
    compare_command,
    contracts_command,
    calibrate_command,
    backtest_command,
    fit_demand_command,
    app_command,
    schema_command,
    animate_command,
):
    cli.add_command(command)


def main() -> None:
    """Run the CLI; bad input exits with status 2 and one line, Ctrl-C with 130.

    The ``sim111`` command is :func:`sim111.cli.entry.main`, which calls this.
    """
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.Abort as err:
        if isinstance(err.__cause__, KeyboardInterrupt):
            interrupted()  # while reading the options
        click.echo("aborted", err=True)
        sys.exit(1)
