import datetime as dt
import math

import numpy as np
import pytest

from sim111.engine.roster import ShiftBlock, rostered_count, shift_blocks
from sim111.scenario import Shift, StaffGroup, StaffingChange
from sim111.scenario.distributions import Distribution

HANDLE = Distribution(mean_min=8.0)


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


def test_roster_scale_multiplies_and_rounds_every_head_count():
    staff = StaffGroup(
        handle_time=HANDLE,
        shifts=(
            Shift(start="08:00", end="16:00", count=3),
            Shift(start="16:00", end="00:00", count=5),
        ),
        roster_scale=1.5,
    )
    blocks = shift_blocks(staff, dt.date(2015, 3, 2), 1)
    assert [b.count for b in blocks if b.start_min >= 0] == [5, 8]  # 4.5 -> 5, 7.5 -> 8
    constant = StaffGroup(handle_time=HANDLE, count=10, roster_scale=0.84)
    assert shift_blocks(constant, dt.date(2015, 3, 2), 1)[0].count == 8


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
