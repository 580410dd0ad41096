"""Runs given in hours or minutes: they end where they say, and nothing leaks past the end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim111.engine.centre import simulate
from sim111.engine.records import OUTCOMES
from sim111.engine.roster import shift_blocks
from sim111.errors import ScenarioError
from sim111.experiments.replications import run_experiment
from sim111.measures.costs import staff_costs
from sim111.scenario import RunSettings, load_scenario
from sim111.scenario.schema import build, to_data
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"


def typical(**run: object):
    """The typical area for a run of the given length (``hours=6``, say); 18:00 is the peak."""
    key, value = next(iter(run.items()))
    return load_scenario(TYPICAL).with_overrides({f"run.{key}": value})


@pytest.mark.parametrize(
    ("length", "horizon_min"), [({"hours": 6}, 360.0), ({"minutes": 90}, 90.0)]
)
def test_a_short_run_ends_at_its_horizon(length, horizon_min):
    scenario = typical(**length)
    assert scenario.run.horizon_min == horizon_min and scenario.run.calendar_days == 1
    result = run_experiment(scenario, replications=2, seed=3)
    for replication in range(2):
        calls = simulate(scenario, replication, 3).calls
        assert len(calls) > 0
        assert calls.arrival_min.max() < horizon_min  # first attempts and redials
        assert np.nanmax(calls.end_min, initial=0.0) <= horizon_min
        counts = np.bincount(calls.outcome, minlength=len(OUTCOMES))
        answered = int((~np.isnan(calls.answer_min)).sum())
        abandoned, queued = (
            counts[OUTCOMES.index("abandoned")],
            counts[OUTCOMES.index("queued_at_end")],
        )
        assert len(calls) == answered + abandoned + queued  # conservation of calls
    starts = result.intervals.groupby("replication")["interval_start_min"]
    for _, got in starts:
        np.testing.assert_array_equal(got, np.arange(0.0, horizon_min, scenario.run.interval_min))
    offered = result.intervals.groupby("replication")["calls_offered"].sum()
    np.testing.assert_array_equal(offered.to_numpy(), result.kpis["calls_offered"].to_numpy())


def test_a_short_run_sees_the_first_hours_of_a_whole_day():
    # the same unit-rate points through the same intensity, cut at the horizon
    day = simulate(typical(days=1), 0, 11).calls
    six = simulate(typical(hours=6), 0, 11).calls
    first = day.arrival_min[day.attempt == 0]
    np.testing.assert_array_equal(six.arrival_min[six.attempt == 0], first[first < 360.0])


def test_paid_hours_are_the_rostered_time_inside_the_run():
    scenario = typical(hours=6)
    run = scenario.run
    blocks = shift_blocks(scenario.advisors, run.start_date, run.calendar_days)
    person_min = sum(
        b.count * max(0.0, min(b.end_min, run.horizon_min) - max(b.start_min, 0.0)) for b in blocks
    )
    advisors = next(c for c in staff_costs(scenario) if c.group == "health advisors")
    assert advisors.paid_hours == pytest.approx(person_min / 60)
    whole_day = next(c for c in staff_costs(typical(days=1)) if c.group == "health advisors")
    assert advisors.paid_hours < whole_day.paid_hours


def test_one_day_24_hours_and_1440_minutes_are_the_same_run():
    runs = [typical(days=1), typical(hours=24), typical(minutes=1440)]
    records = [simulate(s, 0, 5) for s in runs]
    for other in records[1:]:
        pd.testing.assert_frame_equal(records[0].calls.to_frame(), other.calls.to_frame())
        for log in ("advisors", "clinicians", "clinicians_busy", "awaiting_clinician"):
            np.testing.assert_array_equal(
                getattr(records[0], log).time_min, getattr(other, log).time_min
            )
    results = [run_experiment(s, replications=2, seed=5) for s in runs]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0].kpis, other.kpis)
        pd.testing.assert_frame_equal(results[0].intervals, other.intervals)


@pytest.mark.parametrize(
    ("run", "text"),
    [
        ({}, "7 days"),
        ({"days": 1}, "1 day"),
        ({"hours": 6}, "6 hours"),
        ({"minutes": 90}, "90 minutes"),
    ],
)
def test_run_length_round_trips_and_reads_as_given(run, text):
    settings = build(RunSettings, run)
    assert build(RunSettings, to_data(settings)) == settings
    assert settings.length_text == text


def test_one_run_length_only():
    with pytest.raises(ValueError, match="'days' both give the run length"):
        build(RunSettings, {"days": 1, "hours": 6})
    with pytest.raises(ScenarioError, match=r"run\.days and run\.hours both give the run length"):
        load_scenario(TYPICAL).with_overrides({"run.days": 1, "run.hours": 6})
    with pytest.raises(ValueError, match="whole number of intervals"):
        build(RunSettings, {"minutes": 45})
    assert build(RunSettings, {"minutes": 45, "interval_min": 15}).horizon_min == 45.0


def test_a_new_length_replaces_the_base_one(tmp_path):
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{TYPICAL}"\n[run]\nhours = 6\n')  # the base says days = 7
    run = load_scenario(child).run
    assert (run.days, run.hours, run.horizon_min) == (None, 6.0, 360.0)
    again = load_scenario(child).with_overrides({"run.days": 2}).run
    assert (again.days, again.hours) == (2, None)
