"""Reading scenario files: TOML, ``extends`` chains merged key by key, and
where each key came from, so an error names the file that set it.

Limits: an ``extends`` chain of at most :data:`MAX_EXTENDS` files; each file is
read by :func:`~sim111.scenario.textfile.read_toml` (size, encoding, nesting);
the files a scenario names stay in its tree (:mod:`sim111.scenario.tree`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim111.errors import FieldError, ScenarioError, shown_text
from sim111.scenario.history import read_history
from sim111.scenario.merge import merge_data
from sim111.scenario.presets import with_preset
from sim111.scenario.run import set_run_length
from sim111.scenario.schema import build
from sim111.scenario.textfile import read_toml
from sim111.scenario.top import Scenario
from sim111.scenario.tree import named_file, scenario_tree

MAX_EXTENDS = 16  # files in one ``extends`` chain, the named file included


def _resolve(
    path: Path, seen: tuple[Path, ...], tree: Path | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The file's data with its ``extends`` chain and ``provider_type`` preset applied,
    and where each key came from."""
    data = read_toml(path, "scenario file")
    base_name = data.pop("extends", None)
    base: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if base_name is not None:
        if not isinstance(base_name, str):
            raise ScenarioError(f"{path}: 'extends' must be the path of a scenario file")
        base_path = named_file(path, "extends", base_name, tree)
        if base_path in seen:
            raise ScenarioError(
                f"{path}: 'extends' makes a loop through {shown_text(base_path.name)}"
            )
        if len(seen) >= MAX_EXTENDS:
            raise ScenarioError(f"{seen[0]}: 'extends' chains more than {MAX_EXTENDS} files")
        base, origin = _resolve(base_path, (*seen, base_path), tree)
        base.pop("name", None)  # a scenario is named after its own file unless it says
    if "provider_type" in data:  # the preset goes over the base and under this file
        try:
            base = with_preset(base, data["provider_type"], origin)
        except FieldError as err:
            raise ScenarioError(f"{path}: '{err.key}' {err.message}") from None
    try:
        merged = merge_data(base, data, origin, str(path))
    except FieldError as err:
        raise ScenarioError(f"{path}: '{err.key}' {err.message}") from None
    if isinstance(data.get("run"), dict) and isinstance(base.get("run"), dict):
        set_run_length(merged["run"], data["run"])  # days in the base, hours here: hours
    return merged, origin


def _source_of(key: str, origin: dict[str, str], default: str) -> str:
    """The file that set the dotted ``key`` (or the table holding it)."""
    parts = key.split(".") if key else []
    for n in range(len(parts), 0, -1):
        found = origin.get(".".join(parts[:n]))
        if found is not None:
            return found
    return default


def _resolve_files(
    node: Any, origin: dict[str, str], default: str, tree: Path | None, prefix: str = ""
) -> None:
    """Make every ``file = "..."`` (an empirical distribution) relative to the file that
    set it, and in the scenario's ``tree``."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        dotted = f"{prefix}{key}"
        if dotted == "demand.history":
            continue  # read by _read_demand_history, relative to its own file
        if key == "file" and isinstance(value, str):
            node[key] = str(named_file(_source_of(dotted, origin, default), dotted, value, tree))
        elif isinstance(value, dict | list):
            _resolve_files(value, origin, default, tree, dotted + ".")


def _read_demand_history(
    data: dict[str, Any], origin: dict[str, str], path: Path, tree: Path | None
) -> None:
    """Fill ``[demand.history]`` with the counts of its CSV ``file``, read relative to
    the scenario file that named it."""
    table = data.get("demand", {}).get("history") if isinstance(data.get("demand"), dict) else None
    if not isinstance(table, dict) or not isinstance(table.get("file"), str):
        return  # nothing to read; validation reports a missing or odd 'file'
    source = _source_of("demand.history.file", origin, str(path))
    for key in ("start_date", "interval_min", "calls"):
        if key in table:
            raise ScenarioError(
                f"{source}: 'demand.history.{key}' is read from the history file; "
                "set only 'file' and 'fill'"
            )
    name = table["file"]
    history = read_history(named_file(source, "demand.history.file", name, tree), name=name)
    table.update(
        start_date=history.start_date, interval_min=history.interval_min, calls=history.calls
    )


def load_scenario(
    path: str | Path, *, allow_outside: bool = False, tree: Path | None = None
) -> Scenario:
    """Read and validate a scenario TOML file.

    A file may say ``extends = "base.toml"`` (relative to itself) and set only
    what differs: tables merge key by key; arrays (shifts, priorities) and
    values replace the base's, except that a table keyed by indices
    (``[clinicians.0.handle_time]``) changes those elements of the base's
    array. A file that names a ``provider_type`` gets that preset merged over
    its base (or the built-in defaults) and under its own keys, by the same
    rule (:mod:`sim111.scenario.presets`). A ``[demand.history]`` CSV file
    and an empirical distribution's ``file`` are read now, relative to the
    scenario file that names them, so the scenario holds the values
    themselves. Raises :class:`ScenarioError` with the file that set the
    offending key, the dotted key and what is allowed.

    The files it names (``extends``, CSVs) must be in the scenario's tree (the
    file's folder, or ``tree`` if given: a sweep's; see :mod:`sim111.scenario.tree`)
    unless ``allow_outside``; an ``extends`` chain holds at most :data:`MAX_EXTENDS` files.
    """
    path = Path(path)
    if allow_outside:
        tree = None
    elif tree is None:
        tree = scenario_tree(path)
    try:
        data, origin = _resolve(path.resolve(), (path.resolve(),), tree)
        data.setdefault("name", path.stem)
        _read_demand_history(data, origin, path.resolve(), tree)
        _resolve_files(data, origin, str(path.resolve()), tree)
        return build(Scenario, copy.deepcopy(data))
    except RecursionError:  # read_toml refuses deep nesting: this is a last resort
        raise ScenarioError(f"{shown_text(path)}: nested too deep to read") from None
    except FieldError as err:
        found = _source_of(err.key, origin, str(path))
        source = found if Path(found) != path.resolve() else str(path)
        key = f"'{err.key}' " if err.key else ""
        raise ScenarioError(f"{source}: {key}{err.message}") from None
