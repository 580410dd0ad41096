"""Merging TOML-like scenario data: one layer over another, key by key.

The one rule for ``extends`` chains and provider presets alike: tables merge
key by key; arrays and values replace; a table keyed by indices
(``[clinicians.0.handle_time]``) changes those elements of the base's array.
``origin`` records, for each dotted key set here, the file that set it, so an
error can name that file.
"""

from __future__ import annotations

from typing import Any

from sim111.errors import ScenarioError


def merge_data(
    base: dict[str, Any], top: dict[str, Any], source: str, origin: dict[str, str], prefix: str = ""
) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_data(out[key], value, source, origin, dotted + ".")
        elif isinstance(value, dict) and isinstance(out.get(key), list) and value:
            # [clinicians.0.handle_time] changes one element of the base's array
            items = list(out[key])
            for index, part in value.items():
                if not (index.isdigit() and int(index) < len(items)):
                    raise ScenarioError(
                        f"{source}: '{dotted}.{index}' must index the base's list "
                        f"(0..{len(items) - 1})"
                    )
                if not isinstance(part, dict) or not isinstance(items[int(index)], dict):
                    raise ScenarioError(f"{source}: '{dotted}.{index}' must be a table")
                items[int(index)] = merge_data(
                    items[int(index)], part, source, origin, f"{dotted}.{index}."
                )
            out[key] = items
        else:
            out[key] = value
            for k in [k for k in origin if k == dotted or k.startswith(dotted + ".")]:
                del origin[k]
            origin[dotted] = source
    return out
