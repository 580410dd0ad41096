"""KPI arithmetic on hand-built records."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim111.engine.records import (
    ABANDONED,
    AWAITING_CLINICIAN_AT_END,
    CALLBACK_FAILED,
    CLOSED_BY_ADVISOR,
    CLOSED_BY_CLINICIAN,
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    CallRecords,
    RunRecords,
    StepLog,
)
from sim111.kpi_keys import KPI_BY_KEY
from sim111.measures.intervals import interval_kpis
from sim111.measures.kpis import replication_kpis
from sim111.measures.spans import busy_integral_to

NAN = math.nan
AMBULANCE, ED, PRIMARY, SELF_CARE = 0, 1, 2, 5


def records(rows, horizon=120.0, warmup=0.0, interval=60, clinicians=(), busy=(), awaiting=()):
    """rows: dicts with arrival, answer, advisor_end, end, outcome and optional clinical fields."""
    n = len(rows)

    def col(name, default, dtype=float):
        return np.array([r.get(name, default) for r in rows], dtype=dtype)

    calls = CallRecords(
        caller_id=col("caller", 0, np.int64) if any("caller" in r for r in rows) else np.arange(n),
        attempt=col("attempt", 0, np.int16),
        arrival_min=col("arrival", NAN),
        patience_min=np.full(n, 99.0),
        handle_min=np.full(n, 10.0),
        answer_min=col("answer", NAN),
        advisor_end_min=col("advisor_end", NAN),
        end_min=col("end", NAN),
        outcome=col("outcome", 0, np.int8),
        triaged=col("triaged", True, bool),
        clinical=col("clinical", False, bool),
        priority=col("priority", -1, np.int8),
        warm_transfer=col("warm", False, bool),
        callback_attempts=col("attempts", 0, np.int16),
        contact_min=col("contact", NAN),
        clinician_end_min=col("clinician_end", NAN),
        first_attempt_min=col("first_attempt", NAN),
        clinician_group=col("group", -1, np.int8),
        advisor_id=np.where(np.isnan(col("answer", NAN)), -1, 0).astype(np.int16),
        clinician_id=np.where(np.isnan(col("contact", NAN)), -1, 0).astype(np.int16),
        advisor_area=np.full(n, -1, np.int16),
        clinician_area=np.full(n, -1, np.int16),
        disposition=col("disposition", -1, np.int8),
        provider=col("provider", -1, np.int8),
        provider_start_min=col("provider_start", NAN),
        bounced=col("bounced", False, bool),
        downstream=col("downstream", -1, np.int8),
        downstream_class=col("downstream_class", -1, np.int8),
        downstream_start_min=col("downstream_start", NAN),
        downstream_end_min=col("downstream_end", NAN),
        repeat_of=col("repeat_of", -1, np.int64),
        callback_left_min=col("callback_left", NAN),
        escalated_min=col("escalated", NAN),
    )
    return RunRecords(
        calls=calls,
        advisors=StepLog.from_changes([(0.0, 2)]),
        clinicians=StepLog.from_changes(list(clinicians)),
        clinicians_busy=StepLog.from_changes(list(busy)),
        awaiting_clinician=StepLog.from_changes(list(awaiting)),
        start_date=dt.date(2015, 3, 2),
        horizon_min=horizon,
        warmup_min=warmup,
        interval_min=interval,
        replication=0,
        priority_names=("urgent", "routine"),
        priority_targets_min=(20.0, 60.0),
    )


def closed(arrival, answer, end, disposition=SELF_CARE):
    return dict(
        arrival=arrival,
        answer=answer,
        advisor_end=end,
        end=end,
        outcome=CLOSED_BY_ADVISOR,
        disposition=disposition,
    )


ADVISOR_ROWS = [
    closed(0.0, 0.0, 10.0),  # answered at once
    closed(1.0, 2.0, 12.0, AMBULANCE),  # waited exactly 60 s: within 60 s
    closed(2.0, 3.5, 13.5, ED),  # waited 90 s
    dict(arrival=3.0, end=3.5, outcome=ABANDONED),  # after exactly 30 s: not "after 30 s"
    dict(arrival=4.0, end=5.0, outcome=ABANDONED),  # after 60 s
    dict(arrival=70.0, answer=70.0, outcome=WITH_ADVISOR_AT_END),
    dict(arrival=71.0, outcome=QUEUED_AT_END),
]


def test_nhs_advisor_definitions():
    k = replication_kpis(records(ADVISOR_ROWS))
    assert k["calls_offered"] == 7
    assert k["calls_answered"] == 4
    assert k["answered_within_60s"] == 3 / 4  # ÷ answered
    assert k["abandoned_after_30s"] == 1 / 7  # strictly more than 30 s, ÷ offered
    assert k["abandoned"] == 2 / 7
    assert k["mean_answer_s"] == pytest.approx((0 + 60 + 90 + 0) / 4)
    assert k["p90_answer_s"] == pytest.approx(np.percentile([0, 60, 90, 0], 90))
    assert k["calls_in_system_at_end"] == 2
    # busy: 10 + 10 + 10 + (120 - 70) = 80 person-min of 2 x 120 on duty
    assert k["advisor_utilisation"] == pytest.approx(80 / 240)
    assert k["mean_advisors_on_duty"] == 2
    # waiting: 1 + 1.5 + 0.5 + 1 + (120 - 71) minutes over 120
    assert k["mean_queue_length"] == pytest.approx((1 + 1.5 + 0.5 + 1 + 49) / 120)
    assert k["ambulance_share"] == pytest.approx(1 / 3)
    assert k["ed_share"] == pytest.approx(1 / 3)
    assert k["self_care_share"] == pytest.approx(1 / 3)


def test_warmup_excludes_early_arrivals_and_trims_utilisation():
    k = replication_kpis(records(ADVISOR_ROWS, warmup=60.0))
    assert k["calls_offered"] == 2
    assert k["calls_answered"] == 1
    assert k["advisor_utilisation"] == pytest.approx(50 / 120)


def test_no_answered_calls_gives_nan_not_an_error():
    k = replication_kpis(records([dict(arrival=0.0, end=1.0, outcome=ABANDONED)]))
    assert math.isnan(k["answered_within_60s"])
    assert math.isnan(k["mean_answer_s"])
    assert math.isnan(k["clinical_share"])
    assert k["abandoned"] == 1.0


def clinical(
    arrival,
    advisor_end,
    contact,
    priority=0,
    warm=False,
    outcome=CLOSED_BY_CLINICIAN,
    first_attempt=None,
):
    """A clinical call; its first call-back attempt is the contact unless given."""
    end = (
        NAN
        if outcome == AWAITING_CLINICIAN_AT_END
        else (contact + 18 if contact == contact else advisor_end + 40)
    )
    return dict(
        arrival=arrival,
        answer=arrival,
        advisor_end=advisor_end,
        clinical=True,
        priority=priority,
        warm=warm,
        contact=contact,
        first_attempt=contact if first_attempt is None else first_attempt,
        outcome=outcome,
        end=end,
        disposition=PRIMARY if outcome == CLOSED_BY_CLINICIAN else -1,
    )


CLINICAL_ROWS = [
    closed(0.0, 0.0, 10.0),
    closed(1.0, 1.0, 11.0),
    clinical(2.0, 12.0, 12.0, warm=True),  # warm transfer
    clinical(3.0, 13.0, 18.0),  # call-back after 5 min: within 10
    clinical(4.0, 14.0, 44.0, priority=1),  # after 30 min: late for 10, within 60
    clinical(5.0, 15.0, 40.0),  # after 25 min: late for 10 and for urgent's 20
    clinical(6.0, 16.0, NAN, outcome=CALLBACK_FAILED, first_attempt=19.0),  # made, never reached
    clinical(100.0, 112.0, NAN, outcome=AWAITING_CLINICIAN_AT_END),  # too late to judge
]


def test_clinical_definitions():
    rec = records(
        CLINICAL_ROWS,
        horizon=120.0,
        clinicians=[(0.0, 2)],
        busy=[(12.0, 1), (30.0, -1), (40.0, 1), (58.0, -1)],
        awaiting=[(12.0, 1), (12.0, -1), (13.0, 1), (18.0, -1)],
    )
    k = replication_kpis(rec)
    assert k["clinical_share"] == 6 / 8  # ÷ answered calls whose advisor call ended
    assert k["warm_transfer_share"] == 1 / 6
    # call-backs due by 110: 13, 14, 15, 16 -> made within 10 min: 13 (5 min) and
    # 16 (3 min, never answered); reaching a clinician within 10 min: 13 only
    assert k["callback_within_10min"] == 2 / 4
    assert k["callback_reached_within_10min"] == 1 / 4
    assert k["mean_callback_min"] == pytest.approx((5 + 30 + 25) / 3)
    assert k["max_callback_min"] == 30
    assert k["callbacks_failed"] == 1 / 5
    assert k["clinician_utilisation"] == pytest.approx(36 / 240)
    assert k["mean_awaiting_clinician"] == pytest.approx(5 / 120)
    # urgent (target 20, due by 100): 13 -> 5 min yes, 15 -> 25 min no, 16 failed
    assert k["callback_within_target_urgent"] == pytest.approx(1 / 3)
    assert k["callback_within_target_routine"] == 1.0  # 30 min <= 60
    assert k["primary_care_share"] == pytest.approx(4 / 6)


def test_call_back_made_within_10_min_counts_the_first_attempt_not_the_contact():
    rows = [
        # first attempted at 9 min, unanswered, reached at 20 min: made, not reached
        clinical(0.0, 10.0, 30.0, first_attempt=19.0),
        # first attempted at 11 min and answered: neither
        clinical(1.0, 11.0, 22.0),
        # attempted at once, every attempt unanswered: made, not reached
        clinical(2.0, 12.0, NAN, outcome=CALLBACK_FAILED, first_attempt=12.0),
        # never attempted by the end of the run: neither
        clinical(3.0, 13.0, NAN, outcome=AWAITING_CLINICIAN_AT_END, first_attempt=NAN),
        # advisor call ended exactly 10 min before the end: counted, made and reached at once
        clinical(4.0, 110.0, 110.0),
        # ended 9 min before the end: not counted, though made at once
        clinical(5.0, 111.0, 111.0),
        # put through live: not a call-back
        clinical(6.0, 16.0, 16.0, warm=True),
    ]
    k = replication_kpis(records(rows, horizon=120.0, clinicians=[(0.0, 2)]))
    assert k["callback_within_10min"] == 3 / 5
    assert k["callback_reached_within_10min"] == 1 / 5
    frame = interval_kpis(records(rows, horizon=120.0, interval=60, clinicians=[(0.0, 2)]))
    # offered 0-6 min (first hour) and 4-5 min: all in interval 0
    assert frame["callback_within_10min"].tolist()[0] == 3 / 5
    assert frame["callback_reached_within_10min"].tolist()[0] == 1 / 5


def test_unique_callers_and_redials():
    rows = [
        dict(arrival=0.0, end=1.0, outcome=ABANDONED, caller=0),
        dict(arrival=5.0, end=6.0, outcome=ABANDONED, caller=0, attempt=1),
        closed(9.0, 9.0, 19.0) | {"caller": 0, "attempt": 2},
        closed(10.0, 10.0, 20.0) | {"caller": 3},
    ]
    k = replication_kpis(records(rows))
    assert (k["calls_offered"], k["unique_callers"], k["redials"]) == (4, 2, 2)


def test_interval_kpis_by_arrival_interval():
    frame = interval_kpis(records(ADVISOR_ROWS))
    assert frame["calls_offered"].tolist() == [5, 2]
    assert frame["calls_answered"].tolist() == [3, 1]
    assert frame["answered_within_60s"].tolist() == [2 / 3, 1.0]
    assert frame["abandoned_after_30s"].tolist() == [1 / 5, 0.0]
    assert frame["advisors_on_duty"].tolist() == [2.0, 2.0]
    assert frame["advisor_utilisation"].tolist() == pytest.approx([30 / 120, 50 / 120])
    assert frame["mean_answer_s"].tolist() == pytest.approx([50.0, 0.0])
    assert str(frame["interval_start"].iloc[1]) == "2015-03-02 01:00:00"


def test_busy_integral_splits_spans_across_points():
    got = busy_integral_to(
        np.array([0.0, 5.0]), np.array([10.0, 30.0]), np.array([0, 5, 10, 20, 40])
    )
    assert got.tolist() == [0, 5, 15, 25, 35]


def test_the_registry_keeps_the_published_nhs_targets_for_reference():
    assert KPI_BY_KEY["answered_within_60s"].nhs_target == 0.95
    assert KPI_BY_KEY["abandoned_after_30s"].nhs_target == 0.05
    assert KPI_BY_KEY["callback_within_10min"].nhs_target == 1.0
    assert KPI_BY_KEY["callback_reached_within_10min"].nhs_target is None


def test_downstream_wait_and_within_target():
    base = dict(
        answer=0.0, advisor_end=10.0, end=10.0, outcome=CLOSED_BY_ADVISOR, disposition=PRIMARY
    )
    rows = [
        {**base, "arrival": 0.0, "downstream": 0, "downstream_class": 0, "downstream_start": 60.0},
        {**base, "arrival": 1.0, "downstream": 0, "downstream_class": 0, "downstream_start": 200.0},
        {**base, "arrival": 2.0, "downstream": 0, "downstream_class": 1, "downstream_start": 300.0},
        {**base, "arrival": 3.0},  # not referred
    ]
    rec = records(rows, horizon=1440.0)
    rec = type(rec)(
        **{**rec.__dict__, "downstream_names": ("gp",), "downstream_targets_min": ((120.0, 360.0),)}
    )
    k = replication_kpis(rec)
    assert k["downstream_gp_cases"] == 3
    assert k["downstream_gp_mean_wait_min"] == pytest.approx((50 + 190 + 290) / 3)
    assert k["downstream_gp_within_target"] == pytest.approx(
        2 / 3
    )  # 50 <= 120, 190 > 120, 290 <= 360


def test_busy_integral_of_owned_spans_sorts_them_in_place_with_the_same_sums():
    rng = np.random.default_rng(8)
    starts = rng.uniform(0, 1000, 5_000)
    ends = starts + rng.exponential(10, 5_000)
    at = np.array([0.0, 100.0, 555.5, 2000.0])
    copied = busy_integral_to(starts, ends, at)
    mine_s, mine_e = starts.copy(), ends.copy()
    owned = busy_integral_to(mine_s, mine_e, at, owned=True)
    assert owned.tolist() == copied.tolist()  # the same sorted sums: identical
    assert np.all(np.diff(mine_s) >= 0)  # sorted (and summed) in place: no copy made
    assert not np.all(np.diff(starts) >= 0)  # the caller's arrays left alone


def test_call_back_waits_of_some_rows_are_those_rows_of_every_call():
    from sim111.engine import simulate
    from sim111.measures.kpis import callback_waits_min, first_attempt_waits_min
    from sim111.scenario import load_scenario
    from tests.conftest import SCENARIOS

    s = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 2})
    calls = simulate(s, 0, 4).calls
    rows = np.flatnonzero(calls.clinical & ~calls.warm_transfer)
    assert rows.size > 100
    for waits in (callback_waits_min, first_attempt_waits_min):
        np.testing.assert_array_equal(waits(calls, rows), waits(calls)[rows])


def test_call_slots_are_int32_and_capped():
    from sim111.measures.intervals import call_slots

    got = call_slots(np.array([0.0, 3.0, 7.0, 12.0]), 5)
    assert got.dtype == np.int32
    assert got.tolist() == [0, 3, 5, 5]
