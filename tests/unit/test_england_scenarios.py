"""England 2014's scenario files: written by their generator, and every area staffed
at every hour the typical area is (the cover floor of make_scenarios.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util

import numpy as np
import pytest

from sim111.engine.roster import rostered_count, shift_blocks
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

FOLDER = SCENARIOS / "england-2014"
DAY_MIN = 24 * 60


def _generator():
    spec = importlib.util.spec_from_file_location("make_scenarios", FOLDER / "make_scenarios.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_apart_is_what_its_generator_writes():
    # after a change to the table of areas, the typical area or the rules:
    # python scenarios/england-2014/make_scenarios.py
    assert (FOLDER / "apart.toml").read_text(encoding="utf-8") == _generator().render()


def _uncovered_min(staff, base) -> int:
    """Minutes of a fortnight (with a bank holiday) when ``base`` has someone on duty
    and ``staff`` no one."""
    start = dt.date(2014, 8, 18)  # the fortnight holds the August bank holiday (25th)
    at = np.arange(0, 14 * DAY_MIN, 5.0)
    have = rostered_count(shift_blocks(staff, start, 14), at)
    want = rostered_count(shift_blocks(base, start, 14), at)
    return int(((have == 0) & (want > 0)).sum() * 5)


@pytest.mark.parametrize("variant", ["apart", "regional", "national", "mutual-aid", "contingency"])
def test_every_area_has_someone_on_duty_whenever_the_typical_area_does(variant):
    scenario = load_scenario(FOLDER / f"{variant}.toml")
    typical = load_scenario(SCENARIOS / "typical-area.toml")
    for area, name in zip(scenario.area_scenarios, scenario.areas, strict=True):
        assert _uncovered_min(area.advisors, typical.advisors) == 0, name.name
        for group, base in zip(area.clinicians, typical.clinicians, strict=True):
            assert _uncovered_min(group, base) == 0, name.name


# Monday's small hours are worked by Sunday's night line, which a day at low scale
# drops first: a floor that looked at each day type alone, its night lines wrapped onto
# its own morning, left Monday 00:00-08:00 uncovered (480 minutes of the fortnight).
NIGHTS_ACROSS_MIDNIGHT = [
    {"start": "08:00", "end": "20:00", "count": 2, "day_types": ["weekday"]},
    {"start": "20:00", "end": "08:00", "count": 2, "day_types": ["weekday"]},
    {"start": "00:00", "end": "12:00", "count": 4, "day_types": ["saturday", "bank_holiday"]},
    {"start": "12:00", "end": "00:00", "count": 4, "day_types": ["saturday", "bank_holiday"]},
    {"start": "00:00", "end": "08:00", "count": 3, "day_types": ["sunday"]},
    {"start": "08:00", "end": "00:00", "count": 8, "day_types": ["sunday"]},
    {"start": "20:00", "end": "08:00", "count": 1, "day_types": ["sunday"]},
]


def _typical_clinicians(**overrides):
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides(overrides).clinicians[0]


@pytest.mark.parametrize(
    "staff",
    [
        _typical_clinicians(),
        _typical_clinicians(**{"clinicians.0.shifts": NIGHTS_ACROSS_MIDNIGHT}),
        load_scenario(SCENARIOS / "validation" / "erlang-a.toml").advisors,  # a count
    ],
    ids=["typical", "nights-across-midnight", "constant-count"],
)
def test_the_cover_floor_is_the_smallest_factor_that_covers_every_hour(staff):
    floor = _generator().cover_floor(staff)
    at = dataclasses.replace(staff, roster_scale=staff.roster_scale * floor)
    below = dataclasses.replace(staff, roster_scale=staff.roster_scale * (floor - 1e-3))
    assert _uncovered_min(at, staff) == 0
    assert _uncovered_min(below, staff) > 0
