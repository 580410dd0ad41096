"""A caller redials at most MAX_REDIALS times (issue 20: counts the engine stores).

With everyone redialling (``redial_probability = 1``), no one to answer and short
patience and redial delay, each caller used to redial until the run ended: about
1,400 calls each in 2 days (1.4 million calls, 5 minutes), past 32,767 (the int16
``attempt``) in a month. Now each gives up after :data:`MAX_REDIALS` redials.
"""

from __future__ import annotations

import time

import numpy as np

from sim111.engine.centre import simulate
from sim111.scenario import load_scenario
from sim111.scenario.limits import MAX_REDIALS
from tests.conftest import SCENARIOS


def test_callers_give_up_after_the_maximum_number_of_redials():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {
            "run.days": 1,
            "demand.scale": 0.05,
            "advisors.roster_scale": 0,
            "callers.redial_probability": 1.0,
            "callers.patience.mean_min": 0.5,
            "callers.redial_delay.mean_min": 0.5,
        }
    )
    started = time.monotonic()
    calls = simulate(scenario, 0, 1).calls.to_frame()
    assert time.monotonic() - started < 30
    per_caller = calls.groupby("caller_id").size()
    first = calls[calls["attempt"] == 0]
    assert len(first) == len(per_caller) > 10
    assert calls["attempt"].max() == MAX_REDIALS
    assert per_caller.max() == MAX_REDIALS + 1
    # no one answers: every call is abandoned, and every caller who had time to
    # redial 100 times (those who first called in the first half of the day) did
    assert (calls["answer_min"].isna()).all()
    early = first.loc[first["arrival_min"] < 720, "caller_id"]
    assert (per_caller[early] == MAX_REDIALS + 1).all()
    assert np.array_equal(
        calls.groupby("caller_id")["attempt"].max().sort_index().to_numpy(),
        (per_caller - 1).sort_index().to_numpy(),
    )
