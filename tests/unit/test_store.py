"""Store keys: what determines a replication's result, hashed."""

from __future__ import annotations

import hashlib

from sim111 import __version__
from sim111.experiments.store import canonical_json, replication_key, replication_keys
from tests.conftest import SCENARIOS


def test_batched_keys_equal_the_hash_of_the_canonical_text():
    # replication_keys assembles the JSON text by hand to serialise the scenario once;
    # it must hash exactly what canonical_json would, or existing stores stop resuming.
    from sim111.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "nhs-direct-contingency.toml")
    for seed in (1, 20130329):
        keys = replication_keys(scenario, seed, range(4))
        for r, key in enumerate(keys):
            text = canonical_json(
                {"scenario": scenario.to_data(), "seed": seed, "replication": r, "v": __version__}
            )
            assert key == hashlib.sha256(text.encode()).hexdigest()
            assert key == replication_key(scenario, seed, r)
    assert len(set(keys)) == 4
    other = scenario.with_overrides({"run.days": 2})
    assert replication_keys(other, 1, [0]) != replication_keys(scenario, 1, [0])
