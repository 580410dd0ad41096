"""Several contract areas: sharing nothing changes nothing, pooling is Erlang-A at
twice the size, the whole is measured on pooled counts, and the sharing rules
never promise capacity that is not there.

Confidence intervals are across replications at 1 - 0.05/COMPARISONS
(Bonferroni over this module's comparisons with theory); the seeds are fixed
so outcomes are reproducible, not to pin numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim111.engine.centre import simulate
from sim111.engine.network import area_namespace, simulate_areas, simulate_group
from sim111.experiments.replications import run_experiment
from sim111.experiments.stats import t_interval
from sim111.measures.analytic import erlang_a
from sim111.measures.areas import areas_kpis
from sim111.measures.kpis import replication_kpis
from sim111.measures.pooling import pooled_records
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

COMPARISONS = 4
CONFIDENCE = 1 - 0.05 / COMPARISONS
PER_AREA_CALLS_PER_HOUR, PER_AREA_ADVISORS = 60.0, 9
HANDLE_MIN, PATIENCE_MIN = 8.0, 5.0


def two_areas(**overrides: object):
    """The typical area split into a small and a large area, two days."""
    base = load_scenario(SCENARIOS / "typical-area.toml")
    return base.with_overrides(
        {
            "run.days": 2,
            "areas": [
                {"name": "small", "population": 300_000, "advisors": {"roster_scale": 0.3}},
                {
                    "name": "large",
                    "population": 700_000,
                    "advisors": {"roster_scale": 0.6},
                    "clinicians": {"0": {"roster_scale": 0.6}},
                },
            ],
            **overrides,
        }
    )


def same_records(a, b) -> None:
    assert list(a.calls.columns) == list(b.calls.columns)
    for name, values in a.calls.columns.items():
        assert np.array_equal(values, b.calls.columns[name], equal_nan=True), name
    for log in ("advisors", "clinicians", "clinicians_busy", "awaiting_clinician"):
        assert np.array_equal(getattr(a, log).level, getattr(b, log).level), log


@pytest.mark.parametrize("redials", [0.4, 0.0], ids=["timed", "lazy abandonment"])
def test_areas_sharing_nothing_give_the_records_of_single_area_runs(redials):
    scenario = two_areas(
        **{
            "sharing.advisors": "area",
            "sharing.clinicians": "area",
            "callers.redial_probability": redials,
            "areas.0.advisors.roster_scale": 0.05,  # callers still queued when the run ends,
        }
    ).with_overrides({"run.hours": 42})  # at 18:00 on the second day: some past their patience
    coupled = simulate_group(scenario, [0, 1], replication=3, seed=11, coupled=True)
    for k, area in enumerate(scenario.areas):
        alone = simulate(scenario.area_scenarios[k], 3, 11, area_namespace(area.name))
        same_records(coupled[k], alone)
        assert (coupled[k].calls.advisor_area == -1).all()


def test_areas_draw_the_same_callers_whichever_way_they_share():
    separate = simulate_areas(two_areas(), 0, 5)
    pooled = simulate_areas(two_areas(**{"sharing.advisors": "all"}), 0, 5)
    for a, b in zip(separate, pooled, strict=True):
        # first attempts (not redials or repeat calls): the same callers, draw for draw
        first_a = (a.calls.attempt == 0) & (a.calls.repeat_of < 0)
        first_b = (b.calls.attempt == 0) & (b.calls.repeat_of < 0)
        for name in ("arrival_min", "handle_min", "patience_min", "triaged"):
            assert np.array_equal(a.calls.columns[name][first_a], b.calls.columns[name][first_b])


def erlang_a_areas(advisors: str, prefer_s: float = 0.0):
    base = load_scenario(SCENARIOS / "validation" / "erlang-a.toml")
    return base.with_overrides(
        {
            "run.days": 12,
            "demand.calls_per_hour": PER_AREA_CALLS_PER_HOUR,
            "advisors.count": PER_AREA_ADVISORS,
            "advisors.handle_time.mean_min": HANDLE_MIN,
            "callers.patience.mean_min": PATIENCE_MIN,
            "areas": [{"name": "east"}, {"name": "west"}],
            "sharing.advisors": advisors,
            "sharing.prefer_own_area_s": prefer_s,
        }
    )


@pytest.fixture(scope="module")
def pooled_and_separate():
    pooled = run_experiment(erlang_a_areas("all"), replications=8, seed=2013, workers=2)
    separate = run_experiment(erlang_a_areas("area"), replications=8, seed=2013, workers=2)
    return pooled.kpis, separate.kpis


@pytest.mark.parametrize("key", ["abandoned", "answered_within_60s", "mean_answer_s"])
def test_two_pooled_erlang_a_areas_are_one_erlang_a_queue_of_twice_the_size(
    pooled_and_separate, key
):
    pooled, _ = pooled_and_separate
    theory = erlang_a(2 * PER_AREA_CALLS_PER_HOUR, HANDLE_MIN, PATIENCE_MIN, 2 * PER_AREA_ADVISORS)
    expected = {
        "abandoned": theory.p_abandon,
        "answered_within_60s": theory.answered_within(60),
        "mean_answer_s": theory.mean_answer_min * 60,
    }[key]
    _, low, high = t_interval(pooled[key].to_numpy(), CONFIDENCE)
    assert low <= expected <= high, f"{key}: theory {expected:.5g} outside [{low:.5g}, {high:.5g}]"


def test_pooled_waits_are_shorter_than_separate_at_the_same_staff(pooled_and_separate):
    pooled, separate = pooled_and_separate
    single = erlang_a(PER_AREA_CALLS_PER_HOUR, HANDLE_MIN, PATIENCE_MIN, PER_AREA_ADVISORS)
    _, low, high = t_interval(separate["mean_answer_s"].to_numpy(), CONFIDENCE)
    assert low <= single.mean_answer_min * 60 <= high  # separate: each area its own Erlang-A
    diff = (pooled["mean_answer_s"] - separate["mean_answer_s"]).to_numpy()  # paired (CRN)
    _, _, high = t_interval(diff, 0.99)
    assert high < 0


def test_whole_is_measured_on_pooled_counts_not_means_of_percentages():
    scenario = two_areas(**{"areas.0.advisors.roster_scale": 0.2})  # the small area struggles
    records = simulate_areas(scenario, 1, 7)
    kpis = areas_kpis(scenario, records)
    areas = [replication_kpis(r) for r in records]
    answered = sum(k["calls_answered"] for k in areas)
    offered = sum(k["calls_offered"] for k in areas)
    within = sum(k["answered_within_60s"] * k["calls_answered"] for k in areas) / answered
    abandoned = sum(k["abandoned_after_30s"] * k["calls_offered"] for k in areas) / offered
    assert kpis["calls_offered"] == offered
    assert kpis["answered_within_60s"] == pytest.approx(within, rel=1e-12)
    assert kpis["abandoned_after_30s"] == pytest.approx(abandoned, rel=1e-12)
    mean_of_shares = np.mean([k["answered_within_60s"] for k in areas])
    assert abs(kpis["answered_within_60s"] - mean_of_shares) > 1e-3  # not the naive mean
    whole = replication_kpis(pooled_records(records))
    for key in ("p90_answer_s", "mean_callback_min", "advisor_utilisation", "clinical_share"):
        assert kpis[key] == whole[key]
    total = sum(kpis[f"area.{a.name}.total_cost_gbp"] for a in scenario.areas)
    assert kpis["cost_per_call_gbp"] == pytest.approx(total / answered, rel=1e-12)
    assert kpis["worst_area.answered_within_60s"] == min(k["answered_within_60s"] for k in areas)


def _busy_at(starts: np.ndarray, ends: np.ndarray, t: float) -> int:
    return int(((starts <= t) & (ends > t)).sum())


def test_mutual_aid_only_goes_to_an_area_with_an_idle_advisor():
    scenario = two_areas(
        **{
            "areas.0.advisors.roster_scale": 0.15,
            "sharing.mutual_aid": {"after_expected_wait_s": 30, "fee_per_call_gbp": 12},
        }
    )
    records = simulate_areas(scenario, 0, 3)
    helped = 0
    for a, rec in enumerate(records):
        b = 1 - a
        calls = rec.calls
        lent = np.flatnonzero(calls.advisor_area == b)
        # the helping area's advisors' calls: its own (not lent out) and those lent to it
        own = records[b].calls
        mine = ~np.isnan(own.answer_min) & (own.advisor_area == -1)
        starts = np.concatenate([own.answer_min[mine], calls.answer_min[lent]])
        ends = np.concatenate([own.advisor_end_min[mine], calls.advisor_end_min[lent]])
        ends = np.where(np.isnan(ends), np.inf, ends)
        for call in lent:
            t = calls.answer_min[call]
            on_duty = records[b].advisors.level[
                np.searchsorted(records[b].advisors.time_min, t, side="right") - 1
            ]
            assert _busy_at(starts, ends, t) <= on_duty  # this call included: one was idle
            assert calls.answer_min[call] == calls.arrival_min[call]  # answered on arrival
        helped += lent.size
    assert helped > 20
    kpis = areas_kpis(scenario, records)
    sent = kpis["area.small.mutual_aid_calls_sent"]
    assert sent > 0 and kpis["area.small.mutual_aid_fees_gbp"] == 12 * sent
    assert (
        kpis["area.large.mutual_aid_income_gbp"] == 12 * kpis["area.large.mutual_aid_calls_taken"]
    )
    # fees move money between areas: the whole's cost is the areas' cost without them
    areas_total = sum(kpis[f"area.{a.name}.total_cost_gbp"] for a in scenario.areas)
    fees = sum(kpis[f"area.{a.name}.mutual_aid_fees_gbp"] for a in scenario.areas)
    assert kpis["total_cost_gbp"] == pytest.approx(areas_total - fees)


def _waiting_at(calls, t: float) -> int:
    """Callers of one area queued at ``t`` (arrived before, neither answered nor gone)."""
    arrived = calls.arrival_min < t
    unanswered = np.isnan(calls.answer_min) | (calls.answer_min > t)
    not_gone = np.isnan(calls.end_min) | (calls.end_min > t)
    return int((arrived & unanswered & not_gone).sum())


@pytest.mark.parametrize("threshold_s", [120.0, 300.0])
def test_mutual_aid_sends_a_call_only_when_its_areas_expected_wait_exceeds_the_threshold(
    threshold_s,
):
    aid = {"after_expected_wait_s": threshold_s, "fee_per_call_gbp": 12}
    scenario = two_areas(
        **{"areas.0.advisors.roster_scale": 0.15, "sharing.mutual_aid": aid, "run.days": 1}
    )
    records = simulate_areas(scenario, 0, 3)
    helped = 0
    for a, rec in enumerate(records):
        calls, area = rec.calls, scenario.area_scenarios[a]
        for call in np.flatnonzero(calls.advisor_area == 1 - a):
            t = calls.arrival_min[call]
            log = rec.advisors
            on_duty = log.level[np.searchsorted(log.time_min, t, side="right") - 1]
            # sim111.engine.overflow.expected_wait_s: (calls ahead + 1) x handling / advisors
            ahead = _waiting_at(calls, t)
            expected_s = (ahead + 1) * area.mean_advisor_handle_min * 60 / on_duty
            assert expected_s > threshold_s, (a, call, ahead, on_duty)
            helped += 1
    assert helped > 10


def test_mutual_aid_above_every_expected_wait_sends_no_call():
    aid = {"after_expected_wait_s": 1e9, "fee_per_call_gbp": 12}
    scenario = two_areas(**{"areas.0.advisors.roster_scale": 0.15, "sharing.mutual_aid": aid})
    records = simulate_areas(scenario, 0, 3)
    assert all((rec.calls.advisor_area == -1).all() for rec in records)
    assert areas_kpis(scenario, records)["area.small.mutual_aid_calls_sent"] == 0


def test_areas_missing_counts_the_areas_missing_their_own_targets():
    # the small area struggles; it sets its own, lower, answer target
    scenario = two_areas(
        **{
            "areas.0.advisors.roster_scale": 0.2,
            "areas.0.targets": {"answered_within_60s": 0.10},
            "run.days": 7,
        }
    )
    records = simulate_areas(scenario, 1, 7)
    kpis = areas_kpis(scenario, records)
    per_area = [replication_kpis(r) for r in records]
    small = per_area[0]
    assert 0.10 < small["answered_within_60s"] < 0.95  # meets its own target, not the base's
    assert small["abandoned_after_30s"] > 0.05  # misses the base's abandonment target
    for key, own in (("answered_within_60s", (0.10, 0.95)), ("abandoned_after_30s", None)):
        if own is None:
            missing = sum(k[key] > 0.05 for k in per_area)
        else:
            missing = sum(k[key] < t for k, t in zip(per_area, own, strict=True))
        assert kpis[f"areas_missing.{key}"] == missing
    assert kpis["areas_missing.abandoned_after_30s"] >= 1


def _sharing_a_contingency_line(**limits: int):
    """Two struggling areas sending calls to one shared contingency line (``limits``:
    its head-count and acceptance limits)."""
    line = {
        "name": "nhs_direct_0845",
        "price_per_call_gbp": 16.54,
        "handle_time": {"kind": "lognormal", "mean_min": 12, "sd_min": 5},
        **limits,
    }
    return two_areas(
        **{
            "areas.0.advisors.roster_scale": 0.15,
            "areas.1.advisors.roster_scale": 0.3,
            "providers": [line],
            "overflow": [{"provider": "nhs_direct_0845", "queue_length_over": 3}],
            "sharing.contingency": "nhs_direct_0845",
        }
    )


def test_a_shared_contingency_provider_never_exceeds_its_capacity():
    scenario = _sharing_a_contingency_line(count=2, max_calls_per_hour=6)
    records = simulate_areas(scenario, 0, 9)
    calls = pooled_records(records).calls
    sent = calls.provider == 0
    assert sent.sum() > 30
    starts, ends = calls.provider_start_min[sent], calls.end_min[sent]
    started = ~np.isnan(starts)
    ends = np.where(np.isnan(ends), np.inf, ends)
    for t in starts[started]:  # the two people are never on more than two calls
        assert _busy_at(starts[started], ends[started], t) <= 2
    hours = (calls.arrival_min[sent] // 60).astype(int)  # accepted when offered
    assert np.bincount(hours).max() <= 6  # the hourly cap holds across both areas
    assert all((r.calls.provider == 0).any() for r in records)  # both areas used it


def test_a_shared_contingency_providers_queue_never_exceeds_its_limit():
    scenario = _sharing_a_contingency_line(count=1, max_queue=2)
    records = simulate_areas(scenario, 0, 9)
    calls = pooled_records(records).calls
    sent = calls.provider == 0
    arrival, start = calls.arrival_min[sent], calls.provider_start_min[sent]
    end = np.where(np.isnan(calls.end_min[sent]), np.inf, calls.end_min[sent])
    start = np.where(np.isnan(start), np.inf, start)
    for t in arrival:  # just after each acceptance, from either area: at most 2 waiting
        waiting = (arrival <= t) & (start > t) & (end > t)
        assert waiting.sum() <= 2
    assert sent.sum() > 30 and (start > arrival).any()  # some did wait
    assert all((r.calls.provider == 0).any() for r in records)


def test_with_a_preference_other_areas_calls_wait_at_least_that_long():
    scenario = erlang_a_areas("all", prefer_s=45).with_overrides({"run.days": 2})
    records = simulate_areas(scenario, 0, 4)
    lent = 0
    for rec in records:
        calls = rec.calls
        other = calls.advisor_area >= 0
        waits_s = (calls.answer_min[other] - calls.arrival_min[other]) * 60
        assert (waits_s >= 45 - 1e-9).all()
        lent += int(other.sum())
    assert lent > 10


def test_measuring_on_slices_of_the_pooled_calls_changes_no_kpi():
    """The runner moves the areas' calls into the pooled records and measures each area
    on its slice (one copy of the calls, not two): the KPIs are those of the areas' own."""
    from sim111.experiments.runner import measure_areas

    scenario = two_areas(
        **{
            "areas.0.providers": [
                {"name": "neighbour", "count": 1, "handle_time": {"kind": "fixed", "mean_min": 9}}
            ],
            "areas.0.overflow": [{"provider": "neighbour", "queue_length_over": 1}],
            "areas.0.advisors.roster_scale": 0.15,
        }
    )
    own = areas_kpis(scenario, simulate_areas(scenario, 2, 13))
    moved, _, records = measure_areas(scenario, list(simulate_areas(scenario, 2, 13)))
    assert own.keys() <= moved.keys()
    for key, value in own.items():
        assert value == moved[key] or (np.isnan(value) and np.isnan(moved[key])), key
    assert own["area.small.provider_neighbour_calls"] > 0
    assert set(records.area_names) == {"small", "large"}


def test_a_national_pool_answers_queued_callers_oldest_first_whatever_their_area(monkeypatch):
    """One virtual queue: of the callers who waited, those who came earlier are
    answered no later, in all 44 areas at once; equal times (arrivals here in whole
    minutes, so many tie within and across areas): the area listed first, then the
    order they called in."""
    import sim111.engine.network as network

    drawn = network.draw_arrivals
    monkeypatch.setattr(network, "draw_arrivals", lambda *a: np.floor(drawn(*a)))
    national = load_scenario(SCENARIOS / "england-2014" / "national.toml")
    busy = national.with_overrides({"run.days": 2, "demand.scale": 1.4})  # callers queue
    records = simulate_areas(busy, 0, 3)
    columns = [(r.calls.arrival_min, r.calls.answer_min) for r in records]
    arrival = np.concatenate([a for a, _ in columns])
    answer = np.concatenate([b for _, b in columns])
    area = np.concatenate([np.full(len(a), k) for k, (a, _) in enumerate(columns)])
    row = np.concatenate([np.arange(len(a)) for a, _ in columns])
    waited = answer > arrival  # answered after queueing (NaN: never answered)
    order = np.lexsort((row[waited], area[waited], arrival[waited]))
    answered = answer[waited][order]
    tied = np.diff(arrival[waited][order]) == 0
    assert waited.sum() > 1000 and (tied & (np.diff(area[waited][order]) != 0)).sum() > 100
    assert np.all(np.diff(answered) >= 0)


def test_pooled_columns_no_area_held_stay_one_value_and_mixed_ones_concatenate():
    """A column no area holds (no providers anywhere) pools to a view of its blank, in
    no memory; one only some areas hold pools to each area's values in turn."""
    plain = simulate_areas(two_areas(), 0, 3)
    pooled = pooled_records(plain).calls
    assert pooled.columns["provider_start_min"].strides == (0,)
    assert len(pooled.columns["provider"]) == sum(len(r.calls) for r in plain)
    assert (pooled.provider == -1).all() and np.isnan(pooled.escalated_min).all()

    mixed = two_areas(
        **{
            "areas.0.providers": [
                {"name": "neighbour", "count": 1, "handle_time": {"kind": "fixed", "mean_min": 9}}
            ],
            "areas.0.overflow": [{"provider": "neighbour", "queue_length_over": 1}],
            "areas.0.advisors.roster_scale": 0.15,
        }
    )
    by_area = simulate_areas(mixed, 0, 3)
    assert by_area[0].calls.provider_start_min.strides != (0,)
    assert by_area[1].calls.provider_start_min.strides == (0,)
    together = pooled_records(by_area).calls
    np.testing.assert_array_equal(
        together.provider_start_min,
        np.concatenate([r.calls.provider_start_min for r in by_area]),
    )
    assert (together.provider >= 0).sum() == (by_area[0].calls.provider >= 0).sum() > 0


def test_pooling_keeps_as_one_value_only_a_blank():
    """Any other value shared by every area may still need offsets or new codes: a
    provider code 0 is each area's own first provider, and pools to two codes."""
    import dataclasses

    from sim111.engine.records import CallRecords

    by_area = list(simulate_areas(two_areas(), 0, 3))
    for k, name in enumerate(("p_a", "p_b")):
        rec = by_area[k]
        columns = dict(rec.calls.columns)
        columns["provider"] = np.broadcast_to(np.int8(0), (len(rec.calls),))
        by_area[k] = dataclasses.replace(rec, calls=CallRecords(**columns), provider_names=(name,))
    pooled = pooled_records(by_area)
    assert pooled.provider_names == ("p_a", "p_b")
    assert sorted(np.unique(pooled.calls.provider).tolist()) == [0, 1]
