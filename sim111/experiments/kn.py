"""The KN procedure of Kim & Nelson (2001): pure statistics, no simulation.

:func:`kn_procedure` asks a callable for observations (one row per design, larger
is better) and eliminates designs one observation at a time; :func:`screen` is one
elimination step. :func:`~sim111.experiments.selection.select_best` feeds it
replications of scenarios.

S.-H. Kim and B. L. Nelson (2001), "A fully sequential procedure for
indifference-zone selection in simulation", *ACM Transactions on Modeling and
Computer Simulation* 11(3), 251-273.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# observe(designs, start, count): observations start..start+count-1 of each design,
# one row per design, larger is better
Observe = Callable[[list[int], int, int], np.ndarray]


@dataclass(frozen=True)
class KNTrace:
    """What the KN procedure did: the choice and when each design was eliminated.

    ``used``: observations of each design the procedure looked at;
    ``eliminated_at``: the number of observations at which a design was
    eliminated (``None`` for the choice); ``eliminated_by``: a design whose mean
    was then far enough above it; ``certified``: the procedure stopped by its own
    rule (one survivor), so the guarantee holds; ``bound``: the most observations
    the procedure could need, known after the first stage.
    """

    best: int
    certified: bool
    used: tuple[int, ...]
    eliminated_at: tuple[int | None, ...]
    eliminated_by: tuple[int | None, ...]
    eta: float
    h2: float
    bound: int
    observations: np.ndarray  # designs x observations made (NaN where none)


def kn_constants(k: int, alpha: float, n0: int) -> tuple[float, float]:
    """KN's constants: ``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2``
    and ``h2 = 2 eta (n0 - 1)``."""
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    return eta, 2 * eta * (n0 - 1)


def difference_variances(first: np.ndarray) -> np.ndarray:
    """``S2[i, l]``: sample variance of ``X_i - X_l`` over the first stage (designs x n0)."""
    diff = first[:, None, :] - first[None, :, :]
    return np.asarray(diff.var(axis=2, ddof=1))


def screen(
    means: np.ndarray, alive: Sequence[int], r: int, h2: float, s2: np.ndarray, delta: float
) -> list[tuple[int, int]]:
    """``(design, by)`` for every design in ``alive`` that KN eliminates after ``r`` observations.

    Design ``i`` goes if ``mean_i < mean_l - W_il(r)`` for some other ``l`` in ``alive``,
    ``W_il(r) = max(0, delta / (2 r) * (h2 S2_il / delta**2 - r))``; all are compared
    with the designs alive before this step.
    """
    gone = []
    for i in alive:
        for other in alive:
            if other == i:
                continue
            w = max(0.0, delta / (2 * r) * (h2 * s2[i, other] / delta**2 - r))
            if means[i] < means[other] - w:
                gone.append((i, other))
                break
    return gone


def kn_procedure(
    observe: Observe,
    k: int,
    alpha: float,
    delta: float,
    n0: int = 10,
    max_observations: int = 100,
    batch: int = 5,
) -> KNTrace:
    """Kim & Nelson's fully sequential procedure on ``k`` designs (larger is better).

    Takes ``n0`` observations of every design, then one more of each survivor at a
    time until one is left. Observations are asked for ``batch`` at a time (work
    on a pool); the decisions are those of the one-at-a-time procedure whatever the
    batch. When every pair's continuation region has closed (``W = 0``) the sample
    means decide, ties to the lower index. At ``max_observations`` with several
    designs left, the best sample mean is returned, not certified.
    """
    eta, h2 = kn_constants(k, alpha, n0)
    data = np.full((k, max_observations), np.nan)
    data[:, :n0] = observe(list(range(k)), 0, n0)
    s2 = difference_variances(data[:, :n0])
    alive, have, r = list(range(k)), n0, n0
    at: list[int | None] = [None] * k
    by: list[int | None] = [None] * k
    while True:
        means = data[:, :r].sum(axis=1) / r
        for i, other in screen(means, alive, r, h2, s2, delta):
            alive.remove(i)
            at[i], by[i] = r, other
        closed = all(h2 * s2[i, j] / delta**2 <= r for i in alive for j in alive)
        if len(alive) == 1 or closed or r >= max_observations:
            break
        if r == have:
            count = min(batch, max_observations - have)
            data[alive, have : have + count] = observe(list(alive), have, count)
            have += count
        r += 1
    best = max(alive, key=lambda i: (means[i], -i))
    used = tuple(r if a is None else a for a in at)
    bound = max(n0, math.floor(h2 * s2.max() / delta**2) + 1)
    certified = len(alive) == 1 or closed
    return KNTrace(best, certified, used, tuple(at), tuple(by), eta, h2, bound, data[:, :have])
