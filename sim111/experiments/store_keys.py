"""What identifies a stored replication: its key, its scenario's hash, the versions.

A replication's key hashes the scenario (as validated data), the seed, the
replication number and the sim111 version; the scenario hash is the same on
every machine for the same validated scenario; the versions are those of the
libraries that can change a result. Re-exported by
:mod:`~sim111.experiments.store`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Any

from sim111.scenario import Scenario

# The libraries whose versions can change a result (the engine, its draws, its tables).
LIBRARIES = ("numpy", "scipy", "simpy", "pandas", "holidays")


def json_default(obj: Any) -> Any:
    """JSON for values json cannot write itself: dates as ISO strings."""
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def canonical_json(data: Any) -> str:
    """Stable JSON text (sorted keys, dates as ISO strings)."""
    return json.dumps(data, sort_keys=True, default=json_default, separators=(",", ":"))


def replication_key(scenario: Scenario, seed: int, replication: int) -> str:
    """The store key of one replication: a hash of what determines its result."""
    return replication_keys(scenario, seed, [replication])[0]


def replication_keys(scenario: Scenario, seed: int, replications: Iterable[int]) -> list[str]:
    """:func:`replication_key` of several replications, serialising the scenario once.

    The hashed text is exactly ``canonical_json`` of ``{"replication", "scenario",
    "seed", "v"}``, assembled from its sorted parts.
    """
    from sim111.version import __version__

    scenario_json = canonical_json(scenario.to_data())
    tail = f',"scenario":{scenario_json},"seed":{canonical_json(seed)},"v":'
    tail += canonical_json(__version__) + "}"
    return [
        hashlib.sha256(f'{{"replication":{canonical_json(r)}{tail}'.encode()).hexdigest()
        for r in replications
    ]


def scenario_sha256(data: Any) -> str:
    """SHA-256 of a scenario's canonical JSON (sorted keys, dates as ISO strings): the
    same on every machine for the same validated scenario."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def library_version(package: str) -> str | None:
    """The installed version of ``package``, or ``None``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """sim111's, Python's and :data:`LIBRARIES`' versions."""
    from sim111.version import __version__

    found = {"sim111": __version__, "python": platform.python_version()}
    return {**found, **{name: library_version(name) for name in LIBRARIES}}


def point_keys(
    scenarios: Sequence[Scenario], seeds: Sequence[int], replications: int
) -> tuple[list[list[str]], dict[str, str]]:
    """The keys of replications ``0..replications-1`` of every scenario (by point), and
    each key's scenario hash (what :meth:`~sim111.experiments.store.ResultStore.load`
    checks a stored replication against)."""
    keys = [replication_keys(s, seeds[p], range(replications)) for p, s in enumerate(scenarios)]
    hashes = [scenario_sha256(s.to_data()) for s in scenarios]
    return keys, {k: hashes[p] for p, listed in enumerate(keys) for k in listed}
