"""A run too large to start by accident: more estimated calls than :data:`MAX_ESTIMATED_CALLS`
stops before it starts, saying so, unless the user adds ``--yes``.

The estimate is the calls the demand expects (before its random day factor:
:func:`~sim111.measures.coverage.expected_calls`), summed over the run's days and
areas, times the replications (and points, or scenarios).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim111.engine.calendar import run_days
from sim111.errors import ScenarioError
from sim111.measures.coverage import expected_calls
from sim111.scenario import Scenario

MAX_ESTIMATED_CALLS = 50_000_000  # calls in one command's replications, over every point
POINT_KEYS_OF_VOLUME = ("demand", "run", "areas")  # a sweep point setting these changes it


def calls_per_replication(scenario: Scenario) -> float:
    """The calls one replication of ``scenario`` expects, over its days and areas."""
    run = scenario.run
    days = run_days(run.start_date, run.calendar_days)
    parts = scenario.area_scenarios or (scenario,)
    return float(sum(expected_calls(part, days).sum() for part in parts))


def sweep_calls_per_replication(scenario: Scenario, points: Sequence[dict[str, Any]]) -> float:
    """The calls one replication of every point of a sweep over ``scenario`` expects
    (a point that sets no demand, run or areas key expects what ``scenario`` does)."""
    base = calls_per_replication(scenario)
    total = 0.0
    for point in points:
        if any(key.split(".")[0] in POINT_KEYS_OF_VOLUME for key in point):
            total += calls_per_replication(scenario.with_overrides(point))
        else:
            total += base
    return total


def check_size(
    per_replication: float, replications: int, yes: bool, what: str, of: str = ""
) -> None:
    """Stop (a :class:`ScenarioError`) unless ``per_replication`` × ``replications``
    calls is within :data:`MAX_ESTIMATED_CALLS` or the user said ``--yes``.

    ``what`` names the input; ``of`` says what one replication covers ("of every point").
    """
    calls = per_replication * replications
    if yes or calls <= MAX_ESTIMATED_CALLS:
        return
    raise ScenarioError(
        f"{what}: about {calls:,.0f} calls to simulate ({per_replication:,.0f} per replication{of} "
        f"x {replications:,}), more than the limit of {MAX_ESTIMATED_CALLS:,}; add --yes to "
        "run it anyway, or run fewer replications, days or points"
    )
