import math

import numpy as np
import pandas as pd
import pytest

from sim111.experiments.stats import summarise, t_interval
from sim111.experiments.sweep import clip_to_range


def test_t_interval_known_value():
    mean, low, high = t_interval(np.array([1.0, 2.0, 3.0]))
    half = 4.302652729911275 * 1.0 / math.sqrt(3)  # t(0.975, 2) * s / sqrt(n)
    assert (mean, low, high) == pytest.approx((2.0, 2.0 - half, 2.0 + half))


def test_single_replication_has_no_interval_and_nans_are_skipped():
    assert t_interval(np.array([5.0]))[0] == 5.0
    assert math.isnan(t_interval(np.array([5.0]))[1])
    assert t_interval(np.array([1.0, math.nan, 3.0]))[0] == 2.0


def test_summarise_skips_replication_column():
    frame = summarise(pd.DataFrame({"replication": [0, 1], "x": [1.0, 3.0]}))
    assert list(frame.index) == ["x"]
    assert frame.loc["x", "n"] == 2


def test_interval_ends_are_clipped_to_each_kpis_range():
    summary = pd.DataFrame(
        {
            "mean": [2.0, 0.99, -5.0, math.nan],
            "ci_low": [-1.0, 0.97, -9.0, math.nan],
            "ci_high": [5.0, 1.01, -1.0, math.nan],
            "n": [3, 3, 3, 0],
        },
        index=pd.Index(["p95_answer_s", "answered_within_60s", "margin_gbp", "mean_callback_min"]),
    )
    out = clip_to_range(summary)
    assert out["ci_low"].tolist()[:3] == [0.0, 0.97, -9.0]  # waits >= 0; margins unbounded
    assert out["ci_high"].tolist()[:3] == [5.0, 1.0, -1.0]  # fractions <= 1
    assert out.loc["mean_callback_min"].isna()[["ci_low", "ci_high"]].all()  # no data stays NaN
    assert out["mean"].equals(summary["mean"])
