"""What a calibration varies: dotted scenario keys with the range to search."""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any

from sim111.errors import ScenarioError
from sim111.scenario import Scenario

DEFAULT_SPAN = 2.0  # without a range, search value / 2 .. value x 2


@dataclass(frozen=True)
class Parameter:
    """A scenario value to fit: its dotted key, the range searched and whether it is whole."""

    key: str
    low: float
    high: float
    integer: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ScenarioError(
                f"--vary {self.key}: the range must be LOW:HIGH with LOW < HIGH, "
                f"got {self.low:g}:{self.high:g}"
            )

    def value(self, x: float) -> float | int:
        """``x`` as the scenario takes it (rounded for whole-number keys)."""
        return round(x) if self.integer else float(x)


def _field_bounds(key: str) -> tuple[float | None, float | None]:
    """The declared ``ge``/``le`` bounds of the scenario field at ``key`` (if it has them)."""
    cls: Any = Scenario
    meta: Any = {}
    for part in key.split("."):
        if part.isdigit():
            continue
        while typing.get_origin(cls) is tuple or typing.get_args(cls):
            args = [a for a in typing.get_args(cls) if a is not type(None) and a is not Ellipsis]
            cls = args[0]
        if not dataclasses.is_dataclass(cls):
            return None, None
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if part not in fields:
            return None, None
        meta = fields[part].metadata
        cls = typing.get_type_hints(cls)[part]
    low = meta.get("gt") if meta.get("ge") is None else meta.get("ge")
    return low, meta.get("le")


def current_value(scenario: Scenario, key: str) -> Any:
    """The value at dotted ``key`` of ``scenario`` (list elements by index)."""
    node: Any = scenario.to_data()
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ScenarioError(f"--vary {key}: the scenario has no value at '{key}'")
    return node


def parse_vary(scenario: Scenario, text: str) -> Parameter:
    """``KEY`` or ``KEY=LOW:HIGH`` as a :class:`Parameter`.

    Without a range the search runs from half to twice the scenario's value,
    kept inside the bounds the scenario reference declares for the key.
    """
    key, sep, span = text.partition("=")
    key = key.strip()
    value = current_value(scenario, key)
    if isinstance(value, dict | list):
        kind = "a table" if isinstance(value, dict) else "a list"
        raise ScenarioError(f"--vary {key}: names {kind}, not a number; give the full dotted key")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"--vary {key}: must name a number, the scenario has {value!r}")
    if sep:
        low_text, colon, high_text = span.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            colon = ""
        if not colon or not (math.isfinite(low) and math.isfinite(high)):
            raise ScenarioError(f"--vary {text}: the range must be LOW:HIGH, e.g. {key}=0.5:1.5")
    else:
        if value == 0:
            raise ScenarioError(f"--vary {key}: the value is 0, so give a range KEY=LOW:HIGH")
        low, high = value / DEFAULT_SPAN, value * DEFAULT_SPAN
    floor, ceiling = _field_bounds(key)
    if sep and ((floor is not None and low < floor) or (ceiling is not None and high > ceiling)):
        shown = (
            "-inf" if floor is None else f"{floor:g}",
            "inf" if ceiling is None else f"{ceiling:g}",
        )
        allowed = "..".join(shown)
        raise ScenarioError(f"--vary {text}: the range must lie within {allowed}")
    low = low if floor is None else max(low, floor)
    high = high if ceiling is None else min(high, ceiling)
    return Parameter(key, low, high, integer=isinstance(value, int))
