"""How the clinical stage responds to staffing, priorities and bank holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim111.engine.centre import simulate
from sim111.experiments.replications import run_experiment
from sim111.scenario import load_scenario, scenario_from_data
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"


def typical(**overrides):
    return load_scenario(TYPICAL).with_overrides({"run.days": 2, **overrides})


def ample_clinicians(scenario, warm: bool):
    data = scenario.to_data()
    data["clinicians"] = [{"count": 300, "handle_time": {"mean_min": 18.0}}]
    for p in data["clinical"]["priorities"]:
        p["warm_transfer"] = warm
    data["clinical"]["callback_no_answer_share"] = 0.0
    return scenario_from_data(data, "test")


def test_ample_clinicians_put_every_call_through_live():
    kpis = run_experiment(ample_clinicians(typical(), warm=True), 3, 1).kpis
    assert (kpis["warm_transfer_share"] == 1.0).all()
    assert kpis["mean_callback_min"].isna().all()  # no call-backs at all


def test_ample_clinicians_call_back_at_once():
    kpis = run_experiment(ample_clinicians(typical(), warm=False), 3, 1).kpis
    assert (kpis["warm_transfer_share"] == 0.0).all()
    assert (kpis["max_callback_min"] == 0.0).all()
    assert (kpis["callback_within_10min"] == 1.0).all()
    assert (kpis["callback_reached_within_10min"] == 1.0).all()  # every attempt answered


def test_more_clinicians_shorter_call_back_waits():
    waits = []
    for extra in (0, 1, 3):
        scenario = typical(
            **{f"clinicians.0.shifts.{k}.count": c + extra for k, c in enumerate((2, 2, 4, 5, 4))}
        )
        waits.append(run_experiment(scenario, 4, 3).kpis["mean_callback_min"].mean())
    assert waits[0] > waits[1] > waits[2]


def test_no_clinicians_on_a_bank_holiday_makes_call_backs_wait_for_hours():
    easter = typical(**{"run.start_date": dt.date(2013, 3, 29), "run.days": 1})
    data = easter.to_data()
    for shift in data["clinicians"][0]["shifts"]:
        shift["day_types"] = [d for d in shift["day_types"] if d != "bank_holiday"] or ["weekday"]
    starved = scenario_from_data(data, "test")
    normal = run_experiment(easter, 3, 2).kpis
    closed = run_experiment(starved, 3, 2).kpis
    assert (closed["clinician_utilisation"].isna()).all()  # nobody on duty
    assert closed["callback_within_10min"].max() == 0  # not even attempted
    # the calibrated roster already runs a Good Friday backlog (about 13 waiting on
    # average); with nobody on duty it is several times that
    assert closed["mean_awaiting_clinician"].mean() > 4 * normal["mean_awaiting_clinician"].mean()
    # Nobody is reached all day: the queue builds for hours.
    rec = simulate(starved, 0, 2)
    waiting_since = rec.calls.advisor_end_min[rec.calls.clinical & np.isnan(rec.calls.contact_min)]
    assert rec.horizon_min - waiting_since.min() > 12 * 60


def test_a_higher_class_waiting_is_always_served_first():
    scenario = typical(
        **{
            "run.days": 3,
            "clinical.callback_no_answer_share": 0.0,
            "clinical.warm_transfer_hold_max_min": 0.0,
            "clinical.priorities.0.warm_transfer": False,
        }
    )
    c = simulate(scenario, 0, 4).calls
    cb = c.clinical & ~c.warm_transfer
    entered, contact, prio = c.advisor_end_min[cb], c.contact_min[cb], c.priority[cb]
    contact_or_end = np.where(np.isnan(contact), np.inf, contact)
    for i in np.flatnonzero(~np.isnan(contact)):
        t = contact[i]
        # no higher class was in the queue (entered before t, reached after t)
        waiting_higher = (prio < prio[i]) & (entered < t) & (contact_or_end > t)
        assert not waiting_higher.any(), f"class {prio[i]} served at {t} ahead of a higher class"
    assert (~np.isnan(contact)).sum() > 100
