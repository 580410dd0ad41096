"""sim111: discrete-event simulation of NHS 111 call centres.

>>> from sim111 import load_scenario, run_experiment
>>> result = run_experiment(load_scenario("scenarios/typical-area.toml"), replications=5)
>>> result.summary.loc["answered_within_60s"]

The names below are imported when first used (PEP 562), so ``import sim111.cli``
(the ``sim111`` command) starts with nothing heavy imported and can catch a
Ctrl-C during its own start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim111.version import __version__

if TYPE_CHECKING:
    from sim111.errors import ScenarioError
    from sim111.experiments.replications import ExperimentResult, run_experiment, run_replication
    from sim111.experiments.selection import Selection, select_best
    from sim111.experiments.settings import ExecutionSettings
    from sim111.experiments.sweep import SweepResult, run_sweep
    from sim111.kpi_keys import KPIS
    from sim111.scenario import Scenario, load_scenario

_HOMES = {
    "KPIS": "sim111.kpi_keys",
    "ExecutionSettings": "sim111.experiments.settings",
    "ExperimentResult": "sim111.experiments.replications",
    "Scenario": "sim111.scenario",
    "ScenarioError": "sim111.errors",
    "Selection": "sim111.experiments.selection",
    "SweepResult": "sim111.experiments.sweep",
    "load_scenario": "sim111.scenario",
    "run_experiment": "sim111.experiments.replications",
    "run_replication": "sim111.experiments.replications",
    "run_sweep": "sim111.experiments.sweep",
    "select_best": "sim111.experiments.selection",
}

__all__ = [
    "KPIS",
    "ExecutionSettings",
    "ExperimentResult",
    "Scenario",
    "ScenarioError",
    "Selection",
    "SweepResult",
    "__version__",
    "load_scenario",
    "run_experiment",
    "run_replication",
    "run_sweep",
    "select_best",
]


def __getattr__(name: str) -> Any:
    """``sim111.NAME`` for the names of ``__all__``, imported on first use."""
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim111' has no attribute {name!r}")
