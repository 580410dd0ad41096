"""What a staffing plan must achieve, and the half-hour grid it is planned on."""

from __future__ import annotations

from dataclasses import dataclass

from sim111.kpi_keys import ABANDONED_AFTER_30S_TARGET, ANSWERED_WITHIN_60S_TARGET
from sim111.units import MINUTES_PER_DAY

SLOT_MIN = 30
SLOTS_PER_DAY = MINUTES_PER_DAY // SLOT_MIN


@dataclass(frozen=True)
class StaffingTargets:
    """What the roster must achieve (fractions) and how hard to try.

    The advisor targets default to the NHS targets in :mod:`sim111.kpi_keys`.
    The call-back target is on call-backs made (first attempted) within 10 min.
    """

    answered_within_60s: float = ANSWERED_WITHIN_60S_TARGET
    abandoned_after_30s: float = ABANDONED_AFTER_30S_TARGET
    callback_within_10min: float = 0.80
    shift_lengths_h: tuple[float, ...] = (4.0, 6.0, 8.0, 10.0)
    replications: int = 10
    max_iterations: int = 8
    seed: int = 1
