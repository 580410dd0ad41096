"""Quadratic response surfaces: a smooth stand-in for the simulation inside a box.

Calibration evaluates the simulation at a space-filling design of parameter
values and fits, for every observed quantity, a full quadratic in the
parameters (least squares, in coordinates scaled to [-1, 1] across the box).
Fractions are fitted on the logit scale, where an S-shaped response such as
"answered within 60 s" against head-count is close to quadratic, and mapped
back. The surface is what the optimiser searches and what the uncertainty of
the fitted values is computed from (its Jacobian), so the simulation's noise
and its steps in whole people never reach the optimiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

LOGIT_EPS = 1e-4  # fractions are clipped to [eps, 1 - eps] before the logit


def n_terms(d: int) -> int:
    """Number of coefficients of a full quadratic in ``d`` variables."""
    return (d + 1) * (d + 2) // 2


def quadratic_terms(x: np.ndarray) -> np.ndarray:
    """Columns 1, x_i, x_i x_j (i <= j) of a full quadratic, for rows ``x`` (n, d)."""
    x = np.atleast_2d(x)
    n, d = x.shape
    columns = [np.ones(n)]
    columns += [x[:, i] for i in range(d)]
    columns += [x[:, i] * x[:, j] for i, j in combinations_with_replacement(range(d), 2)]
    return np.column_stack(columns)


def _logit(y: np.ndarray) -> np.ndarray:
    p = np.clip(y, LOGIT_EPS, 1 - LOGIT_EPS)
    return np.log(p / (1 - p))


def _expit(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@dataclass(frozen=True)
class Surface:
    """Fitted quadratics for ``k`` outputs over the box ``[low, high]`` (``d`` parameters)."""

    low: np.ndarray  # (d,)
    high: np.ndarray  # (d,)
    coef: np.ndarray  # (n_terms, k)
    logit: np.ndarray  # (k,) bool: fitted on the logit scale
    r2: np.ndarray  # (k,) share of variance explained, on the fitted scale

    def scaled(self, theta: np.ndarray) -> np.ndarray:
        """Parameters mapped to [-1, 1] across the box."""
        centre = (self.high + self.low) / 2
        half = (self.high - self.low) / 2
        return (np.atleast_2d(theta) - centre) / half

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Predicted outputs (n, k) at parameter rows ``theta`` (n, d), in output units."""
        z = quadratic_terms(self.scaled(theta)) @ self.coef
        return np.where(self.logit, _expit(z), z)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d output / d parameter (k, d) at one point, by central differences."""
        theta = np.asarray(theta, dtype=float)
        step = 1e-4 * (self.high - self.low)
        columns = []
        for i in range(theta.size):
            up, down = theta.copy(), theta.copy()
            up[i] += step[i]
            down[i] -= step[i]
            columns.append((self.predict(up)[0] - self.predict(down)[0]) / (2 * step[i]))
        return np.column_stack(columns)


def fit_surface(
    theta: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray, logit: np.ndarray
) -> Surface:
    """Least-squares quadratics through ``y`` (n, k) at ``theta`` (n, d) over ``[low, high]``.

    Each output is fitted on the rows where it is defined (not NaN); an output
    with fewer rows than coefficients gets a constant at its mean.
    """
    theta, y = np.atleast_2d(theta), np.atleast_2d(y)
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    logit = np.asarray(logit, dtype=bool)
    empty = Surface(low, high, np.zeros((n_terms(theta.shape[1]), y.shape[1])), logit, np.zeros(0))
    terms = quadratic_terms(empty.scaled(theta))
    target = np.where(logit, _logit(y), y)
    coef = np.zeros((terms.shape[1], y.shape[1]))
    r2 = np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        ok = ~np.isnan(target[:, k])
        if ok.sum() < terms.shape[1]:
            coef[0, k] = float(np.nanmean(target[:, k])) if ok.any() else np.nan
            continue
        coef[:, k] = np.linalg.lstsq(terms[ok], target[ok, k], rcond=None)[0]
        resid = target[ok, k] - terms[ok] @ coef[:, k]
        spread = float(np.sum((target[ok, k] - target[ok, k].mean()) ** 2))
        r2[k] = 1 - float(resid @ resid) / spread if spread > 0 else 1.0
    return Surface(low, high, coef, logit, r2)
