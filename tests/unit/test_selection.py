"""Ranking and selection (KN, Kim & Nelson 2001) and MSER-5 warm-up detection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

import sim111
from sim111.experiments.kn import difference_variances, kn_constants, kn_procedure, screen
from sim111.experiments.replications import run_experiment
from sim111.experiments.selection import select_best, stage_seed
from sim111.experiments.warmup import mser, mser_warmup
from tests.conftest import make_scenario


def fixed(rows: list[list[float]]):
    """``observe`` handing out preset observations (row per design)."""
    table = np.array(rows, dtype=float)
    asked: list[tuple[list[int], int, int]] = []

    def observe(designs: list[int], start: int, count: int) -> np.ndarray:
        asked.append((list(designs), start, count))
        return table[designs, start : start + count]

    return observe, asked


# a hand-checked example: k = 3, n0 = 3, alpha = 0.1, delta = 1
# eta = ((2 * 0.1 / 2) ** (-2 / 2) - 1) / 2 = 4.5, h2 = 2 * 4.5 * 2 = 18
HAND = [
    [10, 11, 12, 14, 14, 0, 0],  # the best
    [9, 10, 11, 0, 0, 0, 0],  # always 1 below design 0: S2 = 0, W = 0, goes at r = 3
    [10, 12, 11, 10, 10, 0, 0],  # S2 with design 0 = 1: W(3) = 2.5, W(4) = 1.75, W(5) = 1.3
]


def test_kn_constants_by_hand():
    eta, h2 = kn_constants(3, 0.1, 3)
    assert eta == pytest.approx(4.5)
    assert h2 == pytest.approx(18.0)
    # k = 2, alpha = 0.05, n0 = 10: ((0.1) ** (-2 / 9) - 1) / 2
    assert kn_constants(2, 0.05, 10)[0] == pytest.approx((10 ** (2 / 9) - 1) / 2)


def test_kn_eliminations_follow_the_rule_by_hand():
    s2 = difference_variances(np.array(HAND, dtype=float)[:, :3])
    assert s2[0, 1] == 0 and s2[0, 2] == pytest.approx(1.0) and s2[1, 2] == pytest.approx(1.0)
    # r = 3: means 11, 10, 11; design 1 is below design 0 with W = 0; design 2 is
    # level with design 0 (W = 2.5)
    assert screen(np.array([11.0, 10.0, 11.0]), [0, 1, 2], 3, 18.0, s2, 1.0) == [(1, 0)]
    # r = 4: means 11.75 and 10.75, W = 1.75: 10.75 >= 10.0, stays
    assert screen(np.array([11.75, 0, 10.75]), [0, 2], 4, 18.0, s2, 1.0) == []
    # r = 5: means 12.2 and 10.6, W = 1.3: 10.6 < 10.9, goes
    assert screen(np.array([12.2, 0, 10.6]), [0, 2], 5, 18.0, s2, 1.0) == [(2, 0)]


@pytest.mark.parametrize("batch", [1, 2, 4])
def test_kn_procedure_by_hand_whatever_the_batch(batch):
    observe, asked = fixed(HAND)
    trace = kn_procedure(observe, 3, alpha=0.1, delta=1.0, n0=3, max_observations=7, batch=batch)
    assert trace.best == 0 and trace.certified
    assert trace.eliminated_at == (None, 3, 5)
    assert trace.eliminated_by == (None, 0, 0)
    assert trace.used == (5, 3, 5)
    assert trace.bound == 19  # floor(18 * 1 / 1) + 1
    assert asked[0] == ([0, 1, 2], 0, 3)
    assert all(designs == [0, 2] for designs, _, _ in asked[1:])  # design 1 never again


def test_kn_stops_uncertified_at_the_cap_with_the_best_mean():
    observe, _ = fixed(HAND)
    trace = kn_procedure(observe, 3, alpha=0.1, delta=1.0, n0=3, max_observations=4, batch=1)
    assert not trace.certified
    assert trace.best == 0  # 11.75 against 10.75
    assert trace.eliminated_at == (None, 3, None)


def test_identical_designs_tie_to_the_first_and_certify():
    observe, _ = fixed([[1, 2, 3, 4], [1, 2, 3, 4]])
    trace = kn_procedure(observe, 2, alpha=0.05, delta=0.5, n0=3, max_observations=4)
    assert trace.best == 0 and trace.certified and trace.used == (3, 3)


def kn_correct_rate(macro: int, alpha: float, delta: float, n0: int, seed: int) -> float:
    """Share of ``macro`` runs choosing the best of 3 normal designs in the slippage
    configuration (best exactly ``delta`` above two equal others, sd 1)."""
    rng = np.random.default_rng(seed)
    means = np.array([0.0, delta, 0.0])  # the best in the middle, so ties cannot help
    correct = 0
    for _ in range(macro):

        def observe(designs: list[int], start: int, count: int) -> np.ndarray:
            return rng.normal(means[designs][:, None], 1.0, (len(designs), count))

        trace = kn_procedure(observe, 3, alpha, delta, n0, max_observations=10_000, batch=20)
        assert trace.certified
        correct += trace.best == 1
    return correct / macro


def test_kn_picks_the_best_at_the_stated_rate_in_the_hardest_configuration():
    macro, alpha = 400, 0.1
    rate = kn_correct_rate(macro, alpha, delta=0.5, n0=10, seed=7)
    # at least 1 - alpha, less a binomial margin (1% chance of failing if exactly 1 - alpha)
    assert rate >= binom.ppf(0.01, macro, 1 - alpha) / macro
    # choosing the best first-stage mean would be right only ~75% of the time here,
    # so a procedure that stopped early would fail the line above
    rng = np.random.default_rng(7)
    naive = rng.normal([0.0, 0.5, 0.0], 1.0, (macro, 10, 3)).mean(axis=1).argmax(axis=1)
    assert (naive == 1).mean() < binom.ppf(0.01, macro, 1 - alpha) / macro


def designs(days: int = 1) -> list[sim111.Scenario]:
    """Three Erlang-A queues differing only in advisors: 10 < 11 < 12 on service level."""
    return [
        make_scenario(
            name=f"advisors-{n}", run={"days": days, "warmup_min": 60}, advisors={"count": n}
        )
        for n in (10, 11, 12)
    ]


def test_select_best_picks_the_most_advisors_at_the_stated_rate():
    scenarios, alpha, macro = designs(), 0.05, 20
    picks = [
        select_best(scenarios, "answered_within_60s", 0.01, alpha=alpha, n0=5, seed=seed).best
        for seed in range(macro)
    ]
    assert sum(p == 2 for p in picks) >= binom.ppf(0.01, macro, 1 - alpha)


def test_select_best_minimises_by_the_kpis_direction():
    chosen = select_best(designs(), "mean_answer_s", 1.0, n0=5, seed=1)
    assert not chosen.maximise and chosen.best == 2 and chosen.best_name == "advisors-12"
    table = chosen.table.set_index("design")
    assert table.loc[2, "mean"] < table.loc[1, "mean"] < table.loc[0, "mean"]
    assert chosen.certified and chosen.procedure.startswith("KN")
    assert chosen.replications_run >= int(table["replications"].sum())


def test_select_best_uses_common_random_numbers_and_is_reproducible():
    scenarios = designs()
    a = select_best(scenarios, "answered_within_60s", 0.01, n0=4, seed=5)
    b = select_best(scenarios, "answered_within_60s", 0.01, n0=4, seed=5)
    pd.testing.assert_frame_equal(a.table, b.table)
    # the first stage is replications 0..n0-1 of the seed, as run_experiment runs them
    alone = run_experiment(scenarios[0], 4, 5).kpis["answered_within_60s"]
    assert a.table.loc[0, "replications"] == 4  # eliminated after the first stage
    assert a.table.loc[0, "mean"] == pytest.approx(alone.mean(), rel=1e-12)
    # a design against itself: identical replications, a tie decided at once
    twin = select_best([scenarios[0], scenarios[0]], "answered_within_60s", 0.01, n0=3, seed=5)
    assert twin.best == 0 and twin.certified and twin.replications_run == 6
    assert stage_seed(5, 0) == 5 and stage_seed(5, 10) != stage_seed(5, 15)


def test_select_best_rejects_bad_input():
    scenarios = designs()
    with pytest.raises(ValueError, match="at least two"):
        select_best(scenarios[:1], "answered_within_60s", 0.01)
    with pytest.raises(ValueError, match="delta"):
        select_best(scenarios, "answered_within_60s", 0.0)
    with pytest.raises(ValueError, match="maximise"):
        select_best(scenarios, "calls_offered", 1.0)
    with pytest.raises(ValueError, match="no KPI"):
        select_best(scenarios, "no_such_kpi", 1.0, maximise=True, n0=2)


def test_mser_statistic_by_hand():
    # batch 1, y = 4, 0, 0, 0: MSER(0) = (9 + 1 + 1 + 1) / 16 = 0.75, MSER(1) = 0
    found = mser(np.array([4.0, 0, 0, 0]), batch=1)
    assert found.statistics == pytest.approx((0.75, 0.0, 0.0))
    assert found.truncation == 1 and found.statistic == 0.0


def test_mser5_finds_a_known_initial_transient():
    rng = np.random.default_rng(3)
    step = np.r_[np.full(100, 5.0), np.zeros(900)] + rng.normal(0, 0.5, 1000)
    assert mser(step).truncation == 100
    decay = 10 * np.exp(-np.arange(1000) / 20) + rng.normal(0, 1, 1000)
    found = mser(decay)
    assert 40 <= found.truncation <= 150 and found.truncation % 5 == 0
    flat = rng.normal(0, 1, 1000)
    assert mser(flat).truncation < mser(decay).truncation


def test_mser_warmup_reads_an_interval_frame():
    values = np.r_[np.full(20, 8.0), np.full(80, 1.0)]
    frame = pd.DataFrame(
        {
            "interval_start_min": np.tile(np.arange(100) * 30.0, 2),
            "mean_queue_length": np.tile(values, 2),
        }
    )
    assert mser_warmup(frame) == 20 * 30.0
    with pytest.raises(ValueError, match="NaN"):
        mser(np.array([1.0, np.nan] * 10))
