import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from sim111.engine.roster import ShiftBlock, rostered_count, shift_blocks
from sim111.scenario import DAY_TYPES, Shift, StaffGroup, StaffingChange, load_scenario
from sim111.scenario.distributions import Distribution
from sim111.scenario.staff import scaled_counts

HANDLE = Distribution(mean_min=8.0)
ROOT = Path(__file__).resolve().parents[2]


def group(*shifts):
    return StaffGroup(handle_time=HANDLE, shifts=tuple(shifts))


def test_constant_count_is_one_open_block():
    assert shift_blocks(StaffGroup(handle_time=HANDLE, count=4), dt.date(2015, 3, 2), 2) == (
        ShiftBlock(0.0, math.inf, 4, "constant"),
    )


def test_shifts_by_day_type_and_over_midnight():
    # Fri 27 Mar - Sat 28 Mar 2015; the night shift of Thursday runs into Friday.
    staff = group(
        Shift(start="08:00", end="16:00", count=3, day_types=("weekday",)),
        Shift(start="22:00", end="06:00", count=2),
    )
    blocks = shift_blocks(staff, dt.date(2015, 3, 27), 2)
    assert [(b.start_min, b.end_min, b.count) for b in blocks] == [
        (-120.0, 360.0, 2),  # Thursday night
        (480.0, 960.0, 3),  # Friday day shift
        (1320.0, 1800.0, 2),  # Friday night
        (2760.0, 3240.0, 2),  # Saturday night (starts inside the run)
    ]


def test_rostered_count_includes_start_and_excludes_end():
    blocks = (ShiftBlock(0, 60, 2), ShiftBlock(30, 90, 1))
    assert rostered_count(blocks, np.array([0, 29, 30, 59, 60, 89, 90])).tolist() == [
        2,
        2,
        3,
        3,
        1,
        1,
        0,
    ]


def test_24_hour_shift():
    assert Shift(start="07:00", end="07:00", count=1).duration_min == 1440
    assert Shift(start="00:00", end="24:00", count=1).duration_min == 1440


def test_roster_scale_follows_paid_hours_not_each_line():
    staff = StaffGroup(
        handle_time=HANDLE,
        shifts=(
            Shift(start="08:00", end="16:00", count=3),
            Shift(start="16:00", end="00:00", count=5),
        ),
        roster_scale=1.5,
    )
    blocks = shift_blocks(staff, dt.date(2015, 3, 2), 1)
    # 8 people x 1.5 = 12 (rounding each line half-up would give 5 + 8 = 13)
    assert [b.count for b in blocks if b.start_min >= 0] == [5, 7]
    constant = StaffGroup(handle_time=HANDLE, count=10, roster_scale=0.84)
    assert shift_blocks(constant, dt.date(2015, 3, 2), 1)[0].count == 8


def test_scaled_counts_weigh_people_by_shift_hours():
    # 8 h and 4 h lines, one person each: 12 h at scale 1
    assert scaled_counts((1, 1), (480, 240), 0.5) == (1, 0)  # 8 h: the first line's person
    assert scaled_counts((1, 1), (480, 240), 0.3) == (0, 0)  # 3.6 h: stopping short is closer
    assert scaled_counts((2, 2), (480, 240), 0.75) == (2, 1)  # 18 h: 20 h is nearer than 12 h
    assert scaled_counts((3, 5), (480, 480), 2.0) == (6, 10)  # whole multiples are exact
    assert scaled_counts((3, 0, 5), (480, 480, 480), 1.0) == (3, 0, 5)


def test_plateaus_are_gone_and_hours_track_the_scale():
    def lines(count):  # ten staggered 8 h lines
        return group(
            *(Shift(start=f"{h:02d}:00", end=f"{h + 8:02d}:00", count=count) for h in range(10))
        )

    def scaled(staff, scale):
        return paid_hours(dataclasses.replace(staff, roster_scale=scale))

    # rounding each line on its own: 2 x 0.80 and 2 x 0.83 both give 2 (160 h), 1 x 1.5 gives 2
    assert (scaled(lines(2), 0.80), scaled(lines(2), 0.83)) == (128.0, 136.0)
    assert scaled(lines(1), 1.5) == 1.5 * paid_hours(lines(1)) == 120.0


def paid_hours(staff):
    blocks = shift_blocks(staff, dt.date(2015, 3, 2), 1)
    return sum(b.count * (b.end_min - b.start_min) for b in blocks if b.start_min >= 0) / 60


SCALES = [k / 100 for k in range(201)]


@pytest.mark.parametrize("which", ["advisors", "clinicians"])
def test_typical_area_roster_follows_every_scale_on_every_day_type(which):
    scenario = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    staff = scenario.advisors if which == "advisors" else scenario.clinicians[0]
    for day_type in DAY_TYPES:
        lines = [s for s in staff.shifts if day_type in s.day_types]
        counts = tuple(s.count for s in lines)
        durations = tuple(s.duration_min for s in lines)
        base_min = sum(c * d for c, d in zip(counts, durations, strict=True))
        previous = (0,) * len(lines)
        for scale in SCALES:
            scaled = scaled_counts(counts, durations, scale)
            paid_min = sum(c * d for c, d in zip(scaled, durations, strict=True))
            assert abs(paid_min - scale * base_min) <= max(durations) / 2, (day_type, scale)
            assert all(a >= b for a, b in zip(scaled, previous, strict=True)), (day_type, scale)
            previous = scaled
        assert scaled_counts(counts, durations, 1.0) == counts


def test_typical_area_week_paid_hours_rise_with_the_scale():
    staff = load_scenario(ROOT / "scenarios" / "typical-area.toml").advisors
    hours = [paid_hours_week(dataclasses.replace(staff, roster_scale=s)) for s in SCALES[::5]]
    assert hours == sorted(hours) and hours[0] == 0


def paid_hours_week(staff):
    blocks = shift_blocks(staff, dt.date(2015, 3, 2), 7)
    return sum(b.count * (b.end_min - b.start_min) for b in blocks) / 60


def test_staffing_changes_apply_from_their_date():
    staff = StaffGroup(
        handle_time=HANDLE,
        shifts=(Shift(start="08:00", end="16:00", count=10),),
        staffing_changes=(
            StaffingChange(from_date=dt.date(2015, 3, 3), roster_scale=0.5),
            StaffingChange(from_date=dt.date(2015, 3, 4), roster_scale=0.0),
        ),
    )
    blocks = shift_blocks(staff, dt.date(2015, 3, 2), 3)
    assert [(b.start_min, b.count) for b in blocks] == [(480.0, 10), (1920.0, 5)]
    constant = StaffGroup(
        handle_time=HANDLE,
        count=4,
        staffing_changes=(StaffingChange(from_date=dt.date(2015, 3, 3), roster_scale=0.5),),
    )
    assert [b.count for b in shift_blocks(constant, dt.date(2015, 3, 2), 2)] == [4, 2]


def test_staffing_changes_must_be_in_date_order():
    from sim111.errors import ScenarioError
    from tests.conftest import make_scenario

    with pytest.raises(ScenarioError, match=r"'advisors\.staffing_changes' must be in date order"):
        make_scenario(
            advisors={
                "count": 3,
                "handle_time": {"mean_min": 8.0},
                "staffing_changes": [
                    {"from_date": dt.date(2015, 3, 4), "roster_scale": 1.0},
                    {"from_date": dt.date(2015, 3, 3), "roster_scale": 1.0},
                ],
            }
        )
