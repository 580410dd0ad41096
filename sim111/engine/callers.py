"""Every call's random attributes, drawn when it is offered, each from its own stream.

The i-th first-attempt call takes the i-th draw of every stream, so variants of
a scenario (more clinicians, a longer hold) meet the same callers with the
same needs: common random numbers. Redials are drawn as they happen from
streams of their own (``redial.*``), so they never shift first attempts.
All draws are by inversion of one uniform, so a changed parameter keeps each
caller's place in its distribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim111.scenario import DISPOSITIONS, Clinical, DispositionMix, Scenario
from sim111.scenario.limits import MAX_CALLBACK_ATTEMPTS
from sim111.units import SECONDS_PER_MIN


@dataclass(frozen=True)
class CallerDraws:
    """Per-call attributes for a batch of calls (numpy arrays of equal length)."""

    patience_min: np.ndarray
    triaged: np.ndarray
    handle_min: np.ndarray
    clinical_u: np.ndarray  # needs clinical input if below P(clinical | triaged)
    priority: np.ndarray
    advisor_disposition: np.ndarray
    clinician_disposition: np.ndarray
    clinician_u: np.ndarray  # uniform for the clinician's consultation time
    callback_attempts_needed: np.ndarray  # the attempt on which the caller answers
    callback_patience_u: np.ndarray  # uniform for how long they wait for a call-back
    callback_action_u: np.ndarray  # uniform for what they do when that runs out
    redials: np.ndarray
    redial_delay_min: np.ndarray
    provider_u: np.ndarray  # uniform for an overflow provider's handling time
    downstream_u: np.ndarray  # which downstream service, if any, a disposition goes to
    downstream_class_u: np.ndarray  # its urgency class there
    downstream_handle_u: np.ndarray  # its consultation time there


def _categorical(u: np.ndarray, weights: tuple[float, ...] | list[float]) -> np.ndarray:
    cum = np.cumsum(weights, dtype=float)
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1).astype(np.int8)


def _disposition(u: np.ndarray, mix: DispositionMix) -> np.ndarray:
    assert len(mix.weights()) == len(DISPOSITIONS)
    return _categorical(u, mix.weights())


def waiting_for_callback(
    clinical: Clinical, priority: np.ndarray, u_patience: np.ndarray, u_action: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Call-back patience (min) and what each caller does when it runs out
    (a :data:`~sim111.scenario.WAITING_ACTIONS` code), by their class, from their uniforms."""
    n = priority.size
    patience = np.full(n, np.inf)
    action = np.zeros(n, dtype=np.int8)
    if not clinical.callers_may_stop_waiting:  # nobody stops waiting: nothing to work out
        return patience, action
    for k in range(len(clinical.priorities)):
        mine = priority == k
        patience[mine] = clinical.callback_patience(k).quantile(u_patience[mine])
        action[mine] = _categorical(u_action[mine], clinical.waiting_actions(k).weights())
    return patience, action


def draw_callers(
    scenario: Scenario,
    rng: Callable[[str], np.random.Generator],
    n: int,
    triaged_share: float | None = None,
) -> CallerDraws:
    """Attributes of ``n`` calls, in offer order; ``rng(name)`` gives a stream.

    ``triaged_share`` overrides the scenario's (repeat calls are all triaged).
    """
    callers, triage, clinical = scenario.callers, scenario.triage, scenario.clinical

    patience = callers.patience.quantile(rng("patience").random(n))
    # One uniform: below the share it is a quick hang-up; rescaled, how soon.
    share = callers.quick_hangup_share
    u = rng("quick_hangup").random(n)
    quick = u < share
    quick_min = np.divide(u, share, out=np.zeros(n), where=quick) * (
        callers.quick_hangup_max_s / SECONDS_PER_MIN
    )
    patience = np.where(quick, np.minimum(patience, quick_min), patience)

    u_triage = rng("triage").random(n)
    triaged = u_triage < (triage.triaged_share if triaged_share is None else triaged_share)
    u_handle = rng("advisor_handle").random(n)
    handle = scenario.advisors.handle_time.quantile(u_handle)
    if triage.untriaged_handle_time is not None:
        handle = np.where(triaged, handle, triage.untriaged_handle_time.quantile(u_handle))

    # Clinical input is decided at the end of the advisor call, from this uniform
    # and the share for the day the call arrived (see sim111.engine.calls.advisor_endings).
    clinical_u = rng("clinical").random(n)

    priority = _categorical(rng("priority").random(n), [p.share for p in clinical.priorities])
    advisor_disp = _disposition(rng("advisor_disposition").random(n), triage.disposition)
    clinician_disp = _disposition(rng("clinician_disposition").random(n), clinical.disposition)
    clinician_u = rng("clinician_handle").random(n)
    p_no = clinical.callback_no_answer_share
    u_cb = 1.0 - rng("callback_answer").random(n)  # in (0, 1]
    if p_no > 0:
        needed = 1 + np.floor(np.log(u_cb) / np.log(p_no)).astype(np.int64)
    else:
        needed = np.ones(n, dtype=np.int64)
    # past the most attempts any scenario may make, the caller is never reached: the
    # same to the engine whatever the number (held as int16)
    np.minimum(needed, MAX_CALLBACK_ATTEMPTS + 1, out=needed)
    redials = rng("redial").random(n) < callers.redial_probability
    waiting = clinical.callers_may_stop_waiting

    def waiting_uniforms(name: str) -> np.ndarray:
        return rng(name).random(n) if waiting else np.zeros(n)

    redial_delay = callers.redial_delay.quantile(rng("redial_delay").random(n))
    return CallerDraws(
        patience_min=patience,
        triaged=triaged,
        handle_min=handle,
        clinical_u=clinical_u,
        priority=priority,
        advisor_disposition=advisor_disp,
        clinician_disposition=clinician_disp,
        clinician_u=clinician_u,
        callback_attempts_needed=needed,
        # drawn only when someone may stop waiting (their streams are their own, so
        # either way every other draw is the same: common random numbers hold)
        callback_patience_u=waiting_uniforms("callback_patience"),
        callback_action_u=waiting_uniforms("callback_action"),
        redials=redials,
        redial_delay_min=redial_delay,
        provider_u=rng("provider_handle").random(n),
        downstream_u=rng("downstream").random(n),
        downstream_class_u=rng("downstream_class").random(n),
        downstream_handle_u=rng("downstream_handle").random(n),
    )
