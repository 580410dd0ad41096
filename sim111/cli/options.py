"""Option declarations and input parsing shared by the ``sim111`` commands.

Each option is declared once here; a command picks the ones it takes and,
where its wording differs (``--replications`` is "per point" for a sweep),
passes its own help text.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from sim111.cli.cluster import dask_client
from sim111.cli.warnings import strict_help, warn_scenario
from sim111.errors import ScenarioError, shown
from sim111.experiments.settings import MAX_WORKERS, ExecutionSettings
from sim111.scenario import Scenario, load_scenario
from sim111.scenario.limits import MAX_NUMBER

F = TypeVar("F", bound=Callable[..., Any])
OVERRIDE_KEY = re.compile(r"\w+(\.\w+)*", re.ASCII)  # dotted names: ASCII, no '²' index


def stack(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """The ``decorators`` as one, applied as if written top to bottom above a function."""

    def apply(f: F) -> F:
        for decorate in reversed(decorators):
            f = decorate(f)
        return f

    return apply


def file_argument(name: str, **kwargs: Any) -> Callable[[F], F]:
    """A file argument (``SCENARIO_FILE``, ``SWEEP_FILE``...); folders are refused."""
    return click.argument(name, type=click.Path(dir_okay=False), **kwargs)


def replications_option(help: str, minimum: int = 1) -> Callable[[F], F]:
    """``-n/--replications``, at least ``minimum``; unset means the file's."""
    return click.option("-n", "--replications", type=click.IntRange(min=minimum), help=help)


def seed_option(help: str = "Base random seed.") -> Callable[[F], F]:
    """``--seed``; unset means the file's."""
    return click.option("--seed", type=click.IntRange(min=0), help=help)


def overrides_option(help: str) -> Callable[[F], F]:
    """``--set KEY=VALUE`` (repeatable), read by :func:`parse_override`."""
    return click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=help)


def scenario_options(replications_help: str, overrides_help: str) -> Callable[[F], F]:
    """``SCENARIO_FILE -n --seed --set --allow-outside-files``: what every command
    running one scenario takes."""
    return stack(
        file_argument("scenario_file"),
        replications_option(replications_help),
        seed_option(),
        overrides_option(overrides_help),
        allow_outside_option(),
    )


ALLOW_OUTSIDE_META = "sim111.allow_outside"  # where --allow-outside-files keeps its value


def _keep_allow_outside(ctx: click.Context, _: click.Parameter, value: bool) -> bool:
    ctx.meta[ALLOW_OUTSIDE_META] = value
    return value


def allow_outside_option() -> Callable[[F], F]:
    """``--allow-outside-files``: a scenario (or sweep) file may name files outside its
    own folder (:mod:`sim111.scenario.tree`). Kept in the command's context, where
    :func:`allowed_outside` finds it, so commands pass it on without a parameter."""
    return click.option(
        "--allow-outside-files",
        is_flag=True,
        expose_value=False,
        callback=_keep_allow_outside,
        help="Let the scenario's 'extends', a sweep's 'scenario' and data files be read "
        "from outside the scenario file's folder (and its sub-folders).",
    )


def allowed_outside() -> bool:
    """Whether this command was given ``--allow-outside-files``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(ALLOW_OUTSIDE_META, False))


def yes_option() -> Callable[[F], F]:
    """``--yes``: run even a very large experiment (:mod:`sim111.cli.limits`)."""
    return click.option(
        "--yes",
        is_flag=True,
        help="Run even when the estimated calls to simulate exceed the limit "
        "(see 'Limits' in docs/inputs.md).",
    )


def workers_option(help: str | None = None) -> Callable[[F], F]:
    """``--workers``: local processes (1: none)."""
    return click.option(
        "--workers", type=click.IntRange(1, MAX_WORKERS), default=1, show_default=True, help=help
    )


def dask_option(help: str) -> Callable[[F], F]:
    """``--dask ADDRESS|local[:N]``: a Dask scheduler to join, or a LocalCluster of N
    workers to start (and close after), passed on as ``dask_address``."""
    return click.option(
        "--dask",
        "dask_address",
        metavar="ADDRESS|local[:N]",
        help=help + " 'local:N' starts a Dask cluster of N worker processes here.",
    )


def store_option(help: str) -> Callable[[F], F]:
    """``--store DIRECTORY`` keeping finished replications."""
    return click.option("--store", type=click.Path(file_okay=False), help=help)


def store_check_option() -> Callable[[F], F]:
    """``--store-check recompute|stop``: what a stored replication failing its check
    (a damaged store, a checksum, versions or scenario that differ) leads to."""
    return click.option(
        "--store-check",
        "store_check",
        type=click.Choice(["recompute", "stop"]),
        default="recompute",
        show_default=True,
        help="What a damaged store, or a stored replication failing its check (checksum, "
        "versions, scenario), leads to: one warning line and it is computed again, or "
        "a one-line error.",
    )


def out_option(help: str) -> Callable[[F], F]:
    """``--out DIRECTORY`` for the files a command writes."""
    return click.option("--out", type=click.Path(file_okay=False), help=help)


def out_file_option(help: str) -> Callable[[F], F]:
    """``--out FILE`` for a command that writes one file (a scenario), passed on as ``out``."""
    return click.option("--out", type=click.Path(dir_okay=False), help=help)


def format_option(help: str | None = None) -> Callable[[F], F]:
    """``--format table|json``: what to print, passed on as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=help,
    )


def kpi_option(help: str) -> Callable[[F], F]:
    """``--kpi KEY`` (repeatable): the KPIs a table shows, passed on as ``kpis``."""
    return click.option("--kpi", "kpis", multiple=True, metavar="KEY", help=help)


def parse_override(text: str) -> tuple[str, Any]:
    """``"dotted.key=value"`` → ``(key, value)``; the value is read as TOML.

    ``advisors.count=18`` gives an integer, ``run.start_date=2013-03-28`` a
    date, ``[1, 2]`` a list; anything TOML cannot read is kept as a string.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {shown(text)}: expected dotted.key=value")
    if not OVERRIDE_KEY.fullmatch(key):
        raise ScenarioError(
            f"--set {shown(key)}: a key is dotted names and list indices in letters, digits "
            "0-9 and _ (such as clinicians.0.roster_scale)"
        )
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise ScenarioError(f"--set {key}: the value is nested too deeply") from None
    except ValueError:  # an integer of more than 4300 digits
        raise ScenarioError(
            f"--set {key}: {shown(raw)} is too long a number; numbers are at most "
            f"{MAX_NUMBER:g} in size"
        ) from None
    return key, value


def strict_option() -> Callable[[F], F]:
    """``--strict``: any warning is an error, exit status 2 (:mod:`sim111.cli.warnings`)."""
    return click.option("--strict", is_flag=True, help=strict_help())


def report_notices(scenario: Scenario, source: str) -> None:
    """Tell stderr, one line each, the warnings of ``scenario`` (targets no staffing
    can meet, hours with no one on duty...: :mod:`sim111.cli.warnings`).

    Not an error: the command goes on, and its tables mark unattainable rows so.
    """
    warn_scenario(scenario, source)


def load_with_notices(path: str, strict: bool = False) -> Scenario:
    """The scenario in ``path``, its warnings told to stderr (an error under ``strict``)."""
    scenario = load_scenario(path, allow_outside=allowed_outside())
    warn_scenario(scenario, path, strict)
    return scenario


def overrides_source(path: str, overrides: tuple[str, ...]) -> str:
    """How messages name a scenario: its file, ``with --set`` if overridden."""
    return f"{path} with --set" if overrides else path


def scenario_with_overrides(
    path: str, overrides: tuple[str, ...], strict: bool = False, warn: bool = True
) -> Scenario:
    """The scenario in ``path`` with the ``--set`` values applied (and validated).

    Its warnings (targets no staffing can meet, hours with no one on duty...) are
    told to stderr unless ``warn`` is false; under ``strict`` they are an error.
    """
    scenario = load_scenario(path, allow_outside=allowed_outside())
    source = overrides_source(path, overrides)
    if overrides:
        pairs = dict(parse_override(o) for o in overrides)
        scenario = scenario.with_overrides(pairs, source=source)
    if warn:
        warn_scenario(scenario, source, strict)
    return scenario


@contextlib.contextmanager
def execution(
    workers: int,
    dask_address: str | None = None,
    store: str | None = None,
    store_check: str = "recompute",
) -> Iterator[ExecutionSettings]:
    """The settings of ``--workers``, ``--dask``, ``--store`` and ``--store-check``;
    a Dask client is closed after."""
    with dask_client(dask_address) as client:
        yield ExecutionSettings(
            workers=workers, client=client, store=store, store_check=store_check
        )
