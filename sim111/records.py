"""What a run leaves behind: one row per call, and the staffing log.

Records are columnar numpy arrays (no Python object per call). Every offered
call has exactly one ``outcome``:

- ``completed``: answered and the advisor call finished;
- ``abandoned``: the caller hung up before an answer;
- ``queued_at_end``: still waiting when the run ended;
- ``in_service_at_end``: answered, advisor call still going when the run ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

OUTCOMES = ("completed", "abandoned", "queued_at_end", "in_service_at_end")
COMPLETED, ABANDONED, QUEUED_AT_END, IN_SERVICE_AT_END = range(len(OUTCOMES))


@dataclass(frozen=True)
class CallRecords:
    """Per-call columns; times in minutes on the run clock, NaN where not reached."""

    arrival_min: np.ndarray
    patience_min: np.ndarray
    handle_min: np.ndarray
    answer_min: np.ndarray
    end_min: np.ndarray
    outcome: np.ndarray  # int8 codes indexing OUTCOMES

    def __len__(self) -> int:
        return int(self.arrival_min.size)

    def to_frame(self, start_date: dt.date | None = None) -> pd.DataFrame:
        """The records as a DataFrame, with an ``arrival_time`` column if dated."""
        frame = pd.DataFrame(
            {
                "call_id": np.arange(len(self)),
                "arrival_min": self.arrival_min,
                "answer_min": self.answer_min,
                "end_min": self.end_min,
                "outcome": pd.Categorical.from_codes(self.outcome, categories=OUTCOMES),
                "patience_min": self.patience_min,
                "handle_min": self.handle_min,
            }
        )
        frame["wait_s"] = np.where(
            np.isnan(self.answer_min),
            (self.end_min - self.arrival_min) * 60,
            (self.answer_min - self.arrival_min) * 60,
        )
        if start_date is not None:
            origin = pd.Timestamp(start_date)
            frame.insert(2, "arrival_time", origin + pd.to_timedelta(self.arrival_min, "min"))
        return frame


@dataclass(frozen=True)
class StaffLog:
    """Head-count on duty as a step function: ``on_duty[k]`` from ``time_min[k]``.

    Unlike the roster, this includes people staying on past their shift end to
    finish a call.
    """

    time_min: np.ndarray
    on_duty: np.ndarray

    @classmethod
    def from_changes(cls, changes: list[tuple[float, int]]) -> StaffLog:
        """Build from chronological ``(time, +n/-n)`` changes."""
        if not changes:
            return cls(np.array([0.0]), np.array([0]))
        times = np.array([c[0] for c in changes], dtype=float)
        levels = np.cumsum([c[1] for c in changes])
        return cls(np.concatenate([[0.0], times]), np.concatenate([[0], levels]))

    def integral_to(self, at_min: np.ndarray) -> np.ndarray:
        """Person-minutes on duty from 0 to each time in ``at_min``."""
        t, level = self.time_min, self.on_duty.astype(float)
        cum = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(t))])
        idx = np.searchsorted(t, at_min, side="right") - 1
        idx = np.clip(idx, 0, t.size - 1)
        return cum[idx] + level[idx] * (np.asarray(at_min) - t[idx])


@dataclass(frozen=True)
class RunRecords:
    """Everything one replication logged, plus the frame it ran in."""

    calls: CallRecords
    advisors: StaffLog
    start_date: dt.date
    horizon_min: float
    warmup_min: float
    interval_min: int
    replication: int
