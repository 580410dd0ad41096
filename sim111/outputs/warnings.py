"""Warnings for planners in the outputs: a list for the JSON, a section for the report.

The warnings themselves are :mod:`sim111.experiments.warnings`'s; a result
carries everything they need (its scenario and its summary), so the JSON and
the report can tell them without the command line.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from sim111.experiments.replications import ExperimentResult
from sim111.experiments.warnings import result_warnings, scenario_warnings
from sim111.scenario.warnings import PlannerWarning, unique


def all_warnings(result: ExperimentResult) -> tuple[PlannerWarning, ...]:
    """The warnings of ``result``'s scenario, then those of the run itself."""
    return tuple(unique([*scenario_warnings(result.scenario), *result_warnings(result)]))


def warnings_json(result: ExperimentResult) -> list[dict[str, str]]:
    """``[{"code", "message"}, ...]`` of :func:`all_warnings` (``[]``: none)."""
    return [w.as_json() for w in all_warnings(result)]


def warnings_section_html(warnings: Sequence[PlannerWarning]) -> str:
    """An HTML section listing ``warnings`` ('' when there are none)."""
    if not warnings:
        return ""
    items = "\n".join(
        f"<li><code>{html.escape(w.code)}</code> {html.escape(w.message)}</li>" for w in warnings
    )
    return (
        '<section id="warnings"><h2>Warnings</h2>\n'
        '<p class="warning">Read the results with these in mind; they do not stop a run '
        "(<code>--strict</code> makes them errors).</p>\n"
        f"<ul>\n{items}\n</ul></section>"
    )
