"""Steady-state queueing formulas: Erlang-C (M/M/c) and Erlang-A (M/M/c+M).

Used to validate the simulation and as staffing starting points. Rates are
given in calls per hour, durations in minutes; results report waits in
minutes and probabilities as fractions.

Erlang-A is solved exactly (to floating-point precision) rather than by
approximation: the stationary distribution of the birth-death process of
calls in system gives what an arrival sees (PASTA); a tagged arrival that
finds ``i - 1`` calls queued ahead moves up at rate ``c*mu + (i-1)*theta``
and is itself lost at rate ``theta``, so it is answered with probability
``prod_{m<=i} (c*mu + (m-1)*theta) / (c*mu + m*theta)`` after a
hypoexponential wait with rates ``c*mu + m*theta``, ``m = 1..i``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import diags
from scipy.sparse.linalg import expm_multiply
from scipy.special import pdtr

from sim111.units import SECONDS_PER_MIN, per_minute

NEGLIGIBLE = 1e-18  # relative weight of a queue position too small to matter


@dataclass(frozen=True)
class QueueMeasures:
    """Steady-state measures of a call queue.

    ``p_wait``: an arrival is not answered at once. ``p_abandon``: it hangs up
    before an answer. ``mean_wait_min``: mean time in queue over all arrivals
    (abandoners until they hang up). ``mean_answer_min``: mean wait of answered
    calls (average speed of answer).
    """

    p_wait: float
    p_abandon: float
    mean_wait_min: float
    mean_answer_min: float
    mean_queue: float
    utilisation: float
    _position_weights: np.ndarray  # P(arrival joins at queue position i), i = 1..J
    _rates_per_min: np.ndarray  # exit rates c*mu + m*theta, m = 1..J
    _p_served_from: np.ndarray  # P(answered | joins at position i)

    def answered_within(self, t_s: float) -> float:
        """P(answered within ``t_s`` seconds | answered): the NHS service level."""
        t_min = t_s / SECONDS_PER_MIN
        weights = self._position_weights * self._p_served_from
        served_after_wait = weights.sum()
        p_answered = 1 - self.p_abandon
        if served_after_wait == 0:
            return 1.0
        if t_min <= 0:
            return (p_answered - served_after_wait) / p_answered
        # Conditioned on being answered, the tagged call steps down positions
        # at rates r_m; it is still waiting at t with the mass left in the chain.
        # Positions an arrival joins with negligible probability (the state space is
        # sized for the worst case) only slow the matrix exponential: drop them. What
        # they carry (under 1e-18 of the largest weight each) counts as answered.
        kept = int(np.flatnonzero(weights > NEGLIGIBLE * weights.max())[-1]) + 1
        r = self._rates_per_min[:kept]
        generator = diags([-r, r[1:]], [0, -1], format="csc")
        start = weights[:kept] / served_after_wait
        # From position i the wait is at most Gamma(i, r_1) in distribution, so
        # P(still waiting) <= P(Poisson(r_1 t) < i); skip the matrix exponential
        # when that bound is negligible (it is slow for very long t).
        positions = np.arange(start.size)
        bound = float((start * pdtr(positions, r[0] * t_min)).sum())
        if bound < 1e-15:
            return 1.0
        still_waiting = expm_multiply(generator.T * t_min, start).sum()
        return (p_answered - served_after_wait * still_waiting) / p_answered


def _erlang_b(load: float, servers: int) -> float:
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(calls_per_hour: float, mean_handle_min: float, servers: int) -> QueueMeasures:
    """M/M/c measures; requires offered load < ``servers`` (no abandonment)."""
    lam = per_minute(calls_per_hour)
    mu = 1 / mean_handle_min
    load = lam / mu
    if load >= servers:
        raise ValueError(f"Erlang-C needs load < servers, got {load:g} >= {servers}")
    b = _erlang_b(load, servers)
    p_wait = servers * b / (servers - load * (1 - b))
    drain = servers * mu - lam
    mean_wait = p_wait / drain
    # Geometric queue position, exponential wait: represent as one phase.
    return QueueMeasures(
        p_wait=p_wait,
        p_abandon=0.0,
        mean_wait_min=mean_wait,
        mean_answer_min=mean_wait,
        mean_queue=lam * mean_wait,
        utilisation=load / servers,
        _position_weights=np.array([p_wait]),
        _rates_per_min=np.array([drain]),
        _p_served_from=np.array([1.0]),
    )


def _queue_tail_length(lam: float, c_mu: float, theta: float) -> int:
    crossing = max((lam - c_mu) / theta, 0.0)
    spread = math.sqrt(80 * lam / theta)
    geometric = 40 / max(-math.log(min(lam / c_mu, 0.999999)), 1e-6) if lam < c_mu else 0
    return int(min(crossing + spread + min(geometric, 1e5) + 100, 2_000_000))


def erlang_a(
    calls_per_hour: float, mean_handle_min: float, mean_patience_min: float, servers: int
) -> QueueMeasures:
    """M/M/c+M (Palm/Erlang-A) measures with exponential patience.

    Infinite patience (callers who never hang up) is M/M/c: :func:`erlang_c`.
    """
    if math.isinf(mean_patience_min):
        return erlang_c(calls_per_hour, mean_handle_min, servers)
    lam = per_minute(calls_per_hour)
    mu = 1 / mean_handle_min
    theta = 1 / mean_patience_min
    c_mu = servers * mu
    # Unnormalised log-probabilities of k in system: k < c, then queue length j >= 1.
    k = np.arange(1, servers + 1)
    log_busy = np.concatenate([[0.0], np.cumsum(np.log(lam / (k * mu)))])
    j = np.arange(1, _queue_tail_length(lam, c_mu, theta) + 1)
    log_queue = log_busy[-1] + np.cumsum(np.log(lam / (c_mu + j * theta)))
    log_all = np.concatenate([log_busy, log_queue])
    p = np.exp(log_all - log_all.max())
    p /= p.sum()
    p_idle_server = p[:servers].sum()
    p_queue_states = p[servers:]  # k = c, c+1, ...: arrival joins at position i = k - c + 1
    rates = c_mu + np.arange(1, p_queue_states.size + 1) * theta
    p_served_from = np.cumprod((rates - theta) / rates)
    mean_queue = float((p[servers + 1 :] * j).sum())
    p_abandon = float((p_queue_states * (1 - p_served_from)).sum())
    served_wait = float((p_queue_states * p_served_from * np.cumsum(1 / rates)).sum())
    return QueueMeasures(
        p_wait=1 - p_idle_server,
        p_abandon=p_abandon,
        mean_wait_min=mean_queue / lam,
        mean_answer_min=served_wait / (1 - p_abandon),
        mean_queue=mean_queue,
        utilisation=lam * (1 - p_abandon) / c_mu,
        _position_weights=p_queue_states,
        _rates_per_min=rates,
        _p_served_from=p_served_from,
    )
