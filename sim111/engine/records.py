"""What a run leaves behind: one row per offered call, and staffing logs.

Records are columnar numpy arrays (no Python object per call). A redial is a
new offered call with the same ``caller_id`` and ``attempt`` one higher.
Every offered call has exactly one ``outcome``:

- ``abandoned``: the caller hung up before an advisor answered;
- ``queued_at_end`` / ``with_advisor_at_end``: still waiting for, or talking to,
  an advisor when the run ended;
- ``closed_no_triage``: answered, not triaged (information, wrong number...);
- ``closed_by_advisor``: triaged and given a disposition by the advisor;
- ``awaiting_clinician_at_end`` / ``with_clinician_at_end``: in the clinical
  stage (holding, queued for a call-back, or being assessed) at the end;
- ``closed_by_clinician``: assessed by a clinician and given a disposition;
- ``callback_failed``: every call-back attempt went unanswered;
- ``lost_at_overflow``: sent to an overflow provider that was full and drops calls;
- ``queued_at_provider_at_end`` / ``with_provider_at_end`` / ``closed_by_provider``:
  taken by an overflow provider (``provider`` says which).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

from sim111.scenario import DISPOSITIONS

OUTCOMES = (
    "abandoned",
    "queued_at_end",
    "with_advisor_at_end",
    "closed_no_triage",
    "closed_by_advisor",
    "awaiting_clinician_at_end",
    "with_clinician_at_end",
    "closed_by_clinician",
    "callback_failed",
    "lost_at_overflow",
    "queued_at_provider_at_end",
    "with_provider_at_end",
    "closed_by_provider",
)
(
    ABANDONED,
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    CLOSED_NO_TRIAGE,
    CLOSED_BY_ADVISOR,
    AWAITING_CLINICIAN_AT_END,
    WITH_CLINICIAN_AT_END,
    CLOSED_BY_CLINICIAN,
    CALLBACK_FAILED,
    LOST_AT_OVERFLOW,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
    CLOSED_BY_PROVIDER,
) = range(len(OUTCOMES))
IN_SYSTEM_AT_END = (
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    AWAITING_CLINICIAN_AT_END,
    WITH_CLINICIAN_AT_END,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
)
NO_DISPOSITION = -1
NO_PRIORITY = -1


@dataclass(frozen=True)
class CallRecords:
    """Per-call columns. Times are minutes on the run clock, NaN where not reached.

    ``answer_min``/``advisor_end_min``: the advisor call; ``clinical_min``: when
    the call entered the clinical stage (= advisor end); ``first_attempt_min``
    the first call-back attempt (answered or not); ``contact_min`` and
    ``clinician_end_min``: the clinician's assessment; ``end_min``: when the
    journey ended (NaN if still in the system).
    """

    caller_id: np.ndarray
    attempt: np.ndarray
    arrival_min: np.ndarray
    patience_min: np.ndarray
    handle_min: np.ndarray
    answer_min: np.ndarray
    advisor_end_min: np.ndarray
    end_min: np.ndarray
    outcome: np.ndarray  # int8 codes indexing OUTCOMES
    triaged: np.ndarray
    clinical: np.ndarray  # entered the clinical stage
    priority: np.ndarray  # int8, NO_PRIORITY if not clinical
    warm_transfer: np.ndarray
    callback_attempts: np.ndarray
    contact_min: np.ndarray
    clinician_end_min: np.ndarray
    first_attempt_min: np.ndarray  # first call-back attempt (NaN if none)
    clinician_group: np.ndarray  # int8, -1 if none
    disposition: np.ndarray  # int8 codes indexing DISPOSITIONS, NO_DISPOSITION if none
    provider: np.ndarray  # int8 index of the overflow provider, -1 if none
    provider_start_min: np.ndarray  # when the provider's staff took the call
    bounced: np.ndarray  # a full provider sent the call back to the 111 queue
    downstream: np.ndarray  # int8 index of the downstream service referred to, -1 if none
    downstream_class: np.ndarray  # int8 urgency class there, -1 if none
    downstream_start_min: np.ndarray  # when the patient was seen there (NaN if not yet)
    downstream_end_min: np.ndarray  # when that consultation ended (NaN if not yet)

    def __len__(self) -> int:
        return int(self.arrival_min.size)

    def to_frame(self, start_date: dt.date | None = None) -> pd.DataFrame:
        """The records as a DataFrame with labelled outcome and disposition."""
        disposition = pd.Categorical.from_codes(
            self.disposition.astype(int), categories=DISPOSITIONS
        )
        frame = pd.DataFrame(
            {
                "call_id": np.arange(len(self)),
                "caller_id": self.caller_id,
                "attempt": self.attempt,
                "arrival_min": self.arrival_min,
                "answer_min": self.answer_min,
                "advisor_end_min": self.advisor_end_min,
                "first_attempt_min": self.first_attempt_min,
                "contact_min": self.contact_min,
                "clinician_end_min": self.clinician_end_min,
                "end_min": self.end_min,
                "outcome": pd.Categorical.from_codes(self.outcome, categories=OUTCOMES),
                "disposition": disposition,
                "triaged": self.triaged,
                "clinical": self.clinical,
                "priority": self.priority,
                "warm_transfer": self.warm_transfer,
                "callback_attempts": self.callback_attempts,
                "clinician_group": self.clinician_group,
                "provider": self.provider,
                "provider_start_min": self.provider_start_min,
                "bounced": self.bounced,
                "downstream": self.downstream,
                "downstream_class": self.downstream_class,
                "downstream_start_min": self.downstream_start_min,
                "downstream_end_min": self.downstream_end_min,
                "patience_min": self.patience_min,
                "handle_min": self.handle_min,
            }
        )
        wait = np.where(np.isnan(self.answer_min), self.end_min, self.answer_min)
        frame["wait_s"] = (wait - self.arrival_min) * 60
        if start_date is not None:
            origin = pd.Timestamp(start_date)
            frame.insert(4, "arrival_time", origin + pd.to_timedelta(self.arrival_min, "min"))
        return frame


@dataclass(frozen=True)
class StepLog:
    """A count as a step function: ``level[k]`` from ``time_min[k]`` on.

    Used for people on duty (including overrun to finish a call), clinicians
    busy, and calls awaiting a clinician.
    """

    time_min: np.ndarray
    level: np.ndarray

    @classmethod
    def from_changes(cls, changes: list[tuple[float, int]], chronological: bool = True) -> StepLog:
        """Build from ``(time, +n/-n)`` changes, starting from 0 at time 0.

        Unless ``chronological``, the changes are first put in time order by a
        stable sort (at equal times they keep the order they were logged in).
        """
        if not changes:
            return cls(np.array([0.0]), np.array([0]))
        flat = np.fromiter(chain.from_iterable(changes), float, 2 * len(changes))
        times, deltas = flat[0::2], flat[1::2]
        if not chronological:
            order = np.argsort(times, kind="stable")
            times, deltas = times[order], deltas[order]
        levels = np.cumsum(deltas).astype(np.int64)  # sums of small integers: exact
        return cls(np.concatenate([[0.0], times]), np.concatenate([[0], levels]))

    def integral_to(self, at_min: np.ndarray) -> np.ndarray:
        """Integral of the count from 0 to each time in ``at_min`` (count x minutes)."""
        t, level = self.time_min, self.level.astype(float)
        cum = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(t))])
        idx = np.clip(np.searchsorted(t, at_min, side="right") - 1, 0, t.size - 1)
        return cum[idx] + level[idx] * (np.asarray(at_min) - t[idx])

    def mean_over(self, start_min: float, end_min: float) -> float:
        """Time-average of the count over ``[start_min, end_min]``."""
        ends = self.integral_to(np.array([start_min, end_min]))
        return float((ends[1] - ends[0]) / (end_min - start_min))


@dataclass(frozen=True)
class RunRecords:
    """Everything one replication logged, plus the frame it ran in."""

    calls: CallRecords
    advisors: StepLog  # advisors on duty
    clinicians: StepLog  # clinicians on duty (all groups)
    clinicians_busy: StepLog
    awaiting_clinician: StepLog  # calls between advisor end and clinician contact
    start_date: dt.date
    horizon_min: float
    warmup_min: float
    interval_min: int
    replication: int
    priority_names: tuple[str, ...] = ()
    priority_targets_min: tuple[float, ...] = ()
    provider_names: tuple[str, ...] = ()
    downstream_names: tuple[str, ...] = ()
    downstream_targets_min: tuple[tuple[float, ...], ...] = ()
