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
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim111.errors import FieldError, ScenarioError, shown
from sim111.experiments.sweep import grid_points
from sim111.scenario import Scenario, load_scenario
from sim111.scenario.limits import check_name

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
                    f"{source}: 'grid.{key}' must be a non-empty list of values, got {values!r}"
                )
        return grid_points(grid)
    raw = data["points"]
    if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) for p in raw):
        raise ScenarioError(f"{source}: 'points' must be an array of tables ([[points]])")
    return [_flatten(p) for p in raw]


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; every point is validated as an override."""
    path = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ScenarioError(f"{source}: no such sweep file") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None
    unknown = [k for k in data if k not in ALLOWED]
    if unknown:
        raise ScenarioError(
            f"{source}: '{unknown[0]}' is not a known key here; allowed keys: {', '.join(ALLOWED)}"
        )
    if not isinstance(data.get("scenario"), str):
        raise ScenarioError(f"{source}: 'scenario' is required: the path of a scenario file")
    scenario = load_scenario((path.parent / data["scenario"]).resolve())
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
