"""``provenance.json``: what produced a run's ``--out`` folder, so it can be produced again.

The sim111, Python and library versions, the seed and replications, the command
line, the date and a hash of the scenario as run (overrides applied). The same
seed, scenario hash and versions give the same results (README.md "Randomness and
reproducibility").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import shlex
import sys
from importlib import metadata
from typing import Any

from sim111.experiments.replications import ExperimentResult
from sim111.experiments.store import canonical_json
from sim111.version import __version__

# The libraries whose versions can change a result (the engine, its draws, its tables).
LIBRARIES = ("numpy", "scipy", "simpy", "pandas", "holidays")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def scenario_sha256(data: Any) -> str:
    """SHA-256 of a scenario's canonical JSON (sorted keys, dates as ISO strings)."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def provenance(result: ExperimentResult, command: str | None = None) -> dict[str, Any]:
    """The provenance record of ``result``.

    ``command`` is the command line that ran it; by default this process's own
    (``sys.argv``, as a shell would quote it).
    """
    failed = len(result.failures)
    return {
        "sim111": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "scenario": result.scenario.name,
        "scenario_sha256": scenario_sha256(result.scenario.to_data()),
        "seed": result.seed,
        "replications": result.replications,
        "replications_failed": failed,
        "command": command if command is not None else shlex.join(sys.argv),
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
