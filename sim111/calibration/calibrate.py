"""Calibration: the parameter values that best reproduce observed periods.

The method is sequential response-surface least squares:

1. Simulate a Latin-hypercube design of parameter values inside the search box,
   each in every observed period, with the same replications and seed
   (common random numbers, so the design points differ by their parameters).
2. Fit a quadratic surface per observed quantity (:mod:`~sim111.calibration.surface`)
   and minimise the weighted squared misses over the box
   (``scipy.optimize.least_squares``, bounded trust-region reflective).
3. Shrink the box around the optimum and repeat, reusing the points inside it.

A miss is ``(simulated - observed) / scale`` with a scale per KPI (:data:`KPI_SCALES`:
the size of a miss that matters). The fitted values' uncertainty is that of
non-linear least squares: ``cov = s^2 (J^T J)^-1`` with ``J`` the surface's
Jacobian at the optimum and ``s^2`` the residual mean square (it holds the
simulation noise and what the model cannot reproduce), with Student-t intervals.
Why not a direct optimiser on the simulation: every evaluation would be a
noisy, step-shaped function of head-counts (whole people), each stage's
design runs in parallel, and the surface gives the Jacobian for free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Unpack

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.special import stdtrit
from scipy.stats import qmc

from sim111.calibration.backtest import Backtest, backtest
from sim111.calibration.observed import Observations
from sim111.calibration.parameters import Parameter
from sim111.calibration.periods import period_scenarios
from sim111.calibration.surface import Surface, fit_surface, n_terms
from sim111.errors import ScenarioError
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.sweep import run_points
from sim111.kpi_keys import kpi_info
from sim111.scenario import Scenario

log = logging.getLogger(__name__)

KPI_SCALES = {  # a miss of this size counts 1 (in KPI units)
    "answered_within_60s": 0.01,
    "abandoned_after_30s": 0.0025,
    "abandoned": 0.0025,
    "callback_within_10min": 0.025,
    "mean_answer_s": 5.0,
    "advisor_utilisation": 0.02,
    "clinician_utilisation": 0.02,
}
SHRINK = 0.5  # each stage searches a box half as wide, centred on the last optimum
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Targets:
    """The observed values a calibration fits: (period index, KPI), value, scale."""

    period: np.ndarray
    kpi: tuple[str, ...]
    observed: np.ndarray
    scale: np.ndarray

    @classmethod
    def of(cls, observations: Observations, kpis: Sequence[str] | None = None) -> Targets:
        """Every observed value of the ``kpis`` (default: all observed) in every period."""
        wanted = tuple(kpis) if kpis else observations.kpis
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
        )


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate`.

    ``estimates``: one row per parameter (``key``, ``value``, ``se``, ``ci_low``,
    ``ci_high``, the searched ``low``/``high`` and ``at_bound``); ``fitted``: the
    base scenario with the fitted values; ``fit``: the fitted scenario back-tested
    in every period; ``design``: every simulated design point with its stage and
    weighted sum of squared misses; ``surface_r2``: how well the final surface
    reproduced each target.
    """

    base: Scenario
    observations: Observations
    parameters: tuple[Parameter, ...]
    estimates: pd.DataFrame
    fitted: Scenario
    fit: Backtest
    design: pd.DataFrame
    residual_scale: float
    surface_r2: np.ndarray

    def values(self) -> dict[str, float | int]:
        """The fitted values as overrides (``{"dotted.key": value}``)."""
        return {
            p.key: p.value(v) for p, v in zip(self.parameters, self.estimates["value"], strict=True)
        }


def _simulate(
    base: Scenario,
    observations: Observations,
    parameters: Sequence[Parameter],
    thetas: np.ndarray,
    targets: Targets,
    replications: int,
    seed: int,
    settings: ExecutionSettings,
) -> np.ndarray:
    """Simulated means of the targets (n points, n targets) at parameter rows ``thetas``."""
    scenarios, points = [], []
    for theta in thetas:
        overrides = {p.key: p.value(x) for p, x in zip(parameters, theta, strict=True)}
        varied = base.with_overrides(overrides, source=f"calibration point {overrides}")
        for period, placed in period_scenarios(varied, observations.periods):
            scenarios.append(placed)
            points.append({**overrides, "period": period.label})
    sweep = run_points(scenarios, points, replications, seed, execution=settings)
    if len(sweep.failures):
        log.warning("%d replications failed during calibration", len(sweep.failures))
    means = sweep.summary.pivot_table(index="point", columns="kpi", values="mean")
    n_periods = len(observations.periods)
    out = np.full((len(thetas), targets.observed.size), np.nan)
    for i in range(len(thetas)):
        for t, (p, k) in enumerate(zip(targets.period, targets.kpi, strict=True)):
            row = i * n_periods + int(p)
            if row in means.index and k in means.columns:
                out[i, t] = means.loc[row, k]
    return out


def _misses(surface: Surface, theta: np.ndarray, targets: Targets) -> np.ndarray:
    return (surface.predict(theta)[0] - targets.observed) / targets.scale


def _optimise(surface: Surface, starts: np.ndarray, targets: Targets) -> np.ndarray:
    """The box point minimising the surface's squared misses, best of several starts."""
    best = None
    for x0 in starts:
        x0 = np.clip(x0, surface.low, surface.high)
        res = least_squares(
            lambda th: _misses(surface, th, targets), x0, bounds=(surface.low, surface.high)
        )
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    return np.asarray(best.x)


def _design(low: np.ndarray, high: np.ndarray, n: int, seed: int) -> np.ndarray:
    sampler = qmc.LatinHypercube(d=low.size, seed=np.random.default_rng([seed, low.size, n]))
    return qmc.scale(sampler.random(n), low, high)


def _search(
    simulate: Callable[[np.ndarray], np.ndarray],
    targets: Targets,
    lows: np.ndarray,
    highs: np.ndarray,
    stages: int,
    n: int,
    seed: int,
) -> tuple[Surface, np.ndarray, pd.DataFrame]:
    """Stages of design, simulation, surface fit and optimisation in a shrinking box.

    Returns the last surface, the optimum and every design point with its stage
    and weighted sum of squared misses (columns ``stage``, ``x0..``, ``sse``).
    """
    logit = np.array([kpi_info(k).unit == "fraction" for k in targets.kpi])
    low, high = lows, highs
    thetas, sims = np.empty((0, lows.size)), np.empty((0, targets.observed.size))
    stage_of: list[int] = []
    for stage in range(stages):
        new = _design(low, high, n, seed + stage)
        thetas, sims = np.vstack([thetas, new]), np.vstack([sims, simulate(new)])
        stage_of += [stage] * len(new)
        sse = np.nansum(((sims - targets.observed) / targets.scale) ** 2, axis=1)
        inside = np.all((thetas >= low - 1e-12) & (thetas <= high + 1e-12), axis=1)
        surface = fit_surface(thetas[inside], sims[inside], low, high, logit)
        starts = np.vstack([(low + high) / 2, thetas[np.argsort(sse)[:3]]])
        best = _optimise(surface, starts, targets)
        log.info("calibration stage %d: optimum %s", stage, best)
        half = (high - low) / 2 * SHRINK
        low, high = np.maximum(lows, best - half), np.minimum(highs, best + half)
    design = pd.DataFrame(thetas)
    design.insert(0, "stage", stage_of)
    design["sse"] = sse
    return surface, best, design


def _uncertainty(
    surface: Surface, theta: np.ndarray, targets: Targets
) -> tuple[np.ndarray, float, int]:
    """Standard errors of ``theta``, the residual scale and the degrees of freedom."""
    jac = surface.jacobian(theta) / targets.scale[:, None]
    resid = _misses(surface, theta, targets)
    dof = resid.size - theta.size
    if dof <= 0:
        return np.full(theta.size, np.nan), float("nan"), dof
    s2 = float(resid @ resid) / dof
    info = jac.T @ jac
    if np.linalg.matrix_rank(info) < theta.size:
        return np.full(theta.size, np.inf), float(np.sqrt(s2)), dof
    return np.sqrt(np.diag(s2 * np.linalg.inv(info))), float(np.sqrt(s2)), dof


def calibrate(
    scenario: Scenario,
    observations: Observations,
    parameters: Sequence[Parameter],
    replications: int = 3,
    seed: int | None = None,
    *,
    kpis: Sequence[str] | None = None,
    stages: int = 3,
    points_per_stage: int | None = None,
    final_replications: int = 10,
    execution: ExecutionSettings | None = None,
    **keywords: Unpack[ExecutionKeywords],
) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to ``observations`` (see the module docs).

    ``replications`` per design point and period, all with ``seed`` (default:
    the scenario's); ``kpis`` restricts the fitted KPIs (default: every KPI
    observed); ``final_replications`` back-test the fitted scenario. The
    runs go where ``execution`` (or its keywords, ``workers=2``) says.
    """
    if not parameters:
        raise ScenarioError("calibrate needs at least one parameter to vary (--vary KEY)")
    settings = execution_settings(execution, keywords)
    base_seed = scenario.run.seed if seed is None else seed
    targets = Targets.of(observations, kpis)
    lows = np.array([p.low for p in parameters])
    highs = np.array([p.high for p in parameters])

    def simulate(thetas: np.ndarray) -> np.ndarray:
        return _simulate(
            scenario, observations, parameters, thetas, targets, replications, base_seed, settings
        )

    n = points_per_stage or max(2 * n_terms(lows.size), 6)
    surface, best, design = _search(simulate, targets, lows, highs, stages, n, base_seed)
    design.columns = ["stage", *(p.key for p in parameters), "sse"]
    se, scale, dof = _uncertainty(surface, best, targets)
    t = float(stdtrit(max(dof, 1), (1 + CONFIDENCE) / 2))
    estimates = pd.DataFrame(
        {
            "key": [p.key for p in parameters],
            "value": [p.value(float(f"{x:.4g}")) for p, x in zip(parameters, best, strict=True)],
            "se": se,
            "ci_low": np.maximum(best - t * se, lows),
            "ci_high": np.minimum(best + t * se, highs),
            "low": lows,
            "high": highs,
            "at_bound": np.isclose(best, lows, rtol=1e-3) | np.isclose(best, highs, rtol=1e-3),
        }
    )
    values = {p.key: p.value(v) for p, v in zip(parameters, estimates["value"], strict=True)}
    fitted = scenario.with_overrides(values, source="calibrated values")
    fit = backtest(fitted, observations, final_replications, base_seed, execution=settings)
    return Calibration(
        scenario,
        observations,
        tuple(parameters),
        estimates,
        fitted,
        fit,
        design,
        scale,
        surface.r2,
    )
