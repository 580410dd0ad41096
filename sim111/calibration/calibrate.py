"""Calibration: the parameter values that best reproduce observed periods.

The method is sequential response-surface least squares:

1. Simulate a Latin-hypercube design of parameter values inside the search box,
   each in every observed period, with the same replications and seed
   (common random numbers, so the design points differ by their parameters).
2. Fit a quadratic surface per observed quantity (:mod:`~sim111.calibration.surface`)
   and minimise the weighted squared misses over the box
   (``scipy.optimize.least_squares``, bounded trust-region reflective).
3. Shrink the box around the optimum and repeat, reusing the points inside it.

A miss is ``(simulated - observed) / scale`` with a scale per KPI
(:data:`~sim111.calibration.targets.KPI_SCALES`: the size of a miss that matters).
The fitted values' uncertainty is that of non-linear least squares with the
surface's Jacobian at the optimum, from two sources: the residual mean square of
the fitted scenario's simulated misses, and the noise of the replication means
the surface was fitted to (:func:`~sim111.calibration.search.uncertainty`), with
Student-t intervals.
Why not a direct optimiser on the simulation: every evaluation would be a
noisy, step-shaped function of head-counts (whole people), each stage's
design runs in parallel, and the surface gives the Jacobian for free.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Unpack

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from sim111.calibration.backtest import Backtest, backtest
from sim111.calibration.observed import Observations
from sim111.calibration.parameters import Parameter
from sim111.calibration.periods import period_scenarios, period_seed
from sim111.calibration.search import misses_of, on_edge, search, uncertainty
from sim111.calibration.surface import n_terms
from sim111.calibration.targets import Targets, simulated_misses
from sim111.errors import ScenarioError
from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings, execution_settings
from sim111.experiments.sweep import run_points
from sim111.scenario import Scenario

log = logging.getLogger(__name__)

# demand keys the period placement recomputes from observed volumes
VOLUME_KEYS = (
    "demand.scale",
    "demand.calls_per_1000_per_year",
    "demand.population",
    "demand.calls_per_hour",
)
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate`.

    ``estimates``: one row per parameter (``key``, ``value``, ``se``, ``ci_low``,
    ``ci_high``, the searched ``low``/``high`` and ``at_bound``); ``fitted``: the
    base scenario with the fitted values; ``fit``: the fitted scenario back-tested
    in every period; ``design``: every simulated design point with its stage and
    weighted sum of squared misses; ``surface_r2``: how well the final surface
    reproduced each target; ``surface_gap``: the largest difference, in KPI scales,
    between the surface and the back-test at the fitted values (well under 1 when
    the surface was right where it mattered).
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
    surface_gap: float = float("nan")

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
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated means of the targets (n points, n targets) at parameter rows ``thetas``,
    and the variances of those means (between replications / replications)."""
    scenarios, points = [], []
    for theta in thetas:
        overrides = {p.key: p.value(x) for p, x in zip(parameters, theta, strict=True)}
        varied = base.with_overrides(overrides, source=f"calibration point {overrides}")
        for period, placed in period_scenarios(varied, observations.periods):
            scenarios.append(placed)
            points.append({**overrides, "period": period.label})
    n_periods = len(observations.periods)
    seeds = [period_seed(seed, k % n_periods) for k in range(len(scenarios))]
    sweep = run_points(scenarios, points, replications, seed, execution=settings, point_seeds=seeds)
    if len(sweep.failures):
        log.warning("%d replications failed during calibration", len(sweep.failures))
    per_point = sweep.kpis.drop(columns=list(points[0]), errors="ignore").groupby("point")
    means = per_point.mean()
    variances = per_point.var(ddof=1) / per_point.count()
    out = np.full((2, len(thetas), targets.observed.size), np.nan)
    for i in range(len(thetas)):
        for t, (p, k) in enumerate(zip(targets.period, targets.kpi, strict=True)):
            row = i * n_periods + int(p)
            if row in means.index and k in means.columns:
                out[0, i, t] = means.loc[row, k]
                out[1, i, t] = variances.loc[row, k]
    return out[0], out[1]


def _estimates(
    values: dict[str, float | int],
    best: np.ndarray,
    se: np.ndarray,
    dof: int,
    lows: np.ndarray,
    highs: np.ndarray,
) -> pd.DataFrame:
    """One row per parameter: fitted value, s.e., Student-t 95% interval, range searched."""
    t = float(stdtrit(max(dof, 1), (1 + CONFIDENCE) / 2))
    return pd.DataFrame(
        {
            "key": list(values),
            "value": list(values.values()),
            "se": se,
            "ci_low": np.maximum(best - t * se, lows),
            "ci_high": np.minimum(best + t * se, highs),
            "low": lows,
            "high": highs,
            "at_bound": on_edge(best, lows, highs),
        }
    )


def _check_request(
    parameters: Sequence[Parameter], targets: Targets, n: int, observations: Observations
) -> None:
    """Refuse a calibration that cannot say anything: keys the periods set, repeated
    keys, too few observations or design points."""
    if not parameters:
        raise ScenarioError("calibrate needs at least one parameter to vary (--vary KEY)")
    keys = [p.key for p in parameters]
    volumes = any(p.calls_per_day is not None for p in observations.periods)
    for key in keys:
        if keys.count(key) > 1:
            raise ScenarioError(f"--vary {key}: given twice; vary each key once")
        if key.startswith("run."):
            raise ScenarioError(
                f"--vary {key}: each period sets the run; a run setting is not fitted"
            )
        if volumes and key in VOLUME_KEYS:
            raise ScenarioError(
                f"--vary {key}: the periods' observed calls offered set the demand level, "
                "so it cannot be fitted; leave out calls_offered to fit it"
            )
    if targets.observed.size <= len(parameters):
        raise ScenarioError(
            f"{targets.observed.size} observed value(s) cannot fit {len(parameters)} "
            "parameter(s): add periods or KPIs, or vary fewer values"
        )
    need = n_terms(len(parameters)) + 1
    if n < need:
        raise ScenarioError(
            f"--points {n} is too few for {len(parameters)} parameter(s): a quadratic "
            f"surface needs at least {need}"
        )


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

    ``replications`` per design point and period (each period with its own seed
    derived from ``seed``, default the scenario's; every design point meets the
    same random numbers); ``kpis`` restricts the fitted KPIs (default: every KPI
    observed); ``final_replications`` back-test the fitted scenario, whose misses
    give the residual scale of the intervals. The runs go where ``execution``
    (or its keywords, ``workers=2``) says.
    """
    settings = execution_settings(execution, keywords)
    base_seed = scenario.run.seed if seed is None else seed
    targets = Targets.of(observations, kpis)
    n = points_per_stage or max(2 * n_terms(len(parameters)), 6)
    _check_request(parameters, targets, n, observations)
    lows = np.array([p.low for p in parameters])
    highs = np.array([p.high for p in parameters])

    def simulate(thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _simulate(
            scenario, observations, parameters, thetas, targets, replications, base_seed, settings
        )

    integer = np.array([p.integer for p in parameters])
    surface, best, design, surface_noise = search(
        simulate, targets, lows, highs, stages, n, base_seed, integer
    )
    design.columns = ["stage", *(p.key for p in parameters), "sse"]
    # the fitted scenario, and the values reported, to 4 significant figures
    values = {p.key: p.value(float(f"{x:.4g}")) for p, x in zip(parameters, best, strict=True)}
    fitted = scenario.with_overrides(values, source="calibrated values")
    fit = backtest(fitted, observations, final_replications, base_seed, execution=settings)
    misses = simulated_misses(fit, targets)
    se, scale, dof = uncertainty(surface, best, targets, misses, surface_noise)
    gap = np.abs(misses_of(surface, best, targets) - misses)
    return Calibration(
        scenario,
        observations,
        tuple(parameters),
        _estimates(values, best, se, dof, lows, highs),
        fitted,
        fit,
        design,
        scale,
        surface.r2,
        float(np.nanmax(gap)) if np.isfinite(gap).any() else float("nan"),
    )
