"""Merging scenario data: a file over the base it extends, an area over the national base.

Tables merge key by key; anything else (values, arrays) replaces the base's,
except that a table keyed by indices (``[clinicians.0.handle_time]``) changes
those elements of the base's array.
"""

from __future__ import annotations

import re
from typing import Any

from sim111.errors import FieldError

INDEX = re.compile(r"[0-9]{1,6}")  # a list index in a key: ASCII digits (not '²' or '０')


def merge_data(
    base: dict[str, Any],
    top: dict[str, Any],
    origin: dict[str, str] | None = None,
    source: str = "",
    prefix: str = "",
) -> dict[str, Any]:
    """``top`` over ``base`` (neither is changed).

    ``origin`` (dotted key -> the file that set it), if given, is updated with
    ``source`` for every key ``top`` sets. Raises :class:`FieldError` naming the
    dotted key when an index does not index the base's array.
    """
    out = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_data(out[key], value, origin, source, dotted + ".")
        elif isinstance(value, dict) and isinstance(out.get(key), list) and value:
            out[key] = _merge_items(out[key], value, origin, source, dotted)
        else:
            out[key] = value
            if origin is not None:
                for k in [k for k in origin if k == dotted or k.startswith(dotted + ".")]:
                    del origin[k]
                origin[dotted] = source
    return out


def _merge_items(
    base: list[Any],
    top: dict[str, Any],
    origin: dict[str, str] | None,
    source: str,
    dotted: str,
) -> list[Any]:
    """``{"0": {...}}`` over the base's array: changes element 0, key by key."""
    items = list(base)
    if not items:
        raise FieldError(dotted, "the base has none to change by index: give an array of tables")
    for index, part in top.items():
        if not (INDEX.fullmatch(index) and int(index) < len(items)):
            raise FieldError(
                f"{dotted}.{index}",
                f"must index the base's list (0..{len(items) - 1} in digits 0-9)",
            )
        if not isinstance(part, dict) or not isinstance(items[int(index)], dict):
            raise FieldError(f"{dotted}.{index}", "must be a table")
        items[int(index)] = merge_data(
            items[int(index)], part, origin, source, f"{dotted}.{index}."
        )
    return items
