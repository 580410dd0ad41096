"""The Batch page's input: sweep points from a CSV of overrides or a small grid.

A CSV has a header row of dotted keys (``advisors.roster_scale,demand.scale``)
and one row per scenario; each cell is read as TOML, as ``--set`` reads its
value (``1.2`` a number, ``2013-03-28`` a date, anything else text), and a
blank cell leaves the key at the scenario's value. A grid is every combination
of up to two keys' values. Every point is validated against the scenario, so a
bad key or value is one :class:`~sim111.errors.ScenarioError` line naming the
file, line and key, before anything runs.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from typing import Any

from sim111.errors import ScenarioError
from sim111.experiments.sweep import grid_points
from sim111.scenario import Scenario

MAX_POINTS = 25  # a batch in the browser stays small: a few seconds a point at most
COMMON_KEYS = (  # what a planner sweeps most often
    "advisors.roster_scale",
    "clinicians.0.roster_scale",
    "demand.scale",
    "demand.population",
    "advisors.handle_time.mean_min",
    "callers.patience.mean_min",
    "triage.clinical_share",
    "callers.redial_probability",
    "costs.price_per_call_gbp",
)


def toml_value(text: str) -> Any:
    """A cell or grid value read as TOML (``1.2``, ``18``, ``2013-03-28``); else the text."""
    raw = text.strip()
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _too_many(source: str, count: int) -> ScenarioError:
    return ScenarioError(
        f"{source}: {count} points; at most {MAX_POINTS} run here (use 'sim111 sweep' for more)"
    )


def csv_points(name: str, data: bytes, scenario: Scenario) -> list[dict[str, Any]]:
    """The points of an uploaded CSV of overrides, validated against ``scenario``
    (errors name the file's line: the header is line 1)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not UTF-8 text; save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ScenarioError(
            f"{name}: empty; expected a header row of dotted keys "
            "(e.g. advisors.roster_scale,demand.scale) and one row per scenario"
        )
    keys = [key.strip() for key in rows[0][1]]
    if any(not key for key in keys) or len(set(keys)) < len(keys):
        raise ScenarioError(f"{name}: the header must name each dotted key once, got {rows[0][1]}")
    if len(rows) - 1 > MAX_POINTS:
        raise _too_many(name, len(rows) - 1)
    points = []
    for line, row in rows[1:]:
        if len(row) > len(keys):
            raise ScenarioError(f"{name}: line {line} has {len(row)} cells, the header {len(keys)}")
        point = {k: toml_value(v) for k, v in zip(keys, row, strict=False) if v.strip()}
        scenario.with_overrides(point, source=f"{name}: line {line}")
        points.append(point)
    return points


def grid_values(key: str, text: str) -> list[Any]:
    """The comma-separated values given for ``key`` in the grid, each read as TOML."""
    values = [toml_value(part) for part in text.split(",") if part.strip()]
    if not values:
        raise ScenarioError(f"grid '{key}': give one or more values, comma-separated (0.9, 1.1)")
    return values


def grid(chosen: Mapping[str, str], scenario: Scenario) -> list[dict[str, Any]]:
    """Every combination of the grid's keys and values (text), validated; at most
    :data:`MAX_POINTS`."""
    values = {key: grid_values(key, text) for key, text in chosen.items()}
    points = grid_points(values)
    if len(points) > MAX_POINTS:
        raise _too_many("grid", len(points))
    for point in points:
        scenario.with_overrides(point, source="grid")
    return points
