"""The per-call column declarations, and everything generated from them."""

from __future__ import annotations

import numpy as np
import pytest

from sim111.engine import simulate
from sim111.engine.columns import (
    COLUMNS,
    DERIVED,
    ENGINE_HELD,
    IN_TABLE,
    KINDS,
    RECORDED,
    TABLE,
)
from sim111.engine.derived import PER_GROUP
from sim111.engine.docs import records_markdown
from sim111.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS

# today's CSV columns: outputs and golden files depend on their names and order
TABLE_COLUMNS = [
    "call_id",
    "caller_id",
    "attempt",
    "repeat_of",
    "arrival_min",
    "arrival_time",
    "answer_min",
    "advisor_end_min",
    "first_attempt_min",
    "contact_min",
    "clinician_end_min",
    "callback_left_min",
    "escalated_min",
    "end_min",
    "outcome",
    "disposition",
    "triaged",
    "clinical",
    "priority",
    "warm_transfer",
    "callback_attempts",
    "clinician_group",
    "advisor_id",
    "clinician_id",
    "advisor_area",
    "clinician_area",
    "provider",
    "provider_start_min",
    "bounced",
    "downstream",
    "downstream_class",
    "downstream_start_min",
    "downstream_end_min",
    "patience_min",
    "handle_min",
    "wait_s",
]


def test_records_docs_are_current():
    committed = (ROOT / "docs" / "records.md").read_text()
    assert committed == records_markdown(), (
        "regenerate: python -m sim111.engine.docs > docs/records.md"
    )


def test_every_column_is_declared_once_with_a_known_kind():
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    assert all(c.kind in KINDS and c.meaning for c in COLUMNS)
    assert all(c.typecode in {"d", "b", "h", "q"} for c in ENGINE_HELD)


def test_every_derived_per_group_column_has_a_formula():
    per_group = {c.name for c in COLUMNS if c.kind == DERIVED and c.per}
    assert per_group == set(PER_GROUP)


@pytest.fixture(scope="module")
def records():
    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides({"run.days": 1})
    return scenario, simulate(scenario, 0, 1)


def test_the_table_has_todays_columns_in_order(records):
    scenario, run = records
    frame = run.calls.to_frame(scenario.run.start_date)
    assert list(frame.columns) == TABLE_COLUMNS == [c.name for c in IN_TABLE]
    assert "arrival_time" not in run.calls.to_frame().columns
    for column in IN_TABLE:
        if column.categories is None:
            assert frame[column.name].dtype == np.dtype(column.dtype), column.name


def test_call_records_hold_the_recorded_columns_with_their_dtypes(records):
    _, run = records
    assert list(run.calls.columns) == [c.name for c in RECORDED]
    for column in RECORDED:
        assert getattr(run.calls, column.name).dtype == np.dtype(column.dtype), column.name
    assert all(c.kind != TABLE for c in RECORDED)
    with pytest.raises(AttributeError):
        _ = run.calls.no_such_column


def test_call_records_are_read_only_and_pickle(records):
    import pickle

    _, run = records
    calls = run.calls
    with pytest.raises(AttributeError, match="read-only"):
        calls.outcome = np.zeros(len(calls))
    with pytest.raises(AttributeError, match="read-only"):
        del calls.outcome
    again = pickle.loads(pickle.dumps(calls))
    assert list(again.columns) == list(calls.columns)
    for name, column in calls.columns.items():
        np.testing.assert_array_equal(again.columns[name], column, strict=True)


def test_a_column_some_scenarios_use_is_held_only_by_them():
    from sim111.engine.columns import BY_NAME

    with_services = load_scenario(SCENARIOS / "gp-direct-booking.toml")
    assert with_services.downstream and not with_services.providers
    without = load_scenario(SCENARIOS / "typical-area.toml")
    assert not without.downstream
    for name in ("downstream_u", "downstream", "downstream_start_min"):
        assert BY_NAME[name].held_by(with_services)
        assert not BY_NAME[name].held_by(without)
    for name in ("provider", "escalated_min", "bounced"):
        assert not BY_NAME[name].held_by(with_services)
    # a column not held is recorded as its blank for every call, in no memory
    run = simulate(without.with_overrides({"run.days": 1}), 0, 1)
    column = run.calls.columns["downstream_start_min"]
    assert column.strides == (0,) and len(column) == len(run.calls)
    assert np.isnan(column).all()
    assert (run.calls.columns["downstream"] == -1).all()


def test_draws_that_only_work_out_other_columns_are_not_held():
    names = {c.name for c in ENGINE_HELD}
    assert not {"clinical_u", "callback_patience_u", "callback_action_u"} & names


def test_call_back_attempts_needed_fit_int16_and_decide_as_before():
    """Past the most attempts any scenario may make (1,000) a caller is never reached,
    whatever the number drawn: it is capped there, and held as int16."""
    from sim111.engine.callers import draw_callers
    from sim111.engine.columns import BY_NAME
    from sim111.scenario.limits import MAX_CALLBACK_ATTEMPTS

    s = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"clinical.callback_no_answer_share": 0.999}
    )
    rng = np.random.default_rng(3)
    draws = draw_callers(s, lambda name: rng, 20_000)
    needed = draws.callback_attempts_needed
    assert needed.max() == MAX_CALLBACK_ATTEMPTS + 1  # 0.999**1000 = 37%: many capped
    assert needed.min() >= 1
    assert BY_NAME["callback_attempts_needed"].typecode == "h"
    assert needed.max() <= np.iinfo(np.int16).max


def test_records_flags_are_bool_views_of_the_engine_columns(records):
    _, run = records
    for name in ("triaged", "clinical", "warm_transfer", "bounced"):
        values = run.calls.columns[name]
        assert values.dtype == np.bool_
        assert set(np.unique(values.view(np.int8)).tolist()) <= {0, 1}


def test_one_value_columns_pickle_as_one_value(records):
    """A column the run did not hold pickles as its value and length (numpy would copy
    it out: a pool worker's records would carry every blank back), and comes back so."""
    import pickle

    _, run = records
    calls = run.calls
    assert calls.columns["provider_start_min"].strides == (0,)
    small = pickle.dumps(calls, protocol=5)
    whole = pickle.dumps(
        type(calls)(**{k: np.ascontiguousarray(v) for k, v in calls.columns.items()}),
        protocol=5,
    )
    blanks = sum(v.nbytes for v in calls.columns.values() if v.strides == (0,))
    assert len(whole) - len(small) >= 0.9 * blanks > 0
    back = pickle.loads(small)
    for name, values in calls.columns.items():
        np.testing.assert_array_equal(back.columns[name], values)
        assert back.columns[name].dtype == values.dtype
        assert (back.columns[name].strides == (0,)) == (values.strides == (0,)), name


def test_columns_the_same_for_every_first_attempt_are_held_for_appended_rows_only(monkeypatch):
    import sim111.engine.centre as centre_module
    from sim111.engine.calls import APPENDED_ONLY

    scenario = load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 1, "demand.scale": 2.0, "callers.redial_probability": 0.7}
    )
    kept = {}
    real = centre_module.run_records

    def keep(centre, replication):
        kept["calls"] = centre.calls
        return real(centre, replication)

    monkeypatch.setattr(centre_module, "run_records", keep)
    run = simulate(scenario, 0, 1)
    calls, records = kept["calls"], run.calls
    appended = len(calls) - calls.n_first
    assert appended > 100  # redials
    for name in APPENDED_ONLY:
        assert len(calls._appended_rows[name]) == appended
    first = slice(0, calls.n_first)
    np.testing.assert_array_equal(records.caller_id[first], np.arange(calls.n_first))
    assert (records.attempt[first] == 0).all() and (records.repeat_of[first] == -1).all()
    later = slice(calls.n_first, None)  # redials, and repeat calls chasing a call-back
    assert ((records.attempt[later] >= 1) | (records.repeat_of[later] >= 0)).all()
    for call in range(calls.n_first, len(calls), 37):
        assert calls.caller_of(call) == records.caller_id[call] < calls.n_first
        assert calls.attempt_of(call) == records.attempt[call]
        assert calls.repeat_of(call) == records.repeat_of[call]
    assert records.caller_id.dtype == np.int64 and records.attempt.dtype == np.int16
