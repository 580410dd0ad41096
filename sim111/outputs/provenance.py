"""``provenance.json``: what produced an ``--out`` folder, so it can be produced again.

The sim111, Python and library versions, the seed and replications, the command
line, the date and a hash of the scenario as run (overrides applied). The same
seed, scenario hash and versions give the same results (README.md "Randomness and
reproducibility"). ``run``, ``sweep`` and ``compare`` folders all carry one; the
result store keeps the same facts per replication (its ``provenance`` table).
"""

from __future__ import annotations

import datetime as dt
import platform
import shlex
import sys
from typing import Any

from sim111.experiments.compare import Comparison
from sim111.experiments.replications import ExperimentResult
from sim111.experiments.store import LIBRARIES, library_version, scenario_sha256
from sim111.experiments.sweep import SweepResult
from sim111.scenario import Scenario
from sim111.version import __version__

__all__ = [
    "LIBRARIES",
    "comparison_provenance",
    "provenance",
    "scenario_sha256",
    "sweep_provenance",
]


def _made_by(command: str | None) -> dict[str, Any]:
    """Versions, command line and date: the part every provenance record shares."""
    return {
        "sim111": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: library_version(name) for name in LIBRARIES},
        "command": command if command is not None else shlex.join(sys.argv),
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def provenance(result: ExperimentResult, command: str | None = None) -> dict[str, Any]:
    """The provenance record of ``result``.

    ``command`` is the command line that ran it; by default this process's own
    (``sys.argv``, as a shell would quote it).
    """
    made = _made_by(command)
    return {
        **{k: made[k] for k in ("sim111", "python", "platform", "libraries")},
        "scenario": result.scenario.name,
        "scenario_sha256": scenario_sha256(result.scenario.to_data()),
        "seed": result.seed,
        "replications": result.replications,
        "replications_failed": len(result.failures),
        "command": made["command"],
        "date_utc": made["date_utc"],
    }


def sweep_provenance(
    result: SweepResult, scenario: Scenario, command: str | None = None
) -> dict[str, Any]:
    """The provenance record of a sweep of ``scenario`` (the scenario before the
    points' overrides; each point's overrides are listed)."""
    runs = len(result.kpis) + len(result.failures)
    return {
        "scenario": scenario.name,
        "scenario_sha256": scenario_sha256(scenario.to_data()),
        "seed": result.seed,
        "points": [dict(p) for p in result.points],
        "replications": runs // max(len(result.points), 1),
        "replications_failed": len(result.failures),
        **_made_by(command),
    }


def comparison_provenance(comparison: Comparison, command: str | None = None) -> dict[str, Any]:
    """The provenance record of a comparison: each scenario's name, hash, seed and
    replications, the first being the baseline."""
    scenarios = [
        {
            "scenario": r.scenario.name,
            "scenario_sha256": scenario_sha256(r.scenario.to_data()),
            "seed": r.seed,
            "replications": r.replications,
            "replications_failed": len(r.failures),
        }
        for r in comparison.results
    ]
    return {"scenarios": scenarios, **_made_by(command)}
