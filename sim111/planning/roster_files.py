"""A roster as TOML people can read: one shift line a line, under a header in words.

``sim111 staff`` writes it as ``roster.toml``; the web app's Staff & price page
offers the same text as a download. A scenario can take it as it is.
"""

from __future__ import annotations

import json

from sim111.scenario import Scenario, Shift


def _inline(shift: Shift) -> str:
    """One shift line as a TOML inline table (JSON strings are TOML basic strings)."""
    days = ", ".join(json.dumps(d) for d in shift.day_types)
    return (
        f"  {{ name = {json.dumps(shift.name)}, start = {json.dumps(shift.start)}, "
        f"end = {json.dumps(shift.end)}, count = {shift.count}, day_types = [{days}] }},"
    )


def roster_toml(scenario: Scenario, header: str, clinicians: bool) -> str:
    """The rosters of ``scenario`` (advisors; clinician groups too if ``clinicians``),
    one shift line a line, under ``header`` as comments: TOML a scenario can take."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += ["", "[advisors]", "shifts = [", *map(_inline, scenario.advisors.shifts), "]"]
    for group in scenario.clinicians if clinicians else ():
        if not group.shifts:
            continue  # a constant head-count: not rostered here
        out += ["", "[[clinicians]]", f"name = {json.dumps(group.name)}", "shifts = ["]
        out += [*map(_inline, group.shifts), "]"]
    return "\n".join(out) + "\n"
