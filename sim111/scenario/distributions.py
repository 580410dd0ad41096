"""Distributions as data: a scenario says ``{kind = "lognormal", mean_min = 11.5,
sd_min = 5}`` and the engine asks the spec for a batch of samples.

Samples are drawn by inversion — one uniform per sample through the inverse
CDF — so two scenarios that differ only in a parameter draw *coupled* samples
from the same stream: common random numbers survive a parameter change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim111.errors import FieldError
from sim111.scenario.schema import spec

KINDS = ("exponential", "lognormal", "fixed")


@dataclass(frozen=True)
class Distribution:
    """A positive duration in minutes.

    ``exponential`` uses ``mean_min``; ``lognormal`` uses ``mean_min`` and
    ``sd_min`` (the mean and standard deviation of the duration itself, not of
    its logarithm); ``fixed`` always returns ``mean_min``.
    """

    mean_min: float = spec(doc="Mean duration.", unit="min", gt=0)
    kind: str = spec("exponential", doc="Shape of the distribution.", choices=KINDS)
    sd_min: float | None = spec(None, doc="Standard deviation; lognormal only.", unit="min", gt=0)

    def __post_init__(self) -> None:
        if self.kind == "lognormal" and self.sd_min is None:
            raise FieldError("sd_min", "is required when kind = 'lognormal'")
        if self.kind != "lognormal" and self.sd_min is not None:
            raise FieldError("sd_min", f"applies only to kind = 'lognormal', not {self.kind!r}")

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Durations in minutes at probabilities ``u`` (the inverse CDF).

        Drawing every duration as ``quantile(uniform)`` couples variants: a
        caller keeps their place in the distribution when its mean, spread or
        kind changes (common random numbers).
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "exponential":
            return -self.mean_min * np.log1p(-u)
        if self.kind == "lognormal":
            assert self.sd_min is not None
            sigma2 = math.log1p((self.sd_min / self.mean_min) ** 2)
            mu = math.log(self.mean_min) - sigma2 / 2
            return np.exp(mu + math.sqrt(sigma2) * ndtri(u))
        return np.full(u.shape, self.mean_min)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` durations in minutes from ``rng`` (one uniform each)."""
        return self.quantile(rng.random(size))

    @property
    def sd(self) -> float:
        """Standard deviation in minutes."""
        if self.kind == "exponential":
            return self.mean_min
        if self.kind == "lognormal":
            assert self.sd_min is not None
            return self.sd_min
        return 0.0
