"""Generate ``docs/scenario-reference.md`` from the scenario field declarations.

Run ``python -m sim111.scenario.docs > docs/scenario-reference.md``; a test checks
the committed file is current, so the reference cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any

from sim111.scenario import Scenario
from sim111.scenario.schema import _type_name

INTRO = """\
# Scenario file reference

Generated from the code by `python -m sim111.scenario.docs > docs/scenario-reference.md`;
do not edit by hand. Every key is optional unless marked **required**. Unknown keys are
rejected. Units are in the key names (`_min` minutes, `_s` seconds, `_per_hour`, `_gbp`).
Any key can be overridden on the command line with `--set dotted.key=value` (the value is
read as TOML: `18`, `2.5`, `2013-03-28`, `"text"`, `[1, 2]`), or in Python with
`scenario.with_overrides({"dotted.key": value})`; overrides are validated like the file.
Every number must be finite and, where its row gives no bound, at most 1e12 in size;
durations at most 1e9 min (a patience that long never runs out), head-counts 10,000 a
shift line (after `roster_scale`), a population 100 million, a day's expected calls 10
million; at most 100 priority or downstream classes, clinician groups, providers or
downstream services (the per-call records index them in a byte) and 1,000 areas. Names
(of the scenario, classes, groups, areas) are letters, digits 0-9, spaces and `-_.,()&'+£$%:!?#^{}`,
at most 80 characters, never `..` (`sim111/scenario/limits.py`).

Distributions (`*.handle_time`, `callers.patience`, `callers.redial_delay`) are tables
with a `kind` and that kind's keys only (any other key is an error):

| kind | keys | meaning |
|---|---|---|
| `exponential` | `mean_min` | exponential with that mean |
| `lognormal` | `mean_min`, `sd_min` | the mean and SD of the duration itself, not of its log |
| `gamma` | `mean_min`, `sd_min` | gamma with that mean and SD |
| `fixed` | `mean_min` | always `mean_min` |
| `triangular` | `low_min`, `mode_min`, `high_min` | lowest, most likely, highest |
| `uniform` | `low_min`, `high_min` | uniform between the two |
| `empirical` | `values_min = [...]` or `file = "x.csv"` | observed durations, each equally likely |
| `never` | none | `callers.patience` only: callers never hang up |

Every draw is the inverse CDF of one uniform (common random numbers survive a change of
kind or parameter). `empirical` draws the inverse of the empirical CDF: the `k`-th smallest
of `n` values for a uniform in `((k-1)/n, k/n]` (no interpolation). Its `file` is a CSV of
one column of values (a header line is allowed), read when the scenario is loaded, relative
to the scenario file that names it; the values are then part of the scenario. With `never`,
planning uses Erlang-C for advisors.
"""


def _default_text(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
        if dataclasses.is_dataclass(value):
            return "(table)"
    else:
        return "**required**"
    if value is None:
        return "unset"
    if isinstance(value, tuple):
        if value and isinstance(value[0], float) and len(value) > 4:
            return f"{len(value)} values (see docs/domain.md)"
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else f"{v:g}" for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _allowed(f: dataclasses.Field[Any], tp: Any) -> str:
    meta = f.metadata
    parts = []
    if meta.get("choices"):
        parts.append(" / ".join(f"`{c}`" for c in meta["choices"]))
    for name, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
        if meta.get(name) is not None:
            parts.append(f"{sym} {meta[name]:g}")
    if meta.get("length"):
        parts.append(" or ".join(str(n) for n in meta["length"]) + " entries")
    return ", ".join(parts)


def _rows(cls: type, prefix: str, out: list[str], tables: list[tuple[str, type]]) -> None:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = (
            args[0]
            if typing.get_origin(tp) in (typing.Union,)
            or (args and type(None) in typing.get_args(tp))
            else tp
        )
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(inner):
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            tables.append((key + (" (required)" if required else ""), inner))  # type: ignore[arg-type]
            continue
        if typing.get_origin(inner) is tuple and dataclasses.is_dataclass(
            typing.get_args(inner)[0]
        ):
            tables.append((f"{key}[]", typing.get_args(inner)[0]))
            continue
        unit = f.metadata.get("unit", "")
        out.append(
            f"| `{key}` | {_type_name(inner)} | {unit} | {_default_text(f)} | "
            f"{_allowed(f, inner)} | {f.metadata.get('doc', '')} |"
        )


def reference_markdown() -> str:
    """The whole reference page as Markdown."""
    lines = [INTRO]
    queue: list[tuple[str, type]] = [("", Scenario)]
    while queue:
        key, cls = queue.pop(0)
        title = key.replace(" (required)", "") or "top level"
        required = " — **required**" if "(required)" in key else ""
        doc = inspect.cleandoc(cls.__doc__ or "").replace("``", "`")
        rows: list[str] = []
        found: list[tuple[str, type]] = []
        key = key.removesuffix(" (required)") if "(required)" in key else key
        prefix = key.removesuffix("[]") + ("." if key else "")
        _rows(cls, prefix, rows, found)
        array = (
            " (array of tables: `[[" + key.removesuffix("[]") + "]]`)" if key.endswith("[]") else ""
        )
        lines.append(f"## `{title}`{array}{required}\n\n{doc}\n")
        if rows:
            lines.append("| key | type | unit | default | allowed | meaning |")
            lines.append("|---|---|---|---|---|---|")
            lines.extend(rows)
            lines.append("")
        queue[:0] = found
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference_markdown())
