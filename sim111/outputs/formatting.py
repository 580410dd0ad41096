"""How KPI values are shown to people: percentages, counts, pounds."""

from __future__ import annotations

import math

from sim111.kpi_keys import Kpi


def _fmt(kpi: Kpi, x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    if kpi.unit == "fraction":
        return f"{x:.1%}"
    if kpi.unit == "calls" or (kpi.unit == "people" and abs(x) >= 1000):
        return f"{x:,.0f}"
    if kpi.unit == "GBP":
        return gbp(x)
    return f"{x:,.1f}"


def gbp(x: float) -> str:
    """Pounds: whole pounds from £1,000, pence below (e.g. '-£8.82')."""
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x):,.0f}" if abs(x) >= 1000 else f"{sign}£{abs(x):,.2f}"


def plural(count: int, noun: str) -> str:
    """'1 replication', '3 replications'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_table(rows: list[list[str]], left: int = 1) -> str:
    """Plain-text columns: the first ``left`` left-aligned, the rest right-aligned;
    a rule under the header row; no trailing spaces."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)
