"""Directional and reproducibility behaviour of whole runs."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from sim111.engine.centre import simulate
from sim111.engine.records import OUTCOMES
from sim111.experiments.replications import run_experiment
from sim111.scenario import load_scenario, scenario_from_data
from tests.conftest import SCENARIOS, make_scenario


def mean_kpi(scenario, key, reps=4):
    return run_experiment(scenario, replications=reps, seed=11).kpis[key].mean()


def test_more_advisors_shorter_waits():
    waits = [
        mean_kpi(
            make_scenario(advisors={"count": n, "handle_time": {"mean_min": 8.0}}), "mean_answer_s"
        )
        for n in (8, 9, 10, 12)
    ]
    assert waits == sorted(waits, reverse=True)
    assert waits[0] > 2 * waits[-1]


def test_more_demand_longer_waits_and_more_abandonment():
    results = [
        run_experiment(
            make_scenario(demand={"kind": "stationary", "calls_per_hour": rate}), 4, 11
        ).kpis.mean()
        for rate in (50.0, 60.0, 70.0, 80.0)
    ]
    waits = [r["mean_answer_s"] for r in results]
    abandons = [r["abandoned"] for r in results]
    assert waits == sorted(waits)
    assert abandons == sorted(abandons)


def test_more_patience_fewer_abandonments():
    low = mean_kpi(make_scenario(callers={"patience": {"mean_min": 2.0}}), "abandoned")
    high = mean_kpi(make_scenario(callers={"patience": {"mean_min": 20.0}}), "abandoned")
    assert high < low


def test_same_seed_same_records():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    a = simulate(scenario, 3, 99).calls.to_frame()
    b = simulate(scenario, 3, 99).calls.to_frame()
    pd.testing.assert_frame_equal(a, b)
    c = simulate(scenario, 4, 99).calls.to_frame()
    assert len(c) != len(a) or not np.array_equal(c["arrival_min"], a["arrival_min"])


def test_results_do_not_depend_on_workers_or_executor():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    serial = run_experiment(scenario, replications=4, seed=5)
    pooled = run_experiment(scenario, replications=4, seed=5, workers=2)
    with ThreadPoolExecutor(3) as pool:
        threaded = run_experiment(scenario, replications=4, seed=5, executor=pool)
    for other in (pooled, threaded):
        pd.testing.assert_frame_equal(serial.kpis, other.kpis)
        pd.testing.assert_frame_equal(serial.intervals, other.intervals)
        pd.testing.assert_frame_equal(serial.summary, other.summary)


def test_common_random_numbers_across_staffing_variants():
    base = make_scenario()
    a = simulate(base, 0, 7).calls
    b = simulate(base.with_overrides({"advisors.count": 14}), 0, 7).calls
    np.testing.assert_array_equal(a.arrival_min, b.arrival_min)
    np.testing.assert_array_equal(a.patience_min, b.patience_min)
    np.testing.assert_array_equal(a.handle_min, b.handle_min)


def test_conservation_every_call_has_one_outcome():
    for scenario in (
        make_scenario(),
        make_scenario(advisors={"count": 4, "handle_time": {"mean_min": 8.0}}),  # overloaded
        load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 3}),
        load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
            {"run.days": 2, "clinicians.0.shifts.1.count": 0, "clinicians.0.shifts.2.count": 0}
        ),
    ):
        c = simulate(scenario, 0, 1).calls
        counts = dict(zip(OUTCOMES, np.bincount(c.outcome, minlength=len(OUTCOMES)), strict=True))
        assert sum(counts.values()) == len(c)
        answered = int((~np.isnan(c.answer_min)).sum())
        # offered = answered + abandoned + still queued
        assert len(c) == answered + counts["abandoned"] + counts["queued_at_end"]
        # answered = with an advisor + closed by the advisor + entered the clinical stage
        clinical = int(c.clinical.sum())
        assert answered == (
            counts["with_advisor_at_end"]
            + counts["closed_no_triage"]
            + counts["closed_by_advisor"]
            + clinical
        )
        # clinical = awaiting + being assessed + closed by a clinician + failed call-backs
        #   + callers who stopped waiting (replaced by a repeat call, gave up, A&E, 999)
        assert clinical == (
            counts["awaiting_clinician_at_end"]
            + counts["with_clinician_at_end"]
            + counts["closed_by_clinician"]
            + counts["callback_failed"]
            + counts["callback_replaced"]
            + counts["callback_gave_up"]
            + counts["callback_left_for_ed"]
            + counts["callback_left_for_999"]
        )
        # a repeat call is one more offered call: every row is a first attempt,
        # a redial or a repeat call, and each repeat chases a call-back that was left
        repeats = c.repeat_of >= 0
        assert not np.isnan(c.callback_left_min[c.repeat_of[repeats]]).any()


def test_a_bank_holiday_staffed_like_a_weekday_collapses():
    # Good Friday 2013 (1.8x a mean day, weekend profile) with the weekday roster.
    easter = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.start_date": dt.date(2013, 3, 29), "run.days": 1}
    )
    data = easter.to_data()
    shifts = [s for s in data["advisors"]["shifts"] if "weekend" not in s["name"]]
    for shift in shifts:
        shift["day_types"] = ["weekday", "bank_holiday"]
    data["advisors"]["shifts"] = shifts
    starved = scenario_from_data(data, "test")
    assert mean_kpi(starved, "abandoned_after_30s") > 5 * mean_kpi(easter, "abandoned_after_30s")
    assert mean_kpi(starved, "abandoned_after_30s") > 0.05


def test_lazy_abandonment_gives_exactly_the_records_of_patience_timers():
    # With no redials and no overflow the engine decides abandonment when an advisor
    # reaches the caller instead of by a timer per queued caller; the claim is that
    # this is exact, so forcing the timers must reproduce every record bit for bit.
    import simpy

    from sim111.engine.callers import draw_callers
    from sim111.engine.centre import CallCentre, draw_arrivals
    from sim111.engine.streams import RandomStreams

    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 2, "callers.redial_probability": 0.0, "advisors.roster_scale": 0.6}
    )

    def records(lazy):
        streams = RandomStreams(5, 0)
        arrivals = draw_arrivals(scenario, streams)
        draws = draw_callers(scenario, streams.generator, arrivals.size)
        centre = CallCentre(simpy.Environment(), scenario, arrivals, draws, streams)
        assert centre.advice.lazy_abandonment
        centre.advice.lazy_abandonment = lazy
        centre.run(scenario.run.horizon_min)
        return centre.records()

    lazy, timed = records(True), records(False)
    assert (lazy.outcome == OUTCOMES.index("abandoned")).sum() > 30  # a busy queue
    for name in lazy.columns:
        assert np.array_equal(getattr(lazy, name), getattr(timed, name), equal_nan=True), name
