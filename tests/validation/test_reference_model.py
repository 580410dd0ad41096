"""The fast engine against the plain SimPy reference model, call by call.

``sim111.engine.reference`` is the journey written the obvious SimPy way (a
process per caller, people as items of a store, requests served in key order);
``sim111.engine.centre`` is the fast event loop. Both read the same draws (arrivals,
caller attributes, redials drawn in batches from the ``redial.*`` streams in
the order callers hang up), so on the same seed every column of every call
must be the same, not merely the KPIs. Times are compared exactly: both
compute each time by the same float operations (drawn time, or the clock plus
a drawn duration); NaN (not reached) equals NaN. The staffing logs are
compared as step functions (at equal times the two log changes in a different
order, which is invisible once the changes at a time are summed).

Identical, every column: the Erlang-A queue, a busy area with redials, callers
who never hang up (with gamma and triangular times), a run of 13.5 hours, the
clinical stage (warm transfer with a hold, unanswered call-backs and retries,
priority and deadline order, groups serving some classes, two classes put
through live and held for groups that serve different subsets of them — a
holding caller passed over keeps their place), overflow providers
(bounced, lost, hourly cap, expected-wait rule, rostered provider staff) and
downstream services.

Not identical, and why (compared by KPIs within confidence intervals instead):

- everything on one grid (fixed durations, shifts, hold and retries in whole
  10 minutes): unrelated events fall on the same instant, and SimPy takes them
  in scheduling order, which the two models build differently (the reference
  grants a request through an event; the engine acts at once). The advisor
  stage stays identical; the clinical stage diverges. With continuous draws
  such coincidences have probability zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sim111.engine.centre import simulate
from sim111.engine.records import CallRecords, RunRecords, StepLog
from sim111.engine.reference import simulate_reference
from sim111.experiments.stats import t_interval
from sim111.measures.kpis import replication_kpis
from sim111.scenario import Scenario, load_scenario, scenario_from_data
from tests.conftest import SCENARIOS

SEED = 2013
REPLICATIONS = 2  # per identical case: each replication is a fresh set of draws


def erlang_a() -> Scenario:
    return load_scenario(SCENARIOS / "validation" / "erlang-a.toml").with_overrides(
        {"run.days": 1, "demand.calls_per_hour": 150.0}  # rho = 1.1: queues and abandonment
    )


# The reference model has no call-back patience (nor backlog rules): the library's
# callers who stop waiting for a call-back are switched off for the comparison. That
# behaviour is checked against Erlang-A (test_callback_patience) and by deterministic
# journeys (tests/unit/test_waiting_journeys.py).
NEVER = {"kind": "never"}
WAIT_FOR_CALL_BACKS = {
    "clinical.waiting.patience": NEVER,
    "clinical.priorities.0.callback_patience": NEVER,
}


def typical(**overrides: Any) -> Scenario:
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 2, **WAIT_FOR_CALL_BACKS, **overrides}
    )


def busy_with_redials() -> Scenario:
    return typical(**{"demand.scale": 1.6, "callers.redial_probability": 0.7})


CLINICAL = {
    "triage.clinical_share": 0.5,
    "clinical.warm_transfer_hold_max_min": 5.0,
    "clinical.callback_no_answer_share": 0.4,  # many unanswered attempts, some failures
    "clinical.callback_retry_delay_min": 5.0,
}


def clinical(discipline: str = "priority") -> Scenario:
    return typical(**CLINICAL, **{"clinical.discipline": discipline})


def _later(clock: str, minutes: int = 5) -> str:
    h, m = (int(x) for x in clock.split(":"))
    total = (h * 60 + m + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def split_clinicians(discipline: str = "priority", warm: tuple[str, ...] = ("urgent",)) -> Scenario:
    """Nurses take urgent and soon, GPs (half as many) soon and routine.

    The GPs' shifts start and end 5 minutes after the nurses': when two groups that
    serve different classes come on duty at the same instant, which of them takes a
    waiting call-back first is a tie the two models break differently (see "on a
    grid" below), not a difference in the journey.
    """
    data = clinical(discipline).to_data()
    nurses = data["clinicians"][0]
    gps = {
        **nurses,
        "shifts": [
            {
                **s,
                "count": max(1, s["count"] // 2),
                "start": _later(s["start"]),
                "end": _later(s["end"]),
            }
            for s in nurses["shifts"]
        ],
    }
    data["clinicians"] = [
        {**nurses, "name": "nurses", "serves": ["urgent", "soon"]},
        {**gps, "name": "gps", "serves": ["soon", "routine"]},
    ]
    for priority in data["clinical"]["priorities"]:
        priority["warm_transfer"] = priority["name"] in warm
    return scenario_from_data(data, "test")


def contingency(**overrides: Any) -> Scenario:
    """Overflow to NHS Direct 0845 (bounced when full), with downstream services."""
    return load_scenario(SCENARIOS / "nhs-direct-contingency.toml").with_overrides(
        {"run.days": 2, "demand.scale": 1.5, **WAIT_FOR_CALL_BACKS, **overrides}
    )


def contingency_lost_capped() -> Scenario:
    return contingency(**{"providers.0.when_full": "lost", "providers.0.max_calls_per_hour": 10})


def contingency_by_expected_wait() -> Scenario:
    """An expected-wait rule in an evening window, and a provider on a roster."""
    data = contingency().to_data()
    data["overflow"] = [
        {"provider": "nhs_direct", "expected_wait_over_s": 120, "start": "08:00", "end": "02:00"}
    ]
    provider = data["providers"][0]
    del provider["count"]
    provider["shifts"] = [{"start": "09:00", "end": "21:00", "count": 6}]
    return scenario_from_data(data, "test")


def never_patient_and_other_kinds() -> Scenario:
    """Callers who never hang up (but quick hang-ups and redials), gamma and triangular times."""
    return typical(
        **{
            "demand.scale": 1.3,
            "callers.patience": {"kind": "never"},
            "advisors.handle_time": {"kind": "gamma", "mean_min": 11.5, "sd_min": 5.0},
            "clinicians.0.handle_time": {
                "kind": "triangular",
                "low_min": 8.0,
                "mode_min": 15.0,
                "high_min": 40.0,
            },
        }
    )


def short_run() -> Scenario:
    """13.5 hours, ending at 13:30 on the first day with callers queued and rostered staff on."""
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.minutes": 810, **CLINICAL, **WAIT_FOR_CALL_BACKS, "callers.redial_probability": 0.7}
    )


IDENTICAL: dict[str, Callable[[], Scenario]] = {
    "never-patient": never_patient_and_other_kinds,
    "short-run": short_run,
    "erlang-a": erlang_a,
    "typical-redials": busy_with_redials,
    "clinical-priority": clinical,
    "clinical-deadline": lambda: clinical("deadline"),
    "serves-priority": split_clinicians,
    "serves-deadline": lambda: split_clinicians("deadline"),
    # holding callers passed over by a group that cannot serve them keep their place
    "holding-order": lambda: split_clinicians(warm=("urgent", "soon")),
    "holding-order-deadline": lambda: split_clinicians("deadline", warm=("urgent", "soon")),
    "overflow-bounce": contingency,
    "overflow-lost-capped": contingency_lost_capped,
    "overflow-expected-wait": contingency_by_expected_wait,
}


def assert_same_calls(engine: CallRecords, reference: CallRecords) -> None:
    assert len(engine) == len(reference)
    assert list(engine.columns) == list(reference.columns)
    for name, ours in engine.columns.items():
        theirs = reference.columns[name]
        assert ours.dtype == theirs.dtype, name
        np.testing.assert_array_equal(ours, theirs, err_msg=name, strict=True)


def steps(log: StepLog) -> tuple[np.ndarray, np.ndarray]:
    """The step function: each distinct time, with the level after every change at it."""
    last = np.r_[log.time_min[1:] != log.time_min[:-1], True]
    return log.time_min[last], log.level[last]


def assert_same_logs(engine: RunRecords, reference: RunRecords) -> None:
    for name in ("advisors", "clinicians", "clinicians_busy", "awaiting_clinician"):
        for ours, theirs in zip(
            steps(getattr(engine, name)), steps(getattr(reference, name)), strict=True
        ):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)


@pytest.mark.parametrize("case", list(IDENTICAL))
def test_engine_matches_reference_call_for_call(case: str) -> None:
    scenario = IDENTICAL[case]()
    for replication in range(REPLICATIONS):
        engine = simulate(scenario, replication, SEED)
        reference = simulate_reference(scenario, replication, SEED)
        assert_same_calls(engine.calls, reference.calls)
        assert_same_logs(engine, reference)


def on_a_grid() -> Scenario:
    """Every duration, shift, hold and retry a whole multiple of 10 minutes: ties abound."""
    data = typical().to_data()
    ten = {"kind": "fixed", "mean_min": 10.0}
    data["advisors"]["shifts"] = [
        {"start": "08:00", "end": "20:00", "count": 6},
        {"start": "12:00", "end": "22:00", "count": 2},
    ]
    data["advisors"]["handle_time"] = data["triage"]["untriaged_handle_time"] = ten
    data["callers"] |= {"patience": {"kind": "fixed", "mean_min": 2000.0}}
    data["callers"]["quick_hangup_share"] = 0.0
    data["clinicians"][0] = {"count": 3, "handle_time": ten}
    data["clinical"] |= {
        "warm_transfer_hold_max_min": 10.0,
        "callback_retry_delay_min": 0.0,
        "callback_no_answer_min": 10.0,
        "callback_no_answer_share": 0.5,
    }
    return scenario_from_data(data, "test")


KPI_REPLICATIONS = 8
KPIS = ("abandoned", "mean_answer_s", "warm_transfer_share", "mean_callback_min")
CONFIDENCE = 1 - 0.05 / len(KPIS)  # Bonferroni over the comparisons


@pytest.mark.parametrize("make", [on_a_grid], ids=["ties-on-a-grid"])
def test_engine_matches_reference_kpis_within_ci_where_records_differ(
    make: Callable[[], Scenario],
) -> None:
    # Paired by replication (same draws): the mean difference must be
    # indistinguishable from zero.
    scenario = make()
    differences: dict[str, list[float]] = {key: [] for key in KPIS}
    for replication in range(KPI_REPLICATIONS):
        engine = replication_kpis(simulate(scenario, replication, SEED))
        reference = replication_kpis(simulate_reference(scenario, replication, SEED))
        for key in KPIS:
            differences[key].append(engine[key] - reference[key])
    for key, values in differences.items():
        _, low, high = t_interval(np.asarray(values), CONFIDENCE)
        assert low <= 0 <= high or low == high == 0, f"{key}: CI [{low:.4g}, {high:.4g}]"
