"""One offered call as the journey fills it in, and the table of all calls.

A :class:`Call` is one ring (a redial is a new call); the processes write its
times and outcome as it goes, and :func:`call_records` turns the list of calls
into the engine's columnar :class:`~sim111.engine.records.CallRecords`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim111.engine import records as rec
from sim111.engine.columns import RECORDED
from sim111.engine.records import CallRecords
from sim111.engine.reference.inputs import Draws


@dataclass(slots=True)
class Call:
    """One offered call; the fields after ``draws`` are the columns of :class:`CallRecords`."""

    draws: Draws
    caller_id: int
    attempt: int
    arrival_min: float
    answer_min: float = math.nan
    advisor_end_min: float = math.nan
    end_min: float = math.nan
    outcome: int = rec.QUEUED_AT_END
    clinical: bool = False
    priority: int = rec.NO_PRIORITY
    warm_transfer: bool = False
    callback_attempts: int = 0
    contact_min: float = math.nan
    clinician_end_min: float = math.nan
    first_attempt_min: float = math.nan
    clinician_group: int = -1
    advisor_id: int = -1
    clinician_id: int = -1
    disposition: int = rec.NO_DISPOSITION
    provider: int = -1
    provider_start_min: float = math.nan
    bounced: bool = False
    downstream: int = -1
    downstream_class: int = -1
    downstream_start_min: float = math.nan
    downstream_end_min: float = math.nan
    # call-back patience and backlog rules are not in the reference model: always blank
    repeat_of: int = -1
    callback_left_min: float = math.nan
    escalated_min: float = math.nan
    # one area: no other area's advisor or clinician
    advisor_area: int = -1
    clinician_area: int = -1

    def close(self, now_min: float, outcome: int, disposition: int = rec.NO_DISPOSITION) -> None:
        """The call ends now with ``outcome`` (and a disposition, if one was given)."""
        self.outcome, self.end_min, self.disposition = outcome, now_min, disposition


_FROM_DRAWS = ("patience_min", "handle_min", "triaged")  # record columns that are draws


def call_records(calls: list[Call]) -> CallRecords:
    """The calls as the engine's columns: first rings, then redials as callers hung up."""

    def value(call: Call, name: str) -> Any:
        return getattr(call.draws if name in _FROM_DRAWS else call, name)

    columns = {
        column.name: np.array([value(c, column.name) for c in calls], column.dtype)
        for column in RECORDED
    }
    return CallRecords(**columns)
