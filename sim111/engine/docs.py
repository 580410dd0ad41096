"""The per-call records reference, ``docs/records.md``, generated from the column declarations.

``python -m sim111.engine.docs > docs/records.md``; a test checks the
committed file is current.
"""

from __future__ import annotations

import math

from sim111.engine.columns import ENGINE_HELD, GROUPS, IN_TABLE, KINDS, Column
from sim111.engine.detail import UNMEASURED


def records_markdown() -> str:
    """The records reference (``docs/records.md``), generated from :data:`COLUMNS`."""
    lines = [
        "# Per-call records",
        "",
        "Generated from `sim111/engine/columns.py` by "
        "`python -m sim111.engine.docs > docs/records.md`; do not edit.",
        "",
        "One row per offered call; a redial is a new row with the same `caller_id`.",
        "Times are minutes on the run clock from 00:00 of the first day.",
        "",
        "In `CallRecords` (the records in Python) a column the run did not hold, as",
        "the provider columns of a scenario without overflow providers, is its blank",
        "for every call: one value viewed once a call (`strides == (0,)`), read-only.",
        "The flags are views of the engine's int8 columns. Copy a column to change it.",
        "",
        "A run whose records are kept only to be measured (a sweep without",
        "`keep_records`) leaves out the columns marked *outputs only*: no KPI reads",
        "them, and the engine does not even hold those it only writes.",
        "",
        "## Kinds",
        "",
    ]
    lines += [f"- `{kind}`: {text}" for kind, text in KINDS.items()]
    lines += ["", "## The records table (CSV columns, in order)", ""]
    lines += ["| column | kind | dtype | unit | blank | meaning |", "|---|---|---|---|---|---|"]
    for c in IN_TABLE:
        meaning = c.meaning
        if c.categories:
            meaning += " — labels: " + ", ".join(f"`{x}`" for x in c.categories)
        if c.needs_start_date:
            meaning += " (only when the run has a start date)"
        if c.held_if:
            meaning += f" (held only when the scenario has a {GROUPS[c.held_if]}; else blank)"
        if c.name in UNMEASURED:
            meaning += " (*outputs only*)"
        lines.append(f"| `{c.name}` | {c.kind} | {c.dtype} | {c.unit} | {_blank(c)} | {meaning} |")
    lines += ["", "## Engine-only columns (read during a run, not recorded)", ""]
    lines += ["| column | kind | typecode | unit | meaning |", "|---|---|---|---|---|"]
    for c in ENGINE_HELD:
        if c.dtype is None:
            meaning = c.meaning + (f", one column per {GROUPS[c.per]}" if c.per else "")
            if c.held_if:
                meaning += f" (held only when the scenario has a {GROUPS[c.held_if]})"
            lines.append(f"| `{c.name}` | {c.kind} | `{c.typecode}` | {c.unit} | {meaning} |")
    return "\n".join(lines) + "\n"


def _blank(column: Column) -> str:
    if column.blank is None:
        return ""
    if isinstance(column.blank, float) and math.isnan(column.blank):
        return "NaN"
    if column.categories and column.blank >= 0:
        return f"`{column.categories[column.blank]}`"
    return repr(column.blank)


if __name__ == "__main__":
    import sys

    sys.stdout.write(records_markdown())
