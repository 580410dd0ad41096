"""What a run leaves behind: one row per offered call, and staffing logs.

Records are columnar numpy arrays (no Python object per call); the columns
are declared in :mod:`sim111.engine.columns` and the outcome codes in
:mod:`sim111.engine.outcomes` (re-exported here). A redial is a new offered
call with the same ``caller_id`` and ``attempt`` one higher.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from sim111.engine.columns import IN_TABLE, RECORDED, Column
from sim111.engine.detail import UNMEASURED
from sim111.engine.outcomes import (
    ABANDONED,
    AWAITING_CLINICIAN_AT_END,
    CALLBACK_FAILED,
    CALLBACK_GAVE_UP,
    CALLBACK_LEFT_FOR_999,
    CALLBACK_LEFT_FOR_ED,
    CALLBACK_REPLACED,
    CLOSED_BY_ADVISOR,
    CLOSED_BY_CLINICIAN,
    CLOSED_BY_PROVIDER,
    CLOSED_NO_TRIAGE,
    IN_SYSTEM_AT_END,
    LEFT_CALLBACK,
    LOST_AT_OVERFLOW,
    NO_DISPOSITION,
    NO_PRIORITY,
    OUTCOMES,
    QUEUED_AT_END,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_ADVISOR_AT_END,
    WITH_CLINICIAN_AT_END,
    WITH_PROVIDER_AT_END,
)
from sim111.units import SECONDS_PER_MIN

__all__ = [
    "ABANDONED",
    "AWAITING_CLINICIAN_AT_END",
    "CALLBACK_FAILED",
    "CALLBACK_GAVE_UP",
    "CALLBACK_LEFT_FOR_999",
    "CALLBACK_LEFT_FOR_ED",
    "CALLBACK_REPLACED",
    "CLOSED_BY_ADVISOR",
    "CLOSED_BY_CLINICIAN",
    "CLOSED_BY_PROVIDER",
    "CLOSED_NO_TRIAGE",
    "IN_SYSTEM_AT_END",
    "LEFT_CALLBACK",
    "LOST_AT_OVERFLOW",
    "NO_DISPOSITION",
    "NO_PRIORITY",
    "OUTCOMES",
    "QUEUED_AT_END",
    "QUEUED_AT_PROVIDER_AT_END",
    "WITH_ADVISOR_AT_END",
    "WITH_CLINICIAN_AT_END",
    "WITH_PROVIDER_AT_END",
    "CallRecords",
    "RunRecords",
    "StepLog",
]
_FIELDS = tuple(c.name for c in RECORDED)
_MEASURED = tuple(name for name in _FIELDS if name not in UNMEASURED)


class CallRecords:
    """Per-call columns (see :mod:`sim111.engine.columns`), one numpy array each.

    Times are minutes on the run clock, NaN where not reached. A column is an
    attribute: ``records.outcome``; :attr:`columns` holds them all in order.

    Columns are read-only in spirit and some in fact: a column the run did not
    hold (say, ``provider`` in a scenario without overflow providers; see
    ``held_if`` in :mod:`~sim111.engine.columns`) is its blank for every call,
    one value viewed ``len(records)`` times (``strides == (0,)``), and pickles
    as such; the flags are views of the engine's int8 columns. Copy a column
    before changing it.

    Records kept only to be measured (``full_records=False``) hold only the
    columns KPIs read (:mod:`~sim111.engine.detail`): asking for another is
    an error that says so.
    """

    columns: dict[str, np.ndarray]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a one-value column as its value and length, not ``len`` copies of it
        (numpy pickles a view with no strides by copying it out: a worker's records of
        a year would carry hundreds of megabytes of blanks back)."""
        packed = {
            name: (values[:1].copy(), values.size) if is_one_value(values) else values
            for name, values in self.columns.items()
        }
        return (_unpack, (packed,))

    def __init__(self, **columns: np.ndarray) -> None:
        names = _FIELDS if len(columns) > len(_MEASURED) else _MEASURED
        if columns.keys() != set(names):
            missing, extra = set(names) - columns.keys(), columns.keys() - set(names)
            raise TypeError(
                f"CallRecords columns: missing {sorted(missing)}, extra {sorted(extra)}"
            )
        object.__setattr__(self, "columns", {name: columns[name] for name in names})

    @property
    def full(self) -> bool:
        """Whether every column is kept (else only those KPIs read)."""
        return len(self.columns) == len(_FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CallRecords are read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CallRecords are read-only: cannot delete {name!r}")

    def __getattr__(self, name: str) -> np.ndarray:
        """A column by name (only called when ``name`` is not a real attribute)."""
        try:
            return self.__dict__["columns"][name]
        except KeyError:
            if name in UNMEASURED:
                raise AttributeError(f"{name}: {_MEASURED_ONLY}") from None
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return int(self.columns["arrival_min"].size)

    def to_frame(self, start_date: dt.date | None = None) -> pd.DataFrame:
        """The records as a table: the columns of ``IN_TABLE`` in order, codes labelled."""
        if not self.full:
            raise ValueError(f"no table: {_MEASURED_ONLY}")
        table: dict[str, object] = {}
        for column in IN_TABLE:
            if column.needs_start_date and start_date is None:
                continue
            if column.name in _TABLE_ONLY:
                table[column.name] = _TABLE_ONLY[column.name](self, start_date)
            else:
                table[column.name] = self._labelled(column)
        return pd.DataFrame(table)

    def _labelled(self, column: Column) -> object:
        values = self.columns[column.name]
        if column.categories is None:
            return values
        return pd.Categorical.from_codes(values.astype(int), categories=column.categories)


_MEASURED_ONLY = (
    "these records keep only the columns KPIs read (the run was measured only); "
    "keep the records for every column (keep_records=True; sim111 run --out with --records)"
)


def one_value(value: Any, n: int) -> np.ndarray:
    """A column of ``n`` calls that is ``value`` for each, in the memory of one value
    (a read-only view with no strides)."""
    return np.broadcast_to(value, (n,))


def is_one_value(values: np.ndarray) -> bool:
    """Whether ``values`` is one value viewed again and again (:func:`one_value`; more
    than one call)."""
    return values.ndim == 1 and values.size > 1 and values.strides == (0,)


def _unpack(packed: dict[str, np.ndarray | tuple[np.ndarray, int]]) -> CallRecords:
    columns = {
        name: one_value(v[0][0], v[1]) if isinstance(v, tuple) else v for name, v in packed.items()
    }
    return CallRecords(**columns)


def _wait_s(calls: CallRecords, start_date: dt.date | None) -> np.ndarray:
    wait = np.where(np.isnan(calls.answer_min), calls.end_min, calls.answer_min)
    return (wait - calls.arrival_min) * SECONDS_PER_MIN


def _arrival_time(calls: CallRecords, start_date: dt.date | None) -> object:
    return pd.Timestamp(start_date) + pd.to_timedelta(calls.arrival_min, "min")


# how each ``table`` column is computed from the records
_TABLE_ONLY: dict[str, Callable[[CallRecords, dt.date | None], object]] = {
    "call_id": lambda calls, _: np.arange(len(calls)),
    "arrival_time": _arrival_time,
    "wait_s": _wait_s,
}


class Changes:
    """Step changes ``(time, +n/-n)`` logged as a run goes, kept as two typed arrays:
    12 bytes a change where a list of tuples takes about 90 (a clinical call logs four)."""

    __slots__ = ("delta", "time_min")

    def __init__(self) -> None:
        self.time_min = array("d")
        self.delta = array("i")  # a change of a few people, as C int (StepLog levels: int64)

    def add(self, time_min: float, delta: int) -> None:
        """Log a change of ``delta`` at ``time_min``."""
        self.time_min.append(time_min)
        self.delta.append(delta)

    def __len__(self) -> int:
        return len(self.time_min)

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.time_min, self.delta, strict=True)


@dataclass(frozen=True)
class StepLog:
    """A count as a step function: ``level[k]`` from ``time_min[k]`` on.

    Used for people on duty (including overrun to finish a call), clinicians
    busy, and calls awaiting a clinician.
    """

    time_min: np.ndarray
    level: np.ndarray

    @classmethod
    def from_changes(
        cls, changes: list[tuple[float, int]] | Changes, chronological: bool = True
    ) -> StepLog:
        """Build from ``(time, +n/-n)`` changes, starting from 0 at time 0.

        Unless ``chronological``, the changes are first put in time order by a
        stable sort (at equal times they keep the order they were logged in).
        """
        if not len(changes):
            return cls(np.array([0.0]), np.array([0]))
        if isinstance(changes, Changes):
            times = np.frombuffer(changes.time_min, dtype=np.float64)
            deltas = np.frombuffer(changes.delta, dtype=np.intc)
        else:
            flat = np.fromiter(chain.from_iterable(changes), float, 2 * len(changes))
            times, deltas = flat[0::2], flat[1::2]
        if not chronological:
            order = np.argsort(times, kind="stable")
            times, deltas = times[order], deltas[order]
        levels = np.cumsum(deltas, dtype=np.int64)  # sums of small integers: exact
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
    # clinicians called in on overtime, for the length of their block (they are
    # also in ``clinicians`` while on duty)
    clinicians_overtime: StepLog | None = None
    # several areas pooled (sim111.measures.areas.pooled_records): their names, and
    # each call's area as an index into them
    area_names: tuple[str, ...] = ()
    call_area: np.ndarray | None = None
