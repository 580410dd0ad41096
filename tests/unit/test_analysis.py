import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import stdtrit

from sim111.experiments.analysis import replications_needed, suggest_warmup
from sim111.experiments.replications import run_experiment
from tests.conftest import make_scenario


def test_replications_needed_meets_the_half_width_and_no_fewer_would():
    pilot = np.array([10.0, 12.0, 11.0, 9.0, 13.0])
    sd = pilot.std(ddof=1)
    n = replications_needed(pilot, half_width=0.5)
    assert stdtrit(n - 1, 0.975) * sd / math.sqrt(n) <= 0.5
    assert stdtrit(n - 2, 0.975) * sd / math.sqrt(n - 1) > 0.5
    assert replications_needed(pilot, half_width=0.05, relative=True) == replications_needed(
        pilot, half_width=0.05 * pilot.mean()
    )


def test_replications_needed_rejects_a_tiny_pilot():
    with pytest.raises(ValueError, match="at least 2"):
        replications_needed(np.array([1.0]), 0.1)


def test_warmup_of_a_synthetic_transient():
    t = np.arange(0, 3000, 30.0)
    level = np.where(t < 600, t / 600 * 10, 10.0)  # ramps up for 10 hours
    frame = pd.DataFrame({"interval_start_min": t, "mean_queue_length": level})
    w = suggest_warmup(frame, window=1, tolerance=0.05)
    assert 540 <= w <= 600


def test_warmup_of_an_empty_start_queue_is_short_but_not_zero():
    scenario = make_scenario(
        run={"days": 2, "warmup_min": 0},
        demand={"kind": "stationary", "calls_per_hour": 80.0},
    )
    result = run_experiment(scenario, replications=10, seed=1)
    w = suggest_warmup(result.intervals, kpi="advisor_utilisation", tolerance=0.05)
    assert 0 < w <= 6 * 60
