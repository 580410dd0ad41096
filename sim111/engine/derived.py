"""How a call's derived columns follow from its draws, worked out before the run.

Its handling time with each clinician group, provider and downstream service,
its urgency class at each service, and how its advisor call ends: for a whole
batch of calls at once (one vectorised inverse CDF per group) rather than per
call as it is needed. Used by :mod:`sim111.engine.calls`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim111.engine.callers import CallerDraws
from sim111.engine.columns import DERIVED, DRAWN, of_kind
from sim111.engine.outcomes import (
    AWAITING_CLINICIAN_AT_END,
    CLOSED_BY_ADVISOR,
    CLOSED_NO_TRIAGE,
)
from sim111.units import MINUTES_PER_DAY

if TYPE_CHECKING:
    from sim111.scenario import Scenario

_NUMPY_TYPES = {"d": np.float64, "b": np.int8, "h": np.int16, "q": np.int64}


def compact(values: Any, typecode: str) -> array[Any]:
    """A numpy column as a typed ``array.array`` of ``typecode``."""
    return array(typecode, np.asarray(values).astype(_NUMPY_TYPES[typecode]).tobytes())


def _handle_time(uniform: str) -> Callable[[Any, CallerDraws], np.ndarray]:
    """Each call's handling time in a group: its distribution at the call's ``uniform``."""
    return lambda group, draws: group.handle_time.quantile(getattr(draws, uniform))


def _urgency_class(service: Any, draws: CallerDraws) -> np.ndarray:
    cum = np.cumsum([c.share for c in service.classes])
    cum /= cum[-1]
    klass = np.searchsorted(cum, draws.downstream_class_u, side="right")
    return np.minimum(klass, len(cum) - 1)


# how each derived per-group column follows from the draws, for one group
PER_GROUP: dict[str, Callable[[Any, CallerDraws], np.ndarray]] = {
    "clinician_handle_min": _handle_time("clinician_u"),
    "provider_handle_min": _handle_time("provider_u"),
    "downstream_handle_min": _handle_time("downstream_handle_u"),
    "urgency_class": _urgency_class,
}

Inputs = dict[str, "array[Any] | list[array[Any]]"]


def input_columns(scenario: Scenario, draws: CallerDraws) -> Inputs:
    """A batch's drawn columns, and its derived per-group columns as a list per
    column indexed by group (``inputs["clinician_handle_min"][k]``: group k)."""
    inputs: Inputs = {
        c.name: compact(getattr(draws, c.name), c.typecode or "")
        for c in of_kind(DRAWN)
        if c.held_by(scenario)
    }
    for c in of_kind(DERIVED):
        if c.per is not None:
            groups = getattr(scenario, c.per)
            inputs[c.name] = [
                compact(PER_GROUP[c.name](g, draws), c.typecode or "") for g in groups
            ]
    return inputs


def advisor_endings(
    clinical_p: np.ndarray, arrival_min: np.ndarray, triaged: np.ndarray, clinical_u: np.ndarray
) -> array[int]:
    """How each advisor call will end, known from its draws: closed untriaged,
    closed with the advisor's disposition, or on to a clinician
    (``AWAITING_CLINICIAN_AT_END``) — by ``clinical_p``, P(clinical | triaged),
    on the day the call arrived."""
    day = (arrival_min // MINUTES_PER_DAY).astype(np.int64)
    clinical = triaged & (clinical_u < clinical_p[day])
    ends_as = np.where(
        triaged,
        np.where(clinical, AWAITING_CLINICIAN_AT_END, CLOSED_BY_ADVISOR),
        CLOSED_NO_TRIAGE,
    )
    return compact(ends_as, "b")


def advisor_ending(clinical_p: np.ndarray, arrival_min: float, triaged: int, u: float) -> int:
    """:func:`advisor_endings` of one call (a redial): the same comparisons, without arrays."""
    if not triaged:
        return CLOSED_NO_TRIAGE
    clinical = u < clinical_p[int(arrival_min // MINUTES_PER_DAY)]
    return AWAITING_CLINICIAN_AT_END if clinical else CLOSED_BY_ADVISOR
