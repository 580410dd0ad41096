"""How KPI values are shown to people: percentages, counts, pounds."""

from __future__ import annotations

import math

from sim111.kpis import Kpi


def _fmt(kpi: Kpi, x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    if kpi.unit == "fraction":
        return f"{x:.1%}"
    if kpi.unit == "calls":
        return f"{x:,.0f}"
    if kpi.unit == "GBP":
        return gbp(x)
    return f"{x:,.1f}"


def gbp(x: float) -> str:
    """Pounds: whole pounds from £1,000, pence below (e.g. '-£8.82')."""
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x):,.0f}" if abs(x) >= 1000 else f"{sign}£{abs(x):,.2f}"
