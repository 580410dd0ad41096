"""Seed-pinned regression tests: the same scenario and seed give the same numbers.

These do not show the model is right (tests/validation does); they show it has
not changed. After an intended change, regenerate with
``python -m tests.regression.regenerate``.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.regression.cases import GOLDEN, cases, run_case


def close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("name", sorted(cases()))
def test_seed_pinned_regression(name):
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    current = json.loads(json.dumps(run_case(name)))
    assert close(current, golden), f"{name} changed; regenerate if intended"
