"""Distributions as data: a scenario says ``{kind = "lognormal", mean_min = 11.5,
sd_min = 5}`` and the engine asks the spec for a batch of samples.

Samples are drawn by inversion — one uniform per sample through the inverse
CDF — so two scenarios that differ only in a parameter draw *coupled* samples
from the same stream: common random numbers survive a parameter change.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import gammaincinv, ndtri

from sim111.errors import FieldError, ScenarioError, shown
from sim111.scenario.limits import MAX_CV
from sim111.scenario.schema import spec
from sim111.scenario.textfile import read_text

# The keys each kind reads (besides ``kind``); ``empirical`` reads ``file`` instead of
# ``values_min`` when given one, and keeps the file's values in ``values_min``.
KEYS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean_min",),
    "lognormal": ("mean_min", "sd_min"),
    "gamma": ("mean_min", "sd_min"),
    "fixed": ("mean_min",),
    "triangular": ("low_min", "mode_min", "high_min"),
    "uniform": ("low_min", "high_min"),
    "empirical": ("values_min",),
    "never": (),
}
KINDS = tuple(KEYS)
OPTIONAL_KEYS = ("mean_min", "sd_min", "low_min", "mode_min", "high_min", "values_min", "file")


def _reads(kind: str, key: str) -> bool:
    """Whether ``kind`` reads ``key`` (``file`` stands in for ``values_min``)."""
    return (key if key != "file" else "values_min") in KEYS[kind]


def _uses(key: str) -> str:
    """The kinds that read ``key``, for messages: "'lognormal' or 'gamma'"."""
    kinds = [repr(kind) for kind in KEYS if _reads(kind, key)]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


@dataclass(frozen=True)
class Distribution:
    """A duration in minutes, by ``kind``; each kind takes its own keys and no others.

    ``exponential`` (``mean_min``); ``lognormal`` and ``gamma`` (``mean_min``, ``sd_min``:
    the mean and standard deviation of the duration itself, not of its logarithm);
    ``fixed`` (always ``mean_min``); ``triangular`` (``low_min``, ``mode_min``,
    ``high_min``); ``uniform`` (``low_min``, ``high_min``); ``empirical``
    (``values_min = [...]``, or ``file``: a CSV of one column of values, an optional
    header line, read when the scenario is loaded, relative to the scenario file):
    the inverse of the empirical CDF, so every draw is one of the values, each
    equally likely; ``never`` (no keys; patience only): the caller never hangs up.
    For kinds without ``mean_min`` it is worked out (infinite for ``never``).
    """

    # Typed float: after construction it always holds the mean (given, or worked out).
    mean_min: float = spec(
        None,
        doc="Mean duration; exponential, lognormal, gamma, fixed (worked out for other kinds).",
        unit="min",
        gt=0,
    )
    kind: str = spec("exponential", doc="Shape of the distribution.", choices=KINDS)
    sd_min: float | None = spec(
        None, doc="Standard deviation; lognormal and gamma.", unit="min", gt=0
    )
    low_min: float | None = spec(None, doc="Lowest value; triangular, uniform.", unit="min", ge=0)
    mode_min: float | None = spec(None, doc="Most likely value; triangular.", unit="min", ge=0)
    high_min: float | None = spec(None, doc="Highest value; triangular, uniform.", unit="min", gt=0)
    values_min: tuple[float, ...] = spec(
        (), doc="Observed durations; empirical (kept sorted).", unit="min", ge=0
    )
    file: str | None = spec(
        None, doc="CSV of one column of durations; empirical (read into values_min)."
    )

    def __post_init__(self) -> None:
        keys = KEYS[self.kind]
        for key in OPTIONAL_KEYS:
            if self._given(key) and not _reads(self.kind, key):
                raise FieldError(key, f"applies only to kind = {_uses(key)}, not {self.kind!r}")
        if self.kind == "empirical":
            self._read_values()
        for key in keys:
            if not self._given(key):
                raise FieldError(key, f"is required when kind = {self.kind!r}")
        self._check_shape()
        if "mean_min" not in keys:
            object.__setattr__(self, "mean_min", self._derived_mean())

    def _given(self, key: str) -> bool:
        value = getattr(self, key)
        return value is not None and value != ()

    def _read_values(self) -> None:
        if self.file is not None and self.values_min:
            raise FieldError("file", "or 'values_min' is required (one, not both)")
        if self.file is not None:
            object.__setattr__(self, "values_min", read_values_csv(Path(self.file)))
            object.__setattr__(self, "file", None)  # the values are the data now
        object.__setattr__(self, "values_min", tuple(sorted(self.values_min)))

    def _check_shape(self) -> None:
        low, mode, high = self.low_min, self.mode_min, self.high_min
        if low is not None and high is not None and high <= low:
            raise FieldError("high_min", f"must be > low_min ({low:g}), got {high:g}")
        if mode is not None and low is not None and high is not None and not low <= mode <= high:
            raise FieldError("mode_min", f"must be between low_min and high_min, got {mode:g}")
        if self.kind == "empirical" and max(self.values_min) <= 0:
            raise FieldError("values_min", "must include a value > 0")
        if self.sd_min is not None and self.sd_min > MAX_CV * self.mean_min:
            raise FieldError(
                "sd_min",
                f"must be at most {MAX_CV:g} x mean_min ({self.mean_min:g}), got {self.sd_min:g}",
            )

    def _derived_mean(self) -> float:
        if self.kind == "never":
            return math.inf
        if self.kind == "empirical":
            return float(np.mean(self.values_min))
        assert self.low_min is not None and self.high_min is not None
        if self.kind == "uniform":
            return (self.low_min + self.high_min) / 2
        assert self.mode_min is not None
        return (self.low_min + self.mode_min + self.high_min) / 3

    def data_keys(self) -> tuple[str, ...]:
        """The keys that are this distribution's data (others are worked out from them)."""
        return ("kind", *KEYS[self.kind])

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Durations in minutes at probabilities ``u`` (the inverse CDF).

        Drawing every duration as ``quantile(uniform)`` couples variants: a
        caller keeps their place in the distribution when its mean, spread or
        kind changes (common random numbers).
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "exponential":
            return -self.mean_min * np.log1p(-u)
        if self.kind in ("fixed", "never"):
            return np.full(u.shape, self.mean_min)
        if self.kind == "empirical":
            values = np.asarray(self.values_min)
            index = np.clip(np.ceil(u * values.size).astype(np.int64) - 1, 0, values.size - 1)
            return values[index]
        if self.kind == "triangular":
            return self._triangular(u)
        if self.kind == "uniform":
            assert self.low_min is not None and self.high_min is not None
            return self.low_min + u * (self.high_min - self.low_min)
        sd = self.sd
        if self.kind == "gamma":
            shape = (self.mean_min / sd) ** 2
            return gammaincinv(shape, u) * (sd**2 / self.mean_min)
        sigma2 = math.log1p((sd / self.mean_min) ** 2)  # lognormal
        mu = math.log(self.mean_min) - sigma2 / 2
        return np.exp(mu + math.sqrt(sigma2) * ndtri(u))

    def _triangular(self, u: np.ndarray) -> np.ndarray:
        assert self.low_min is not None and self.mode_min is not None and self.high_min is not None
        low, mode, high = self.low_min, self.mode_min, self.high_min
        width = high - low
        rising = low + np.sqrt(u * width * (mode - low))
        falling = high - np.sqrt((1 - u) * width * (high - mode))
        return np.where(u < (mode - low) / width, rising, falling)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` durations in minutes from ``rng`` (one uniform each)."""
        return self.quantile(rng.random(size))

    @property
    def sd(self) -> float:
        """Standard deviation in minutes (NaN for ``never``)."""
        if self.sd_min is not None:
            return self.sd_min
        if self.kind == "exponential":
            return self.mean_min
        if self.kind == "empirical":
            return float(np.std(self.values_min))
        if self.kind in ("uniform", "triangular"):
            assert self.low_min is not None and self.high_min is not None
            a, b = self.low_min, self.high_min
            if self.kind == "uniform":
                return (b - a) / math.sqrt(12)
            assert self.mode_min is not None
            c = self.mode_min
            return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
        return math.nan if self.kind == "never" else 0.0


def check_ends(key: str, dist: Distribution | None) -> None:
    """Raise unless ``dist`` always ends: ``kind = "never"`` is for patience only."""
    if dist is not None and dist.kind == "never":
        raise FieldError(
            f"{key}.kind", "cannot be 'never' here: only callers.patience may never run out"
        )


def read_values_csv(path: Path) -> tuple[float, ...]:
    """The durations in a one-column CSV file (an optional header line; blank lines skipped).

    Raises :class:`FieldError` (key ``file``) naming the file, line and column of a bad entry.
    """
    try:
        rows = list(csv.reader(read_text(path, "values file").splitlines()))
    except ScenarioError as err:
        raise FieldError("file", str(err)) from None
    values = []
    for line, row in enumerate(rows, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) > 1:
            raise FieldError(
                "file", f"{path} line {line}, column 2: one column only, got {len(row)}"
            )
        text = row[0].strip()
        try:
            value = float(text)
        except ValueError:
            if line == 1:
                continue  # a header
            raise FieldError(
                "file", f"{path} line {line}, column 1: not a number: {shown(text)}"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise FieldError(
                "file", f"{path} line {line}, column 1: must be a duration >= 0, got {text}"
            )
        values.append(value)
    if not values:
        raise FieldError("file", f"{path}: no values")
    return tuple(values)
