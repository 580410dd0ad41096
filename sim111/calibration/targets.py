"""What a calibration fits: the observed values, their scales, and the misses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim111.calibration.backtest import Backtest
from sim111.calibration.observed import Observations
from sim111.errors import ScenarioError

KPI_SCALES = {  # a miss of this size counts 1 (in KPI units)
    "answered_within_60s": 0.01,
    "abandoned_after_30s": 0.0025,
    "abandoned": 0.0025,
    "callback_within_10min": 0.025,
    "mean_answer_s": 5.0,
    "advisor_utilisation": 0.02,
    "clinician_utilisation": 0.02,
}


@dataclass(frozen=True)
class Targets:
    """The observed values a calibration fits: (period index, KPI), value, scale."""

    period: np.ndarray
    kpi: tuple[str, ...]
    observed: np.ndarray
    scale: np.ndarray
    labels: tuple[str, ...] = ()

    def label(self, t: int) -> str:
        """The period of target ``t``, as tables name it."""
        return self.labels[int(self.period[t])] if self.labels else str(self.period[t])

    @classmethod
    def of(cls, observations: Observations, kpis: Sequence[str] | None = None) -> Targets:
        """Every observed value of the ``kpis`` (default: all observed) in every period."""
        wanted = tuple(dict.fromkeys(kpis)) if kpis else observations.kpis
        unknown = [k for k in wanted if k not in KPI_SCALES]
        if unknown:
            raise ScenarioError(f"cannot fit KPI {unknown[0]!r}; fittable: {', '.join(KPI_SCALES)}")
        rows = [
            (p, k, period.kpis[k])
            for p, period in enumerate(observations.periods)
            for k in wanted
            if k in period.kpis
        ]
        if not rows:
            raise ScenarioError(f"{observations.source}: no observed values of {', '.join(wanted)}")
        return cls(
            np.array([p for p, _, _ in rows]),
            tuple(k for _, k, _ in rows),
            np.array([v for _, _, v in rows], dtype=float),
            np.array([KPI_SCALES[k] for _, k, _ in rows]),
            tuple(p.label for p in observations.periods),
        )


def check_defined(sims: np.ndarray, targets: Targets) -> None:
    """Refuse a target the simulation never produces (it would steer nothing)."""
    never = np.flatnonzero(np.isnan(sims).all(axis=0))
    if never.size:
        t = int(never[0])
        raise ScenarioError(
            f"KPI {targets.kpi[t]!r} of period {targets.label(t)} is never defined in the "
            "simulation (no clinical stage? every replication failed?); leave it out with --kpi"
        )


def simulated_misses(fit: Backtest, targets: Targets) -> np.ndarray:
    """``(simulated - observed) / scale`` of each target in a back-test (NaN if missing)."""
    table = fit.table.set_index(["period", "kpi"])["simulated"]
    out = np.full(targets.observed.size, np.nan)
    for t, kpi in enumerate(targets.kpi):
        key = (targets.label(t), kpi)
        if key in table.index:
            out[t] = table[key]
    return (out - targets.observed) / targets.scale
