"""Named random streams: one numpy ``Generator`` per random input.

Each stream is seeded by ``SeedSequence([seed, replication, key(name)])`` where
``key`` is a stable hash of the stream's name, so adding a new random input
never shifts the numbers of an existing one, replications are independent,
and the same (seed, replication) reproduces a run on any worker.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


class RandomStreams:
    """The random inputs of one replication, each its own ``Generator``.

    >>> s = RandomStreams(seed=1, replication=0)
    >>> s.generator("arrivals") is s.generator("arrivals")
    True
    """

    def __init__(self, seed: int, replication: int, namespace: str = "") -> None:
        self.seed = seed
        self.replication = replication
        # an area of a multi-area scenario draws from streams of its own
        self._prefix = f"{namespace}." if namespace else ""
        self._generators: dict[str, np.random.Generator] = {}

    def generator(self, name: str) -> np.random.Generator:
        """The generator for random input ``name`` (created on first use)."""
        rng = self._generators.get(name)
        if rng is None:
            key = stream_key(self._prefix + name)
            seq = np.random.SeedSequence([self.seed, self.replication, key])
            rng = np.random.Generator(np.random.PCG64(seq))
            self._generators[name] = rng
        return rng
