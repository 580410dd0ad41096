"""Sweep definitions as TOML files (``scenarios/sweeps/*.toml``).

::

    name = "advisors-x-surge"
    scenario = "../typical-area.toml"   # relative to this file
    replications = 5
    seed = 1

    [grid]                               # every combination
    "advisors.roster_scale" = [0.8, 1.0, 1.2]
    "demand.scale" = [1.0, 1.3]

or, instead of ``[grid]``, a list of points::

    [[points]]
    "demand.scale" = 1.3

A sweep has at most :data:`MAX_POINTS` points; the file is read as a scenario
file is (:func:`~sim111.scenario.textfile.read_toml`), and its ``scenario`` must
be in its tree (:mod:`sim111.scenario.tree`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim111.errors import FieldError, ScenarioError, shown, shown_text
from sim111.experiments.sweep import grid_points
from sim111.scenario import Scenario, load_scenario
from sim111.scenario.limits import check_name
from sim111.scenario.textfile import read_toml
from sim111.scenario.tree import named_file, scenario_tree

MAX_POINTS = 10_000  # points in one sweep (each runs every replication)
ALLOWED = ("name", "description", "scenario", "replications", "seed", "grid", "points")


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the base scenario, its points, replications and seed."""

    name: str
    scenario: Scenario
    points: list[dict[str, Any]]
    replications: int
    seed: int


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _int(data: dict[str, Any], key: str, default: int, low: int, source: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ScenarioError(f"{source}: '{key}' must be an integer >= {low}, got {shown(value)}")
    return value


def _sweep_name(data: dict[str, Any], path: Path, source: str) -> str:
    """The sweep's ``name`` (default: the file's stem), checked to be a name, not a path."""
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise ScenarioError(f"{source}: 'name' must be a string, got {shown(name)}")
    try:
        check_name("name", name)
    except FieldError as err:
        raise ScenarioError(f"{source}: 'name' {err.message}") from None
    return name


def _points(data: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The overrides of a sweep file's ``[grid]`` (every combination) or ``[[points]]``."""
    if "grid" in data:
        if not isinstance(data["grid"], dict) or not data["grid"]:
            raise ScenarioError(f"{source}: 'grid' must be a table of dotted.key = [values]")
        grid = _flatten(data["grid"])
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ScenarioError(
                    f"{source}: 'grid.{shown_text(key)}' must be a non-empty list of values, "
                    f"got {shown_text(repr(values))}"
                )
        _check_count(math.prod(len(values) for values in grid.values()), source)
        return grid_points(grid)
    raw = data["points"]
    if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) for p in raw):
        raise ScenarioError(f"{source}: 'points' must be an array of tables ([[points]])")
    _check_count(len(raw), source)
    return [_flatten(p) for p in raw]


def _check_count(points: int, source: str) -> None:
    if points > MAX_POINTS:
        raise ScenarioError(
            f"{source}: {points:,} points; a sweep may have at most {MAX_POINTS:,} "
            "(split it into several sweep files)"
        )


def load_sweep(path: str | Path, *, allow_outside: bool = False) -> SweepSpec:
    """Read and validate a sweep file; every point is validated as an override.

    Its ``scenario`` (and the files that names) must be in the sweep file's tree
    unless ``allow_outside``.
    """
    path = Path(path)
    source = shown_text(path)
    data = read_toml(path, "sweep file")
    unknown = [k for k in data if k not in ALLOWED]
    if unknown:
        raise ScenarioError(
            f"{source}: '{shown_text(unknown[0])}' is not a known key here; "
            f"allowed keys: {', '.join(ALLOWED)}"
        )
    if not isinstance(data.get("scenario"), str):
        raise ScenarioError(f"{source}: 'scenario' is required: the path of a scenario file")
    tree = None if allow_outside else scenario_tree(path)
    scenario_path = named_file(path, "scenario", data["scenario"], tree)
    scenario = load_scenario(scenario_path, allow_outside=allow_outside, tree=tree)
    if ("grid" in data) == ("points" in data):
        raise ScenarioError(f"{source}: give exactly one of [grid] or [[points]]")
    points = _points(data, source)
    for i, point in enumerate(points):
        scenario.with_overrides(point, source=f"{source}: point {i}")  # validate now
    return SweepSpec(
        name=_sweep_name(data, path, source),
        scenario=scenario,
        points=points,
        replications=_int(data, "replications", scenario.run.replications, 1, source),
        seed=_int(data, "seed", scenario.run.seed, 0, source),
    )
