"""A JSON Schema (draft 2020-12) of scenario files, for editors that check TOML.

Generated from the same :func:`~sim111.scenario.schema.spec` declarations that
:func:`~sim111.scenario.schema.build` validates against and that generate
``docs/scenario-reference.md``: types, units (in the descriptions), ranges
(``ge``/``gt``/``le``/``lt`` as ``minimum``/``exclusiveMinimum``/...), choices
(as ``enum``), array lengths and defaults. Every table is closed
(``additionalProperties: false``), as the validator rejects unknown keys.

A file that ``extends`` another is a partial document: the loader merges it over
its base, so it needs no key at all, and it may change elements of the base's
arrays of tables by index (``[clinicians.0.handle_time]``). Such a file is
checked against the partial variant of each table (``<Name>.partial``: the same
keys, types and ranges, nothing required, arrays of tables also as tables keyed
by index). An area's overlays (``[areas.demand]``) are partial tables of the
same kind, as they are merged over the base scenario.

What the schema cannot say, the validator still checks when the file is loaded:
which keys each distribution ``kind`` reads, that shares add up, that dates are
TOML dates (the schema sees them as ``YYYY-MM-DD`` strings), that an integer key
is not written ``5.0``, and the cross-field rules of ``__post_init__``.

Run ``sim111 schema`` or ``python -m sim111.scenario.json_schema``; a test checks
the committed ``docs/sim111-scenario.schema.json`` is current.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import types
import typing
from typing import Any

from sim111.scenario.schema import FrozenTable
from sim111.scenario.top import Scenario

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_PATH = "docs/sim111-scenario.schema.json"
PARTIAL = ".partial"
_BOUNDS = (
    ("ge", "minimum"),
    ("gt", "exclusiveMinimum"),
    ("le", "maximum"),
    ("lt", "exclusiveMaximum"),
)


def _unwrap(tp: Any) -> Any:
    """``X | None`` is ``X``: TOML has no null, a key left out is the unset value."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0]
    return tp


def _item_type(tp: Any) -> Any | None:
    """The element type of ``tuple[X, ...]``, else ``None``."""
    return typing.get_args(tp)[0] if typing.get_origin(tp) is tuple else None


def _ref(cls: type, partial: bool) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{cls.__name__}{PARTIAL if partial else ''}"}


def _scalar(tp: Any, meta: typing.Mapping[str, Any]) -> dict[str, Any]:
    """The schema of one number, integer, string, boolean or date, with its limits."""
    if tp is bool:
        return {"type": "boolean"}
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if tp is str:
        out: dict[str, Any] = {"type": "string"}
        if meta.get("choices"):
            out["enum"] = list(meta["choices"])
        return out
    out = {"type": "integer" if tp is int else "number"}
    for name, keyword in _BOUNDS:
        if meta.get(name) is not None:
            out[keyword] = meta[name]
    return out


def _array_of_tables(item: type, partial: bool) -> dict[str, Any]:
    """An array of tables; in a partial document also a table of changes by index."""
    whole = {"type": "array", "items": _ref(item, partial=False)}
    if not partial:
        return whole
    by_index = {
        "type": "object",
        "patternProperties": {"^[0-9]+$": _ref(item, partial=True)},
        "additionalProperties": False,
    }
    return {"anyOf": [whole, by_index]}


def _overlay(name: str) -> dict[str, Any]:
    """An area's overlay: the partial form of the scenario's key of the same name."""
    tp = _unwrap(typing.get_type_hints(Scenario)[name])
    item = _item_type(tp)
    if item is not None and dataclasses.is_dataclass(item):
        return _array_of_tables(item, partial=True)  # type: ignore[arg-type]
    if dataclasses.is_dataclass(tp):
        return _ref(tp, partial=True)  # type: ignore[arg-type]
    return {"type": ["object", "array"]}


def _type_schema(name: str, tp: Any, meta: typing.Mapping[str, Any], partial: bool) -> Any:
    """The schema of a field's value (without its description and default)."""
    tp = _unwrap(tp)
    if tp is FrozenTable:
        return _overlay(name)
    if dataclasses.is_dataclass(tp):
        return _ref(tp, partial)  # type: ignore[arg-type]
    item = _item_type(tp)
    if item is None:
        return _scalar(tp, meta)
    if dataclasses.is_dataclass(item):
        return _array_of_tables(item, partial)  # type: ignore[arg-type]
    out: dict[str, Any] = {"type": "array", "items": _scalar(_unwrap(item), meta)}
    lengths = meta.get("length")
    if lengths and len(lengths) == 1:
        out.update(minItems=lengths[0], maxItems=lengths[0])
    elif lengths:
        out["anyOf"] = [{"minItems": n, "maxItems": n} for n in lengths]
    return out


def _json_value(value: Any) -> Any:
    """A default as JSON, or ``None`` when it has no JSON form worth showing."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        items = [_json_value(v) for v in value]
        return None if any(v is None for v in items) else items
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return None


def _field_schema(f: dataclasses.Field[Any], tp: Any, partial: bool) -> dict[str, Any]:
    meta = f.metadata
    out = dict(_type_schema(f.name, tp, meta, partial))
    unit = meta.get("unit", "")
    doc = meta.get("doc", "")
    out["description"] = f"{doc} Unit: {unit}." if unit else doc
    if f.default is not dataclasses.MISSING:
        default = _json_value(f.default)
        if default is not None:
            out["default"] = default
    return out


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _table(cls: type, partial: bool) -> dict[str, Any]:
    """The schema of one table: its keys, closed to others; required keys unless partial."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    doc = " ".join((cls.__doc__ or "").replace("``", "`").split())
    out: dict[str, Any] = {
        "type": "object",
        "description": doc,
        "properties": {f.name: _field_schema(f, hints[f.name], partial) for f in fields},
        "additionalProperties": False,
    }
    required = [f.name for f in fields if _required(f)]
    if required and not partial:
        out["required"] = required
    return out


def _classes() -> list[type]:
    """Every table class a scenario holds, in the order first met from the top."""
    found: list[type] = []
    queue: list[type] = [Scenario]
    while queue:
        cls = queue.pop(0)
        if cls in found:
            continue
        found.append(cls)
        for tp in typing.get_type_hints(cls).values():
            tp = _unwrap(tp)
            inner = _item_type(tp) or tp
            if dataclasses.is_dataclass(inner):
                queue.append(inner)  # type: ignore[arg-type]
    return found


def scenario_json_schema() -> dict[str, Any]:
    """The whole JSON Schema of a scenario file, as a ``dict``."""
    defs: dict[str, Any] = {}
    for cls in _classes():
        defs[cls.__name__] = _table(cls, partial=False)
        defs[cls.__name__ + PARTIAL] = _table(cls, partial=True)
    extends = {"type": "string", "description": "A scenario file this one changes (relative)."}
    for variant in (Scenario.__name__, Scenario.__name__ + PARTIAL):
        defs[variant]["properties"] = {"extends": extends, **defs[variant]["properties"]}
    return {
        "$schema": DRAFT,
        "title": "sim111 scenario file",
        "description": (
            "A sim111 scenario (TOML). Generated by `sim111 schema` from the validator's "
            "declarations; see docs/scenario-reference.md. A file with `extends` is a partial "
            "document: nothing is required and arrays of tables may be changed by index."
        ),
        "if": {"required": ["extends"]},
        "then": _ref(Scenario, partial=True),
        "else": _ref(Scenario, partial=False),
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as the committed file holds it: indented JSON ending in a newline."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(schema_text())
