"""The call-back KPIs against the ceiling unanswered attempts put on them."""

from __future__ import annotations

import pytest

from sim111.experiments.replications import run_experiment
from sim111.scenario import load_scenario, scenario_from_data
from sim111.scenario.targets import reached_ceiling
from tests.conftest import SCENARIOS


def ample_clinicians(**clinical):
    """The typical area for 2 days with far more clinicians than needed, none put through live."""
    base = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    data = base.to_data()
    data["clinicians"] = [{"count": 300, "handle_time": {"mean_min": 18.0}}]
    for p in data["clinical"]["priorities"]:
        p["warm_transfer"] = False
    data["clinical"].update(clinical)
    return scenario_from_data(data, "test")


@pytest.mark.parametrize(
    ("retry_delay_min", "tolerance"),
    [(15.0, 0.03), (5.0, 0.012)],  # ceilings 0.9 and 0.99; ~1,400 call-backs
)
def test_with_ample_clinicians_every_call_back_is_made_at_once_and_reached_up_to_the_ceiling(
    retry_delay_min, tolerance
):
    scenario = ample_clinicians(callback_retry_delay_min=retry_delay_min)
    kpis = run_experiment(scenario, 3, 5).kpis
    assert (kpis["callback_within_10min"] == 1.0).all()  # made: first attempt at once
    ceiling = reached_ceiling(scenario.clinical)
    assert kpis["callback_reached_within_10min"].mean() == pytest.approx(ceiling, abs=tolerance)
    assert (kpis["callback_reached_within_10min"] < 1.0).all()  # some are never answered first
