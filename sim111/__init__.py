"""sim111: discrete-event simulation of NHS 111 call centres.

>>> from sim111 import load_scenario, run_experiment
>>> result = run_experiment(load_scenario("scenarios/typical-area.toml"), replications=5)
>>> result.summary.loc["answered_within_60s"]
"""

from sim111.errors import ScenarioError
from sim111.experiments.replications import ExperimentResult, run_experiment, run_replication
from sim111.experiments.selection import Selection, select_best
from sim111.experiments.settings import ExecutionSettings
from sim111.experiments.sweep import SweepResult, run_sweep
from sim111.kpi_keys import KPIS
from sim111.scenario import Scenario, load_scenario
from sim111.version import __version__

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
