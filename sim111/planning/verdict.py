"""What a staffing search found, in words: met or not, and the targets it steered to.

``sim111 staff`` and the app's Staff & price page say it with these same
functions. "Met" needs both the search's judgement (the targets it steered to,
at the worst end of their intervals) and the tables' (every target on its
mean, :meth:`~sim111.scenario.targets.Target.status`): never "met" above a
MISSED row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim111.experiments.marks import target_marks
from sim111.kpi_keys import kpi_info
from sim111.scenario.targets import kpi_targets

if TYPE_CHECKING:  # the CLI imports this at start; scipy.optimize only when staffing
    from sim111.planning.staffing import StaffingResult


def missed_labels(found: StaffingResult) -> list[str]:
    """Labels of the KPIs the staffed scenario's table marks MISSED (on their means)."""
    marks = target_marks(found.result)
    return [kpi_info(key).label for key, (_, mark) in marks.items() if mark == "MISSED"]


def verdict(found: StaffingResult) -> tuple[bool, list[str]]:
    """Whether to say the targets are met, and the rows the KPI table marks MISSED."""
    missed = missed_labels(found)
    return found.met and not missed, missed


def verdict_text(found: StaffingResult) -> str:
    """One sentence: met or not after how many iterations, and why not."""
    met, missed = verdict(found)
    unattainable = [
        kpi_info(k).label for k, t in kpi_targets(found.scenario).items() if not t.attainable
    ]
    if met:
        but = f" (not the unattainable: {'; '.join(unattainable)})" if unattainable else ""
        return f"Targets met after {found.iterations} iteration(s){but}."
    if found.met:
        return (
            f"Targets NOT met after {found.iterations} iteration(s): the roster meets the "
            f"targets it was steered to, but the table marks MISSED: {'; '.join(missed)}."
        )
    return f"Targets NOT met after {found.iterations} iteration(s): {found.note}."


def targets_text(found: StaffingResult) -> str:
    """The staffed scenario's targets as its tables mark them, and which were steered to."""
    parts = []
    for key, target in kpi_targets(found.scenario).items():
        if key in found.steered:
            why = ""
        elif not target.attainable:
            why = " (unattainable: not steered to)"
        else:
            why = " (not steered to: the clinician roster was kept)"
        parts.append(f"{kpi_info(key).label} {target.text()}{why}")
    return "; ".join(parts)
