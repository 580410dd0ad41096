"""Who served each call (person ids), the event log built from the records, and its animation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim111.cli import cli
from sim111.engine import simulate
from sim111.engine.calendar import day_type
from sim111.engine.records import OUTCOMES, RunRecords
from sim111.experiments.replications import run_experiment
from sim111.experiments.runner import simulate_replication
from sim111.outputs.event_log import (
    COLUMNS,
    EVENT_NAMES,
    EVENTS,
    calls_in_window,
    event_log,
    replication_event_log,
)
from sim111.scenario import Scenario, load_scenario
from tests.conftest import ROOT, SCENARIOS

BANK_HOLIDAY = dt.date(2015, 5, 4)  # the early May bank holiday, a Monday


def typical(**overrides: object) -> Scenario:
    return load_scenario(SCENARIOS / "typical-area.toml").with_overrides(
        {"run.days": 2, **overrides}
    )


def three_areas() -> Scenario:
    """Two areas of one contract, sharing staff (area a short of them), and one apart."""
    return typical(
        **{
            "areas": [
                {"name": "a", "contract": "ab", "population": 1_000_000},
                {"name": "b", "contract": "ab", "population": 1_000_000},
                {"name": "c", "population": 500_000},
            ],
        }
    ).with_overrides(
        {"areas.0.advisors.roster_scale": 0.6, "areas.0.clinicians.0.roster_scale": 0.5}
    )


CASES = {
    "typical": lambda: typical(**{"callers.redial_probability": 0.5}),
    # call-backs escalated to a provider, clinicians called in on overtime, upgrades
    "backlog-rules": lambda: load_scenario(
        SCENARIOS / "easter-2013-backlog-rules.toml"
    ).with_overrides({"run.days": 2}),
    # overflow to a provider (and back when it is full), downstream services
    "contingency": lambda: load_scenario(SCENARIOS / "nhs-direct-contingency.toml").with_overrides(
        {"run.days": 2}
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def runs(request) -> list[RunRecords]:
    scenario = CASES[request.param]()
    return [simulate(scenario, r, 7) for r in range(2)]


# -- person ids in the records ----------------------------------------------------------------


def assert_one_call_at_a_time(start, end, person, area=None) -> None:
    """No two calls hold the same person (of the same area) at once."""
    held = person >= 0
    key = person[held].astype(np.int64)
    if area is not None:
        key += area[held].astype(np.int64) * 100_000
    begin, finish = start[held], np.where(np.isnan(end[held]), np.inf, end[held])
    order = np.lexsort((begin, key))
    key, begin, finish = key[order], begin[order], finish[order]
    same = key[1:] == key[:-1]
    assert same.any()  # people serve several calls: the check checks something
    assert np.all(begin[1:][same] >= finish[:-1][same])


def assert_ids_below_head_count(start, person, steps) -> None:
    """Each id is below the most people on duty so far (an id is the lowest free one)."""
    held = person >= 0
    peak_so_far = np.maximum.accumulate(steps.level)
    at = np.searchsorted(steps.time_min, start[held], side="right") - 1
    assert np.all(person[held] < peak_so_far[at])
    assert person[held].max() < steps.level.max()


def test_each_served_call_names_its_advisor_and_clinician(runs):
    for rec in runs:
        calls = rec.calls
        np.testing.assert_array_equal(calls.advisor_id >= 0, ~np.isnan(calls.answer_min))
        np.testing.assert_array_equal(calls.clinician_id >= 0, ~np.isnan(calls.contact_min))
        assert_one_call_at_a_time(calls.answer_min, calls.advisor_end_min, calls.advisor_id)
        assert_one_call_at_a_time(calls.contact_min, calls.clinician_end_min, calls.clinician_id)
        assert_ids_below_head_count(calls.answer_min, calls.advisor_id, rec.advisors)
        assert_ids_below_head_count(calls.contact_min, calls.clinician_id, rec.clinicians)


def test_ids_are_reused_shift_after_shift():
    rec = simulate(typical(), 0, 7)
    ids = rec.calls.advisor_id
    assert ids.max() < rec.advisors.level.max()  # within the peak head-count
    # the night's advisors and the day's share ids: an id serves calls hours apart
    first, last = {}, {}
    for t, i in zip(rec.calls.answer_min, ids, strict=True):
        if i >= 0:
            first.setdefault(i, t)
            last[i] = t
    assert max(last[i] - first[i] for i in first) > 24 * 60


def test_people_lent_between_areas_serve_one_call_at_a_time():
    _, _, pooled = simulate_replication(three_areas(), 0, 7)
    calls, area = pooled.calls, pooled.call_area
    assert (calls.advisor_area >= 0).sum() > 100  # answered by the other area's advisor
    assert (calls.clinician_area >= 0).sum() > 100
    advisor_area = np.where(calls.advisor_area >= 0, calls.advisor_area, area)
    clinician_area = np.where(calls.clinician_area >= 0, calls.clinician_area, area)
    assert_one_call_at_a_time(
        calls.answer_min, calls.advisor_end_min, calls.advisor_id, advisor_area
    )
    assert_one_call_at_a_time(
        calls.contact_min, calls.clinician_end_min, calls.clinician_id, clinician_area
    )
    log = replication_event_log(pooled)
    begins = log[log["event"] == "advisor_begins"].set_index("entity_id")
    names = np.array(pooled.area_names, dtype=object)
    np.testing.assert_array_equal(begins["area"].astype(object), names[area[begins.index]])
    np.testing.assert_array_equal(
        begins["resource_area"].astype(object), names[advisor_area[begins.index]]
    )
    assert log["resource_area"].notna().eq(log["resource_id"].notna()).all()


# -- the event log reproduces the records -----------------------------------------------------

# event -> the record column holding its time
TIMES = {
    "arrival": "arrival_min",
    "advisor_begins": "answer_min",
    "advisor_ends": "advisor_end_min",
    "callback_attempt": "first_attempt_min",
    "callback_patience_out": "callback_left_min",
    "clinician_begins": "contact_min",
    "clinician_ends": "clinician_end_min",
    "escalated": "escalated_min",
    "with_provider": "provider_start_min",
    "depart": "end_min",
}


def rebuilt(log: pd.DataFrame, run: int, n: int) -> dict[str, np.ndarray]:
    """One run's records as read back from the log alone."""
    mine = log[log["run_number"] == run]
    wide = mine.set_index(["entity_id", "event"])  # one event of a kind per call
    assert wide.index.is_unique
    times = wide["time"].unstack("event").reindex(index=range(n), columns=list(EVENT_NAMES))
    ids = wide["resource_id"].unstack("event").reindex(index=range(n))
    out = {column: times[event].to_numpy(float) for event, column in TIMES.items()}
    for who in ("advisor", "clinician"):
        begins, ends = ids[f"{who}_begins"], ids[f"{who}_ends"]
        assert begins[ends.notna()].equals(ends[ends.notna()])  # the same person ends it
        out[f"{who}_id"] = begins.fillna(0).to_numpy(np.int64) - 1
    out["clinical_queue"] = times["clinician_queue"].to_numpy(float)
    departs = mine[mine["event"] == "depart"].set_index("entity_id")["outcome"]
    out["outcome"] = departs.reindex(range(n)).astype(object).to_numpy()
    return out


def test_the_event_log_reproduces_each_calls_record(runs):
    log = event_log(runs)
    assert set(log["event"]) <= set(EVENT_NAMES)
    for rec in runs:
        calls, n = rec.calls, len(rec.calls)
        again = rebuilt(log, rec.replication, n)
        for column in TIMES.values():
            np.testing.assert_array_equal(again[column], calls.columns[column], err_msg=column)
        for column in ("advisor_id", "clinician_id"):
            np.testing.assert_array_equal(again[column], calls.columns[column], err_msg=column)
        clinical = calls.clinical.astype(bool)
        np.testing.assert_array_equal(
            again["clinical_queue"][clinical], calls.advisor_end_min[clinical]
        )
        assert np.isnan(again["clinical_queue"][~clinical]).all()
        ended = ~np.isnan(calls.end_min)
        labels = np.array(OUTCOMES, dtype=object)[calls.outcome[ended]]
        np.testing.assert_array_equal(again["outcome"][ended], labels)


def test_each_calls_events_are_in_time_order_and_typed_as_vidigi_reads_them(runs):
    log = event_log(runs)
    kinds = {e.name: e.event_type for e in EVENTS}
    assert (log["event_type"] == log["event"].map(kinds)).all()
    assert log["resource_id"].notna().eq(log["event_type"].str.startswith("resource_use")).all()
    by_call = log.groupby(["run_number", "entity_id"], sort=False)
    assert by_call["time"].is_monotonic_increasing.all()
    steps = log["event"].map(EVENT_NAMES.index)
    same_time = log.assign(step=steps).groupby(["run_number", "entity_id", "time"], sort=False)
    assert same_time["step"].is_monotonic_increasing.all()  # journey order at equal times
    assert (
        log.groupby("run_number")["event"].apply(lambda e: (e == "arrival").sum())
        == [len(r.calls) for r in runs]
    ).all()


def test_a_day_window_keeps_the_calls_in_the_system_then():
    rec = simulate(typical(), 0, 7)
    log = replication_event_log(rec)
    kept = calls_in_window(log, 600.0, 660.0)
    calls = rec.calls
    ended = np.where(np.isnan(calls.end_min), np.inf, calls.end_min)
    inside = np.flatnonzero((calls.arrival_min < 660.0) & (ended >= 600.0))
    assert sorted(kept["entity_id"].unique()) == list(inside)
    assert len(kept) == log["entity_id"].isin(inside).sum()  # with all their events


# -- sim111 run --event-log and sim111 animate ------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_writes_the_event_log_of_its_replications(tmp_path):
    out = tmp_path / "out"
    scenario = SCENARIOS / "typical-area.toml"
    args = ("-n", "2", "--seed", "7", "--set", "run.days=1", "--out", str(out))
    result = invoke("run", str(scenario), *args, "--event-log", "--no-records", "--no-xlsx")
    assert result.exit_code == 0, result.output
    assert not (out / "calls.csv.gz").exists()  # --no-records: the event log only
    log = pd.read_csv(out / "event_log.csv")
    assert list(log.columns) == [*COLUMNS, "outcome"]
    same = run_experiment(
        load_scenario(scenario).with_overrides({"run.days": 1}), 2, 7, keep_records=True
    )
    expected = event_log(same.records)
    assert len(log) == len(expected) > 1000
    np.testing.assert_array_equal(log["time"], expected["time"])
    np.testing.assert_array_equal(log["event"], expected["event"])
    np.testing.assert_array_equal(log["resource_id"].fillna(0), expected["resource_id"].fillna(0))
    assert set(log["run_number"]) == {0, 1}


def test_event_log_needs_an_out_folder():
    result = invoke("run", str(SCENARIOS / "typical-area.toml"), "--event-log")
    assert result.exit_code == 2
    assert "--event-log needs --out" in result.output


ANIMATE = (
    "animate",
    str(SCENARIOS / "typical-area.toml"),
    "--set",
    "run.start_date=2015-05-03",
    "--set",
    "run.days=2",
)


def test_animate_draws_a_bank_holiday_morning(tmp_path):
    assert day_type(BANK_HOLIDAY) == "bank_holiday"
    page = tmp_path / "anim.html"
    args = ("--day", "2015-05-04", "--hours", "8-10", "--every", "15", "--out", str(page))
    result = invoke(*ANIMATE, *args)
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "Plotly.addFrames" in html  # plotly's animation frames
    times = [f"{h:02d}:{m:02d}" for h in (8, 9) for m in (0, 15, 30, 45)]
    assert all(f'"name":"04 May 2015\\n{t}"' in html for t in [*times, "10:00"])
    assert '"name":"04 May 2015\\n10:15"' not in html


def test_animate_frames_show_the_calls_in_the_system():
    from sim111.outputs.animation import day_animation

    scenario = typical(**{"run.start_date": dt.date(2015, 5, 3)})
    rec = simulate(scenario, 0, 7)
    figure = day_animation(rec, BANK_HOLIDAY, every_min=30, hours=(9, 10))
    assert len(figure.frames) == 3  # 09:00, 09:30, 10:00
    day_start = (BANK_HOLIDAY - scenario.run.start_date).days * 1440
    calls = rec.calls
    at = day_start + 9.5 * 60
    ended = np.where(np.isnan(calls.end_min), np.inf, calls.end_min)
    present = set(np.flatnonzero((calls.arrival_min <= at) & (ended >= at)))
    icons = figure.frames[1].data[0].customdata  # entity, since, time, where...
    assert all(c[2] == "04 May 2015\n09:30" for c in icons)
    where = {int(c[0]): c[3] for c in icons if c[3] not in ("Calls offered", "Done")}
    assert len(present) > 20
    assert set(where) == present  # arriving and leaving ones glide in and out
    answer = np.where(np.isnan(calls.answer_min), np.inf, calls.answer_min)
    with_advisor = np.flatnonzero((answer <= at) & (calls.advisor_end_min > at))
    waiting = np.flatnonzero((calls.arrival_min <= at) & (answer > at) & (ended > at))
    assert len(with_advisor) > 10
    assert all(where[c] == "With an advisor" for c in with_advisor)
    assert all(where[c] == "Waiting for an advisor" for c in waiting)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--day", "2015-05-09"), "outside the run (2015-05-03 to 2015-05-04)"),
        (("--day", "4 May"), "expected a date like"),
        (("--day", "2015-05-04", "--hours", "10-8"), "FROM must be before UNTIL"),
    ],
)
def test_animate_refuses_a_day_it_cannot_draw(tmp_path, args, message):
    result = invoke(*ANIMATE, *args, "--out", str(tmp_path / "a.html"))
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "a.html").exists()


def test_animate_without_vidigi_says_what_to_install(tmp_path, monkeypatch):
    import sim111.cli.animate as animate

    monkeypatch.setattr(animate, "animation_available", lambda: False)
    result = invoke(*ANIMATE, "--day", "2015-05-04", "--out", str(tmp_path / "a.html"))
    assert result.exit_code == 2
    assert 'pip install "sim111[animate]"' in result.output


def test_the_docs_list_every_event_as_the_code_defines_it():
    page = (ROOT / "docs" / "event-log.md").read_text()
    for e in EVENTS:
        assert f"| `{e.name}` | `{e.event_type}` | {e.meaning} |" in page
    assert all(f"| `{c}` |" in page for c in (*COLUMNS, "outcome", "area", "resource_area"))
