"""Provider types as presets a scenario can name: ``provider_type = "nhs_direct"``.

Who runs an NHS 111 contract changes who answers the clinical calls and what
they cost: ambulance trusts (paramedics and nurses, beside their 999 control
room), GP out-of-hours co-operatives (nurses and GPs, with their own
out-of-hours base), NHS Direct (nurse-led, a call-back model, a national
organisation's overheads) and commercial providers. Each preset is a TOML file
shipped with the package (``sim111/scenario/presets/<name>.toml``), read with
``tomllib`` (it never runs code), that says where every value comes from
(Q quoted, D derived, E estimate; docs/providers.md).

A preset's data is merged over the scenario's base (its ``extends`` chain, or
the built-in defaults) and under the file's own keys, by the same rule as
``extends`` (:mod:`sim111.scenario.merge`). Every preset sets the same keys,
so putting one preset over a scenario built with another leaves nothing of
the first behind.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from importlib import resources
from typing import Any

from sim111.errors import FieldError, ScenarioError
from sim111.scenario.merge import merge_data
from sim111.scenario.schema import to_data

PROVIDER_TYPES: tuple[str, ...] = (
    "ambulance_trust",
    "gp_ooh_cooperative",
    "nhs_direct",
    "commercial",
)

_CACHE: dict[str, dict[str, Any]] = {}


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or name not in PROVIDER_TYPES:
        allowed = ", ".join(repr(n) for n in PROVIDER_TYPES)
        shown = repr(name) if isinstance(name, str) else str(name)
        raise FieldError("provider_type", f"must be one of {allowed}, got {shown}")
    return name


def preset_source(name: str) -> str:
    """Where preset ``name`` is read from (for error messages and ``origin``)."""
    return str(resources.files("sim111.scenario").joinpath("presets", f"{_check_name(name)}.toml"))


def preset_data(name: str) -> dict[str, Any]:
    """A deep copy of preset ``name``'s TOML data.

    Raises :class:`~sim111.errors.FieldError` on key ``provider_type`` when
    ``name`` is not one of :data:`PROVIDER_TYPES`.
    """
    _check_name(name)
    if name not in _CACHE:
        text = resources.files("sim111.scenario").joinpath("presets", f"{name}.toml").read_text()
        _CACHE[name] = tomllib.loads(text)
    return copy.deepcopy(_CACHE[name])


def with_preset(
    base: dict[str, Any], name: str, origin: dict[str, str] | None = None
) -> dict[str, Any]:
    """``base`` with preset ``name`` merged over it (the ``extends`` rule).

    Where the preset changes elements of an array the base does not set (an
    index table such as ``[clinical.priorities.0]`` over a file with no
    priority classes), the elements are those of the built-in default.
    ``origin`` (optional) records the preset file as the source of its keys.
    An unknown ``name`` raises :class:`~sim111.errors.FieldError` on key
    ``provider_type``; a preset that indexes more elements than the base has
    raises :class:`~sim111.errors.ScenarioError` naming the preset file.
    """
    preset = preset_data(name)
    source = preset_source(name)
    try:
        return merge_data(_with_indexed_defaults(base, preset), preset, origin, source)
    except FieldError as err:
        raise ScenarioError(f"{source}: '{err.key}' {err.message}") from None


def _with_indexed_defaults(
    base: dict[str, Any], preset: dict[str, Any], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``base`` with the built-in default array filled in wherever the preset indexes one
    that ``base`` does not set."""
    out = dict(base)
    for key, value in preset.items():
        if not isinstance(value, dict):
            continue
        here = (*path, key)
        if value and all(k.isdigit() for k in value) and key not in out:
            default = _builtin_default(here)
            if isinstance(default, list):
                out[key] = default
        elif isinstance(out.get(key, {}), dict):
            inner = _with_indexed_defaults(out.get(key, {}), value, here)
            if inner or key in out:
                out[key] = inner
    return out


def _builtin_default(path: tuple[str, ...]) -> Any:
    """The built-in default of the scenario key at ``path``, as TOML-like data."""
    from sim111.scenario.top import Scenario  # top imports this module for with_overrides

    fields = {f.name: f for f in dataclasses.fields(Scenario)}
    if path[0] not in fields:
        return None  # not a scenario key: validation names it
    field = fields[path[0]]
    factory = field.default_factory
    node: Any = field.default if factory is dataclasses.MISSING else factory()
    for part in path[1:]:
        node = getattr(node, part, None)
    return to_data(node)


def with_provider_type(data: dict[str, Any], name: Any, source: str) -> dict[str, Any]:
    """Scenario ``data`` with preset ``name`` over it and ``provider_type`` set to it
    (``None``: the label removed, the data kept), for ``Scenario.with_overrides``.

    Raises :class:`~sim111.errors.ScenarioError` naming ``source`` and the key.
    """
    if name is None:
        data.pop("provider_type", None)
        return data
    try:
        data = with_preset(data, name)
    except FieldError as err:
        raise ScenarioError(f"{source}: '{err.key}' {err.message}") from None
    data["provider_type"] = name
    return data
