"""Ranking and selection: the best of k designs with a stated probability of being right.

:func:`select_best` runs the KN procedure of Kim & Nelson (2001) on k scenarios
(rosters, policies) under common random numbers: observation ``j`` of every design
draws from the same random streams, so the differences between designs, not their
separate noise, decide. KN's guarantee: if the best design's mean is at least
``delta`` (the indifference zone) better than every other's, it is chosen with
probability at least ``1 - alpha``; if some are within ``delta`` of the best, one
within ``delta`` is chosen with that probability. It holds for normal observations
(a KPI of a whole replication is a mean over many calls, close to normal) with
unknown, unequal variances and any correlation induced by common random numbers.

S.-H. Kim and B. L. Nelson (2001), "A fully sequential procedure for
indifference-zone selection in simulation", *ACM Transactions on Modeling and
Computer Simulation* 11(3), 251-273.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import pandas as pd

from sim111.experiments.kn import KNTrace, Observe, kn_procedure
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.stats import t_interval
from sim111.experiments.sweep import run_points
from sim111.kpi_keys import kpi_info
from sim111.scenario import Scenario

PROCEDURE = "KN (Kim & Nelson 2001)"


@dataclass(frozen=True)
class Selection:
    """The result of :func:`select_best`.

    ``best`` is the chosen design's index in the scenarios given, ``scenario`` the
    design itself; ``certified`` is True when the procedure stopped by its own rule,
    so the chosen design is the best (or within ``delta`` of it) with probability
    at least ``1 - alpha``; False when it stopped at ``max_replications`` with several
    designs left (the best sample mean is returned). ``table``: one row per design:
    ``design``, ``scenario`` (name), ``mean`` and 95% t-interval (``ci_low``,
    ``ci_high``) of ``kpi`` over the replications the procedure used,
    ``replications`` used, ``eliminated_at`` (replications when eliminated; NaN if
    never) and ``eliminated_by`` (a design then better by more than KN's margin).
    ``replications_run``: replications simulated in all (designs eliminated in
    the middle of a batch ran a few more than they used).
    """

    procedure: str
    kpi: str
    maximise: bool
    alpha: float
    delta: float
    n0: int
    seed: int
    best: int
    scenario: Scenario
    certified: bool
    table: pd.DataFrame
    replications_run: int
    bound: int
    eta: float
    h2: float

    @property
    def best_name(self) -> str:
        """The chosen scenario's name."""
        return self.scenario.name


def stage_seed(seed: int, start: int) -> int:
    """The base seed of the replications from observation ``start`` on.

    The first stage is replications ``0..n0-1`` of ``seed`` (as ``run_experiment``
    would run them); each later batch runs replications ``0..b-1`` of a seed of its
    own derived from (``seed``, ``start``), the same for every design (common random
    numbers) and independent of the other batches.
    """
    if start == 0:
        return seed
    return int(np.random.SeedSequence([seed, start]).generate_state(1)[0])


def _observer(
    scenarios: Sequence[Scenario], kpi: str, sign: float, seed: int, settings: ExecutionSettings
) -> tuple[Observe, list[int]]:
    """``observe`` for :func:`kn_procedure` running the scenarios, and a running count."""
    run = [0]

    def observe(designs: list[int], start: int, count: int) -> np.ndarray:
        chosen = [scenarios[i] for i in designs]
        points: list[dict[str, Any]] = [{} for _ in designs]
        sweep = run_points(chosen, points, count, stage_seed(seed, start), execution=settings)
        if not sweep.failures.empty:
            first = sweep.failures.iloc[0]
            error = str(first["error"]).splitlines()[0]
            name = chosen[int(first["point"])].name
            raise RuntimeError(f"select_best: {name} replication failed: {error}")
        if kpi not in sweep.kpis.columns:
            raise ValueError(f"select_best: no KPI {kpi!r} in the results (see sim111.KPIS)")
        table = sweep.kpis.pivot(index="point", columns="replication", values=kpi)
        values = table.sort_index().to_numpy(dtype=float)
        if np.isnan(values).any():
            raise ValueError(f"select_best: {kpi!r} is undefined in some replications")
        run[0] += values.size
        return sign * values

    return observe, run


def select_best(
    scenarios: Sequence[Scenario],
    kpi: str,
    delta: float,
    *,
    maximise: bool | None = None,
    alpha: float = 0.05,
    n0: int = 10,
    max_replications: int = 100,
    batch: int = 5,
    seed: int | None = None,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> Selection:
    """The best of ``scenarios`` on ``kpi`` by the KN procedure (Kim & Nelson 2001).

    ``delta`` (the indifference zone, in the KPI's units: 0.01 for one percentage
    point of a fraction, pounds for a cost) is the smallest difference worth
    detecting; ``1 - alpha`` the probability of correct selection. ``maximise``
    defaults to the KPI's direction (``answered_within_60s``: higher is better;
    ``cost_per_call_gbp``: lower). ``n0`` first-stage replications of every
    design (at least 2; KN recommend 10 or more), then one more of each surviving
    design at a time (run ``batch`` at a time), up to ``max_replications``.
    Replication ``j`` of every design shares its random streams (common random
    numbers); results depend on ``seed`` (default: the first scenario's), ``n0``
    and ``batch``, never on where they ran. ``execution`` (or its fields as
    keywords, e.g. ``workers=2``) says where replications run, as for
    :func:`~sim111.experiments.replications.run_experiment`.
    """
    k = len(scenarios)
    if k < 2:
        raise ValueError("select_best needs at least two scenarios")
    if not 0 < alpha < 1 - 1 / k:
        raise ValueError(f"alpha must be between 0 and 1 - 1/k = {1 - 1 / k:g}, got {alpha}")
    if not delta > 0:
        raise ValueError(f"delta (the indifference zone) must be > 0, got {delta}")
    if n0 < 2 or max_replications < n0 or batch < 1:
        raise ValueError("need n0 >= 2, max_replications >= n0 and batch >= 1")
    if maximise is None:
        better = kpi_info(kpi).better
        if not better:
            raise ValueError(f"say maximise=True or False: {kpi!r} has no better direction")
        maximise = better == "higher"
    settings = execution_settings(execution, keywords)
    base_seed = scenarios[0].run.seed if seed is None else seed
    sign = 1.0 if maximise else -1.0
    observe, run = _observer(scenarios, kpi, sign, base_seed, settings)
    trace = kn_procedure(observe, k, alpha, delta, n0, max_replications, batch)
    return Selection(
        procedure=PROCEDURE,
        kpi=kpi,
        maximise=maximise,
        alpha=alpha,
        delta=delta,
        n0=n0,
        seed=base_seed,
        best=trace.best,
        scenario=scenarios[trace.best],
        certified=trace.certified,
        table=selection_table(scenarios, trace, sign),
        replications_run=run[0],
        bound=trace.bound,
        eta=trace.eta,
        h2=trace.h2,
    )


def selection_table(scenarios: Sequence[Scenario], trace: KNTrace, sign: float) -> pd.DataFrame:
    """One row per design: mean and 95% CI over the replications used, and eliminations."""
    rows = []
    for i, scenario in enumerate(scenarios):
        values = sign * trace.observations[i, : trace.used[i]]
        mean, low, high = t_interval(values)
        rows.append(
            {
                "design": i,
                "scenario": scenario.name,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "replications": trace.used[i],
                "eliminated_at": trace.eliminated_at[i],
                "eliminated_by": trace.eliminated_by[i],
                "chosen": i == trace.best,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("eliminated_at", "eliminated_by"):
        frame[column] = frame[column].astype("Int64")
    return frame
