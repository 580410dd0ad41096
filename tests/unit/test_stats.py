import math

import numpy as np
import pandas as pd
import pytest

from sim111.stats import summarise, t_interval


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
