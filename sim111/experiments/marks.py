"""How each targeted KPI of a result is marked: met, MISSED or unattainable.

One function, so that the KPI table, the headline, the report, the JSON, the
Excel workbook, the staffing verdict and the commands that say whether targets
are met all agree (here, below the outputs and planning, so both can call it).
"""

from __future__ import annotations

from sim111.experiments.replications import ExperimentResult
from sim111.scenario.targets import Target, kpi_targets


def target_marks(result: ExperimentResult) -> dict[str, tuple[Target, str]]:
    """Each KPI the scenario's ``[targets]`` set: its target and how its mean is marked.

    The mark is ``met``, ``MISSED``, ``unattainable (at most N%)`` or ``''`` (the
    KPI is undefined). The KPI table, the report, the JSON and the commands that
    say whether targets are met all judge by this one function.
    """
    summary = result.summary
    return {
        key: (target, target.status(float(summary.loc[key, "mean"])))
        for key, target in kpi_targets(result.scenario).items()
        if key in summary.index
    }
