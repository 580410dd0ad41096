"""Turning plain TOML data into frozen, validated dataclasses.

The scenario classes declare each field's unit, range and meaning with
:func:`spec`; :func:`build` walks a nested ``dict`` (from ``tomllib``) against
those declarations, rejects unknown keys, checks types and ranges, and raises
:class:`~sim111.errors.FieldError` naming the dotted key and what is allowed.
:func:`to_data` is the inverse, used by overrides. The same declarations
generate ``docs/scenario-reference.md`` (see :mod:`sim111.scenario.docs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from sim111.errors import FieldError, shown
from sim111.scenario.limits import MAX_NUMBER, UNIT_MAX, check_name

_MISSING = dataclasses.MISSING
T = TypeVar("T")


class FrozenTable:
    """A TOML table or array kept as given, immutable and hashable: an overlay merged
    over another scenario's data later (an area's ``[areas.demand]``), so it is
    validated then, not here. ``thaw()`` gives the plain data back."""

    __slots__ = ("_frozen",)
    _frozen: Any

    def __init__(self, data: Any) -> None:
        object.__setattr__(self, "_frozen", _freeze(data))

    def thaw(self) -> Any:
        """The plain (mutable) TOML-like data."""
        return _thaw(self._frozen)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenTable is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as its plain data (to workers)
        return (FrozenTable, (self.thaw(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrozenTable) and self._frozen == other._frozen

    def __hash__(self) -> int:
        return hash(self._frozen)

    def __repr__(self) -> str:
        return f"FrozenTable({self.thaw()!r})"


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("table", tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("array", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("table", "array"):
        kind, items = value
        if kind == "table":
            return {k: _thaw(v) for k, v in items}
        return [_thaw(v) for v in items]
    return value


def spec(
    default: Any = _MISSING,
    *,
    doc: str,
    unit: str = "",
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: tuple[str, ...] | None = None,
    length: tuple[int, ...] | None = None,
    default_factory: Any = _MISSING,
) -> Any:
    """A dataclass field carrying its documentation and its allowed values.

    A field of unit ``min``, ``s`` or ``people`` with no upper bound gets that
    unit's (:data:`~sim111.scenario.limits.UNIT_MAX`); any other number is at
    most :data:`~sim111.scenario.limits.MAX_NUMBER` in size.
    """
    if le is None and lt is None:
        le = UNIT_MAX.get(unit)
    metadata = {
        "doc": doc,
        "unit": unit,
        "ge": ge,
        "gt": gt,
        "le": le,
        "lt": lt,
        "choices": choices,
        "length": length,
    }
    if default_factory is not _MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is float:
        return "a number"
    if tp is int:
        return "an integer"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is dt.date:
        return "a date (YYYY-MM-DD)"
    if tp is FrozenTable:
        return "a table (merged over the base's)"
    if dataclasses.is_dataclass(tp):
        return "a table"
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        if dataclasses.is_dataclass(inner):
            return "an array of tables"
        return f"a list of {_type_name(inner).removeprefix('a ').removeprefix('an ')}s"
    return str(tp)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"a list of {len(value)}" if len(repr(value)) > 60 else repr(value)
    if isinstance(value, float):
        return str(value)
    return shown(value) if isinstance(value, str | int) else shown(str(value))


def _check_range(value: float, meta: Mapping[str, Any]) -> None:
    checks = (
        ("ge", lambda v, b: v >= b, ">="),
        ("gt", lambda v, b: v > b, ">"),
        ("le", lambda v, b: v <= b, "<="),
        ("lt", lambda v, b: v < b, "<"),
    )
    for name, ok, symbol in checks:
        bound = meta.get(name)
        if bound is not None and not ok(value, bound):
            raise FieldError("", f"must be {symbol} {bound:g}, got {_show(value)}")
    if meta.get("le") is None and meta.get("lt") is None and abs(value) > MAX_NUMBER:
        raise FieldError("", f"must be at most {MAX_NUMBER:g} in size, got {_show(value)}")


def _convert_scalar(tp: Any, value: Any, meta: Mapping[str, Any]) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            raise FieldError("", f"must be true or false, got {_show(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError("", f"must be an integer, got {_show(value)}")
        _check_range(value, meta)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FieldError("", f"must be a number, got {_show(value)}")
        if isinstance(value, int) and abs(value) > MAX_NUMBER:
            _check_range(value, meta)  # names the bound; an int past float range cannot convert
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise FieldError("", f"must be a finite number, got {value}")
        _check_range(value, meta)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise FieldError("", f"must be a string, got {_show(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise FieldError("", f"must be one of {allowed}, got {_show(value)}")
        return value
    if tp is dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise FieldError("", f"must be a date like 2013-03-28, got {_show(value)}")
        return value
    raise TypeError(f"unsupported field type {tp!r}")  # a bug in a schema, not input


def _convert(tp: Any, value: Any, meta: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value, meta)
    if dataclasses.is_dataclass(tp):
        return build(tp, value)  # type: ignore[arg-type]
    if tp is FrozenTable:
        if not isinstance(value, Mapping | list):
            raise FieldError("", f"must be a table or an array of tables, got {_show(value)}")
        return FrozenTable(value)
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        if not isinstance(value, list | tuple):
            raise FieldError("", f"must be {_type_name(tp)}, got {_show(value)}")
        length = meta.get("length")
        if length and len(value) not in length:
            allowed = " or ".join(str(n) for n in length)
            raise FieldError("", f"must have {allowed} entries, got {len(value)}")
        items = []
        for i, item in enumerate(value):
            try:
                items.append(_convert(inner, item, meta))
            except FieldError as err:
                raise err.under(str(i)) from None
        return tuple(items)
    return _convert_scalar(tp, value, meta)


@functools.cache
def _schema(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    # resolving the string annotations is the slow part of building: once per class
    fields = {f.name: f for f in dataclasses.fields(cls)}
    return typing.get_type_hints(cls), fields


def build(cls: type[T], data: Any) -> T:
    """Build the frozen dataclass ``cls`` from TOML data, validating every key.

    Raises :class:`FieldError` with the dotted key of the first problem.
    """
    if not isinstance(data, Mapping):
        raise FieldError("", f"must be a table, got {_show(data)}")
    hints, fields = _schema(cls)  # type: ignore[arg-type]
    unknown = [k for k in data if k not in fields]
    if unknown:
        allowed = ", ".join(sorted(fields))
        raise FieldError(unknown[0], f"is not a known key here; allowed keys: {allowed}")
    kwargs = {}
    for name, value in data.items():
        try:
            kwargs[name] = _convert(hints[name], value, fields[name].metadata)
        except FieldError as err:
            raise err.under(name) from None
    missing = [
        name
        for name, f in fields.items()
        if name not in kwargs and f.default is _MISSING and f.default_factory is _MISSING
    ]
    if missing:
        raise FieldError(missing[0], "is required")
    return cls(**kwargs)


def to_data(obj: Any) -> Any:
    """The plain TOML-like data of a scenario object (``None`` fields omitted).

    An object with a ``data_keys()`` method gives only those keys: the rest it
    works out from them (a triangular distribution's mean), and building it
    again from data that set them would be an error.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        keys = obj.data_keys() if hasattr(obj, "data_keys") else None
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is not None and (keys is None or f.name in keys):
                out[f.name] = to_data(value)
        return out
    if isinstance(obj, tuple | list):
        return [to_data(v) for v in obj]
    if isinstance(obj, FrozenTable):
        return obj.thaw()
    return obj


def check_kpi_name(name: str) -> None:
    """Names that become part of KPI keys must be identifiers."""
    if not name.isidentifier():
        raise FieldError("name", f"must be letters, digits and _ (for KPI keys), got {shown(name)}")
    check_name("name", name)


def exactly_one(obj: Any, first: str, second: str) -> None:
    """Raise unless exactly one of two optional fields of ``obj`` is set."""
    if (getattr(obj, first) is None) == (getattr(obj, second) is None):
        raise FieldError(first, f"or '{second}' is required (one, not both)")
