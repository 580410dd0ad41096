"""The staged search: designs in a shrinking box, quadratic surfaces, least squares,
and the uncertainty of the optimum (the method is described in
:mod:`sim111.calibration.calibrate` and ``docs/calibration.md``)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import qmc

from sim111.calibration.surface import Surface, fit_surface
from sim111.calibration.targets import Targets, check_defined
from sim111.kpi_keys import kpi_info

log = logging.getLogger(__name__)

SHRINK = 0.5  # each stage searches a box half as wide, centred on the last optimum
EXTRA_STAGES = 2  # at most this many more when the optimum sits on a stage box's edge
EDGE = 1e-3  # within this share of a box's width of its side counts as on it


def misses_of(surface: Surface, theta: np.ndarray, targets: Targets) -> np.ndarray:
    """The surface's ``(predicted - observed) / scale`` of every target at ``theta``."""
    return (surface.predict(theta)[0] - targets.observed) / targets.scale


def _optimise(surface: Surface, starts: np.ndarray, targets: Targets) -> np.ndarray:
    """The box point minimising the surface's squared misses, best of several starts."""
    best = None
    for x0 in starts:
        x0 = np.clip(x0, surface.low, surface.high)
        res = least_squares(
            lambda th: misses_of(surface, th, targets), x0, bounds=(surface.low, surface.high)
        )
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    return np.asarray(best.x)


def on_edge(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which coordinates of ``x`` lie on a side of the box ``[low, high]``."""
    tol = EDGE * (high - low)
    return (np.abs(x - low) <= tol) | (np.abs(high - x) <= tol)


def _design(low: np.ndarray, high: np.ndarray, n: int, seed: int) -> np.ndarray:
    sampler = qmc.LatinHypercube(d=low.size, seed=np.random.default_rng([seed, low.size, n]))
    return qmc.scale(sampler.random(n), low, high)


def search(
    simulate: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    targets: Targets,
    lows: np.ndarray,
    highs: np.ndarray,
    stages: int,
    n: int,
    seed: int,
    integer: np.ndarray,
) -> tuple[Surface, np.ndarray, pd.DataFrame, np.ndarray]:
    """Stages of design, simulation, surface fit and optimisation in a shrinking box.

    Returns the last surface, the optimum, every design point with its stage and
    weighted sum of squared misses (columns ``stage``, ``x0..``, ``sse``), and per
    target the mean variance of the simulated means the last surface was fitted to.
    """
    logit = np.array([kpi_info(k).unit == "fraction" for k in targets.kpi])
    min_half = np.where(integer, 1.0, 0.0)  # a box narrower than 2 whole units says nothing
    low, high = lows, highs
    thetas, sims = np.empty((0, lows.size)), np.empty((0, targets.observed.size))
    noise = np.empty((0, targets.observed.size))
    stage_of: list[int] = []
    stage = 0
    while True:
        new = _design(low, high, n, seed + stage)
        found, spread = simulate(new)
        thetas, sims, noise = (
            np.vstack([thetas, new]),
            np.vstack([sims, found]),
            np.vstack([noise, spread]),
        )
        stage_of += [stage] * len(new)
        if stage == 0:
            check_defined(sims, targets)
        misses = ((sims - targets.observed) / targets.scale) ** 2
        sse = np.where(np.isnan(misses).any(axis=1), np.inf, np.nansum(misses, axis=1))
        inside = np.all((thetas >= low - 1e-12) & (thetas <= high + 1e-12), axis=1)
        surface = fit_surface(thetas[inside], sims[inside], low, high, logit)
        starts = np.vstack([(low + high) / 2, thetas[np.argsort(sse)[:3]]])
        best = _optimise(surface, starts, targets)
        log.info("calibration stage %d: optimum %s", stage, best)
        # an optimum on the edge of this stage's box (not of the range searched) may
        # lie beyond it: move the box there, up to EXTRA_STAGES more times
        inner_edge = on_edge(best, low, high) & ~on_edge(best, lows, highs)
        stage += 1
        if stage >= stages and not (inner_edge.any() and stage < stages + EXTRA_STAGES):
            break
        half = (high - low) / 2 * (1.0 if inner_edge.any() else SHRINK)
        half = np.maximum(half, min_half)
        low, high = np.maximum(lows, best - half), np.minimum(highs, best + half)
    design = pd.DataFrame(thetas)
    design.insert(0, "stage", stage_of)
    design["sse"] = sse
    with warnings.catch_warnings():  # a target undefined at every point: NaN, ignored later
        warnings.simplefilter("ignore", RuntimeWarning)
        surface_noise = np.nanmean(noise[inside], axis=0)
    return surface, best, design, surface_noise


def uncertainty(
    surface: Surface,
    theta: np.ndarray,
    targets: Targets,
    misses: np.ndarray,
    surface_noise: np.ndarray,
) -> tuple[np.ndarray, float, int]:
    """Standard errors of ``theta``, the residual scale and the degrees of freedom.

    Two sources move the fitted values. The residuals: ``misses`` are the simulated
    misses at ``theta`` (the back-test of the fitted scenario), not the surface's, so
    they carry the surface's own error at the optimum, the observations' noise and
    what the model cannot reproduce (``s^2``, on ``n - p`` degrees of freedom). And
    the surface's noise: it was fitted to means of a few replications whose random
    numbers every design point shares, an error common to all points that shifts
    the optimum (``surface_noise``: variance of those means, per target). The
    sandwich ``A J^T (s^2 I + D) J A``, ``A = (J^T J)^-1``, adds both.
    """
    jac = surface.jacobian(theta) / targets.scale[:, None]
    ok = ~np.isnan(misses)
    dof = int(ok.sum()) - theta.size
    if dof <= 0:
        return np.full(theta.size, np.nan), float("nan"), dof
    s2 = float(misses[ok] @ misses[ok]) / dof
    j = jac[ok]
    info = j.T @ j
    if np.linalg.matrix_rank(info) < theta.size:
        return np.full(theta.size, np.inf), float(np.sqrt(s2)), dof
    d = np.nan_to_num(surface_noise[ok] / targets.scale[ok] ** 2)
    a = np.linalg.inv(info)
    cov = a @ (j.T @ (s2 * np.eye(j.shape[0]) + np.diag(d)) @ j) @ a
    return np.sqrt(np.diag(cov)), float(np.sqrt(s2)), dof
