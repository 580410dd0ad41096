"""Erlang-C against published values; Erlang-A against an independent closed form."""

from __future__ import annotations

import math

import pytest
from scipy.special import gammainc, gammaln

from sim111.measures.analytic import _erlang_b, erlang_a, erlang_c


def test_erlang_c_published_values():
    # Textbook tables: 2 erlangs on 3 servers -> 4/9; 10 erlangs on 11 servers -> 0.6821.
    assert erlang_c(120, 1, 3).p_wait == pytest.approx(4 / 9, abs=1e-12)
    assert erlang_c(600, 1, 11).p_wait == pytest.approx(0.6821, abs=5e-5)


def test_erlang_c_service_level_formula():
    m = erlang_c(120, 8, 18)
    drain = 18 / 8 - 2  # per minute
    assert m.answered_within(60) == pytest.approx(1 - m.p_wait * math.exp(-drain * 1))
    assert m.mean_answer_min == pytest.approx(m.p_wait / drain)


def test_erlang_c_rejects_overload():
    with pytest.raises(ValueError, match="load < servers"):
        erlang_c(200, 8, 18)


def _zeltyn_a(x: float, y: float) -> float:
    """A(x, y) = x e^y y^-x gamma_lower(x, y) (Mandelbaum & Zeltyn's Erlang-A notation)."""
    return x * math.exp(y - x * math.log(y) + gammaln(x)) * gammainc(x, y)


@pytest.mark.parametrize(
    ("calls_per_hour", "handle_min", "patience_min", "servers"),
    [(120, 8, 5, 18), (175.5, 8, 5, 18), (94.5, 8, 5, 18), (60, 10, 2, 5), (300, 12, 30, 50)],
)
def test_erlang_a_matches_the_incomplete_gamma_closed_form(
    calls_per_hour, handle_min, patience_min, servers
):
    lam, mu, theta = calls_per_hour / 60, 1 / handle_min, 1 / patience_min
    rho = lam / (servers * mu)
    blocking = _erlang_b(lam / mu, servers)
    a = _zeltyn_a(servers * mu / theta, lam / theta)
    p_wait = a * blocking / (1 + (a - 1) * blocking)
    p_abandon = p_wait * (1 / (rho * a) + 1 - 1 / rho)
    m = erlang_a(calls_per_hour, handle_min, patience_min, servers)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert m.p_abandon == pytest.approx(p_abandon, rel=1e-9)
    # Little's law: abandonment rate theta * E[queue] equals lambda * P(abandon)
    assert theta * m.mean_queue == pytest.approx(lam * m.p_abandon, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_with_endless_patience():
    a, c = erlang_a(120, 8, 1e7, 18), erlang_c(120, 8, 18)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-4)
    assert a.mean_answer_min == pytest.approx(c.mean_answer_min, rel=1e-3)
    for t in (0, 20, 60, 300):
        assert a.answered_within(t) == pytest.approx(c.answered_within(t), abs=1e-4)


def test_erlang_a_service_level_limits():
    m = erlang_a(150, 8, 5, 18)
    assert m.answered_within(0) == pytest.approx((1 - m.p_wait) / (1 - m.p_abandon))
    assert m.answered_within(1e6) == pytest.approx(1.0)
    assert m.answered_within(30) < m.answered_within(60) < m.answered_within(120)


@pytest.mark.parametrize(("calls_per_hour", "servers"), [(5000, 880), (500, 92), (60, 5)])
def test_dropping_negligible_queue_positions_does_not_move_the_service_level(
    monkeypatch, calls_per_hour, servers
):
    fast = erlang_a(calls_per_hour, 10.45, 9.46, servers).answered_within(60)
    monkeypatch.setattr("sim111.measures.analytic.NEGLIGIBLE", 0.0)  # every position kept
    full = erlang_a(calls_per_hour, 10.45, 9.46, servers).answered_within(60)
    assert fast == pytest.approx(full, abs=1e-12)
