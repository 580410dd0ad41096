"""KPI arithmetic on hand-built records."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim111.kpis import KPI_BY_KEY, busy_integral_to, interval_kpis, replication_kpis
from sim111.records import (
    ABANDONED,
    COMPLETED,
    IN_SERVICE_AT_END,
    QUEUED_AT_END,
    CallRecords,
    RunRecords,
    StaffLog,
)

NAN = math.nan


def records(rows, staff=((0.0, 2),), horizon=120.0, warmup=0.0, interval=60):
    """rows: (arrival, answer, end, outcome)"""
    a, ans, end, out = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    calls = CallRecords(
        a, np.full(a.size, 99.0), np.full(a.size, 1.0), ans, end, out.astype(np.int8)
    )
    return RunRecords(
        calls, StaffLog.from_changes(list(staff)), dt.date(2015, 3, 2), horizon, warmup, interval, 0
    )


ROWS = [
    (0.0, 0.0, 10.0, COMPLETED),  # answered at once
    (1.0, 2.0, 12.0, COMPLETED),  # waited 60 s: within 60 s
    (2.0, 3.5, 13.5, COMPLETED),  # waited 90 s
    (3.0, NAN, 3.5, ABANDONED),  # abandoned after exactly 30 s: not "after 30 s"
    (4.0, NAN, 5.0, ABANDONED),  # abandoned after 60 s
    (70.0, 70.0, NAN, IN_SERVICE_AT_END),
    (71.0, NAN, NAN, QUEUED_AT_END),
]


def test_nhs_definitions():
    k = replication_kpis(records(ROWS))
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


def test_warmup_excludes_early_arrivals_and_trims_utilisation():
    k = replication_kpis(records(ROWS, warmup=60.0))
    assert k["calls_offered"] == 2
    assert k["calls_answered"] == 1
    assert k["advisor_utilisation"] == pytest.approx(50 / 120)


def test_no_answered_calls_gives_nan_not_an_error():
    k = replication_kpis(records([(0.0, NAN, 1.0, ABANDONED)]))
    assert math.isnan(k["answered_within_60s"])
    assert math.isnan(k["mean_answer_s"])
    assert k["abandoned"] == 1.0


def test_interval_kpis_by_arrival_interval():
    frame = interval_kpis(records(ROWS))
    assert frame["calls_offered"].tolist() == [5, 2]
    assert frame["calls_answered"].tolist() == [3, 1]
    assert frame["answered_within_60s"].tolist() == [2 / 3, 1.0]
    assert frame["abandoned_after_30s"].tolist() == [1 / 5, 0.0]
    assert frame["advisors_on_duty"].tolist() == [2.0, 2.0]
    assert frame["advisor_utilisation"].tolist() == pytest.approx([30 / 120, 50 / 120])
    assert str(frame["interval_start"].iloc[1]) == "2015-03-02 01:00:00"


def test_busy_integral_splits_spans_across_points():
    got = busy_integral_to(
        np.array([0.0, 5.0]), np.array([10.0, 30.0]), np.array([0, 5, 10, 20, 40])
    )
    assert got.tolist() == [0, 5, 15, 25, 35]


def test_kpi_targets():
    assert KPI_BY_KEY["answered_within_60s"].meets(0.96) is True
    assert KPI_BY_KEY["answered_within_60s"].meets(0.94) is False
    assert KPI_BY_KEY["abandoned_after_30s"].meets(0.04) is True
    assert KPI_BY_KEY["abandoned_after_30s"].target_text() == "< 5%"
    assert KPI_BY_KEY["mean_answer_s"].meets(1.0) is None
