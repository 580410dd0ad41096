"""The per-call state of one run: a typed array per column of :mod:`sim111.engine.columns`.

The engine reads and writes calls one element at a time, by call index, so
each column is an ``array.array`` (a list would hold a Python object per call,
32 bytes a float, which a year-long replication feels) handed to numpy
uncopied at the end. Everything about a call that follows from its draws is
computed for a whole batch of calls at once before the run
(:mod:`sim111.engine.derived`). Redials are rows appended as they happen,
their draws taken in batches from streams of their own.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.callers import CallerDraws, draw_callers, waiting_for_callback
from sim111.engine.columns import BY_NAME, ENGINE, ENGINE_HELD, RECORDED, of_kind
from sim111.engine.derived import advisor_ending, advisor_endings, compact, input_columns
from sim111.engine.detail import DISCARD, FOR_OUTPUTS, UNMEASURED
from sim111.engine.outcomes import AWAITING_CLINICIAN_AT_END, CLOSED_NO_TRIAGE
from sim111.engine.records import CallRecords, one_value
from sim111.engine.streams import RandomStreams
from sim111.scenario import Scenario

REDIAL_BATCH = 256
APPENDED_ONLY = ("caller_id", "attempt", "repeat_of")
"""Columns the same for every first attempt (the call's own row; attempt 0; no
call-back chased: -1), held only for appended rows (redials, repeat calls) and
read through :meth:`CallTable.caller_of`, ``attempt_of`` and ``repeat_of``:
18 bytes a call less."""


class _Batch:
    """Draws for appended rows (redials or repeat calls), used a row at a time."""

    def __init__(self, pairs: list[tuple[array[Any], array[Any]]], draws: CallerDraws) -> None:
        self.pairs = pairs  # (the table's column, this batch's values for it)
        self.draws = draws
        self.row = 0  # the next row to use
        self._waiting: list[tuple[np.ndarray, np.ndarray]] | None = None

    def waiting(self, scenario: Scenario, priority: int) -> tuple[np.ndarray, np.ndarray]:
        """Call-back patience and action of every row, were it of class ``priority``
        (worked out for the batch once: a row's class is known only when it is used)."""
        if self._waiting is None:
            draws = self.draws
            self._waiting = [
                waiting_for_callback(
                    scenario.clinical,
                    np.full(REDIAL_BATCH, k, dtype=np.int8),
                    draws.callback_patience_u,
                    draws.callback_action_u,
                )
                for k in range(len(scenario.clinical.priorities))
            ]
        return self._waiting[priority]


class CallTable:
    """Every offered call's columns, as attributes named as in :mod:`~sim111.engine.columns`.

    A derived per-group column is a list of arrays indexed by group.
    """

    def __init__(
        self,
        scenario: Scenario,
        arrivals: np.ndarray,
        draws: CallerDraws,
        streams: RandomStreams | None = None,
        full_records: bool = True,
    ) -> None:
        self.scenario = scenario
        self.streams = streams
        self.full_records = full_records  # else records only of what KPIs read
        triage = scenario.triage
        days = run_days(scenario.run.start_date, scenario.run.calendar_days)
        # P(clinical input | triaged) for calls arriving on each run day
        self.clinical_p = np.asarray(
            [
                triage.clinical_share_on(d.day_type) / triage.triaged_share
                if triage.triaged_share
                else 0.0
                for d in days
            ]
        )
        n = arrivals.size
        self.n_first = n
        self.arrival_min = compact(arrivals, BY_NAME["arrival_min"].typecode or "")
        self._appended_rows = {name: array(BY_NAME[name].typecode or "") for name in APPENDED_ONLY}
        self._caller_id, self._attempt, self._repeat_of = self._appended_rows.values()
        for c in ENGINE_HELD:  # a column not held is empty: using it fails loudly
            if not c.held_by(scenario, full_records):  # (or written only: see detail)
                setattr(self, c.name, DISCARD if c.name in FOR_OUTPUTS else array(c.typecode or ""))
        for name, column in input_columns(scenario, draws).items():
            setattr(self, name, column)
        self.advisor_ends_as = advisor_endings(
            self.clinical_p, arrivals, draws.triaged, draws.clinical_u
        )
        patience, action = waiting_for_callback(
            scenario.clinical, draws.priority, draws.callback_patience_u, draws.callback_action_u
        )
        self.callback_patience_min = compact(patience, "d")
        self.callback_action = compact(action, "b")
        self._blanks = [
            (c.name, c.blank)
            for c in of_kind(ENGINE)
            if c.held_by(scenario, full_records) and c.name not in APPENDED_ONLY
        ]
        for name, blank in self._blanks:
            setattr(self, name, array(BY_NAME[name].typecode or "", [blank]) * n)
        # appended rows draw from streams of their own, a batch at a time
        self._batches: dict[str, _Batch] = {}
        self._appended: tuple[_Batch, int]  # the batch and row of the last appended call
        repeat_closes = scenario.clinical.waiting.repeat_call_closes_callback
        self._repeat_ends_as = AWAITING_CLINICIAN_AT_END if repeat_closes else CLOSED_NO_TRIAGE

    if TYPE_CHECKING:  # the columns are set by name above

        def __getattr__(self, name: str) -> Any:
            raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.arrival_min)

    def caller_of(self, call: int) -> int:
        """The caller of ``call`` (``caller_id``: the row of their first attempt)."""
        k = call - self.n_first
        return call if k < 0 else self._caller_id[k]

    def attempt_of(self, call: int) -> int:
        """0 for a first attempt, n for the n-th redial."""
        k = call - self.n_first
        return 0 if k < 0 else self._attempt[k]

    def repeat_of(self, call: int) -> int:
        """The call whose call-back this repeat call chases (-1: none)."""
        k = call - self.n_first
        return -1 if k < 0 else self._repeat_of[k]

    def add_redial(self, caller_call: int, arrival: float) -> int:
        """Append a redial of ``caller_call`` arriving at ``arrival``; return its index.

        A redial of a repeat call is still a repeat call: it keeps the caller's
        clinical need and class, and the call-back it chases.
        """
        call = self._append("redial", caller_call, arrival, self.attempt_of(caller_call) + 1)
        original = self.repeat_of(caller_call)
        if original >= 0:
            self._keep_need(call, original)
            return call
        batch, row = self._appended
        clinical_u = float(batch.draws.clinical_u[row])
        self.advisor_ends_as.append(
            advisor_ending(self.clinical_p, arrival, self.triaged[call], clinical_u)
        )
        self._waiting_of(call)
        return call

    def add_repeat(self, original: int, arrival: float) -> int:
        """Append a repeat call from the caller of ``original`` (waiting for a call-back).

        It is a new call (``attempt`` 0) from the same caller with fresh draws
        of its own, except that the caller still needs clinical input in the
        same class; how its advisor call ends is decided when it is answered.
        """
        call = self._append("repeat", original, arrival, 0)
        self._keep_need(call, original)
        return call

    def _keep_need(self, call: int, original: int) -> None:
        self._repeat_of[call - self.n_first] = original
        self.triaged[call] = True
        self.priority[call] = self.priority[original]
        self.advisor_ends_as.append(self._repeat_ends_as)
        self._waiting_of(call)  # for the caller's class

    def _append(self, prefix: str, caller_call: int, arrival: float, attempt: int) -> int:
        """A new row for a call by ``caller_call``'s caller: drawn columns from the
        ``prefix`` streams, engine columns blank; how the advisor call ends and the
        call-back patience are the caller's (they depend on the row's class)."""
        batch = self._batches.get(prefix)
        if batch is None or batch.row == REDIAL_BATCH:
            batch = self._batches[prefix] = self._draw_batch(prefix)
        row = batch.row
        batch.row += 1
        self._appended = (batch, row)
        call = len(self.arrival_min)
        self.arrival_min.append(arrival)
        self._caller_id.append(self.caller_of(caller_call))
        self._attempt.append(attempt)
        self._repeat_of.append(-1)
        for column, values in batch.pairs:
            column.append(values[row])
        for name, blank in self._blanks:
            getattr(self, name).append(blank)
        return call

    def _waiting_of(self, call: int) -> None:
        """Append call-back patience and action of the new row ``call`` (by its class)."""
        batch, row = self._appended
        patience, action = batch.waiting(self.scenario, self.priority[call])
        self.callback_patience_min.append(float(patience[row]))
        self.callback_action.append(int(action[row]))

    def _draw_batch(self, prefix: str) -> _Batch:
        # Appended rows draw from their own streams (``redial.*``, ``repeat.*``) in
        # batches, in the order they occur, so first attempts keep their numbers
        # whatever happens to redials and repeat calls. Repeat calls are all triaged.
        assert self.streams is not None
        streams = self.streams
        draws = draw_callers(
            self.scenario,
            lambda name: streams.generator(f"{prefix}.{name}"),
            REDIAL_BATCH,
            triaged_share=1.0 if prefix == "repeat" else None,
        )
        pairs = []
        for name, values in input_columns(self.scenario, draws).items():
            column = getattr(self, name)
            if isinstance(values, list):  # per group: group k's column gets group k's batch
                pairs += list(zip(column, values, strict=True))
            else:
                pairs.append((column, values))
        return _Batch(pairs, draws)

    def records(self) -> CallRecords:
        """The recorded columns as numpy arrays (without a copy where the type fits);
        those no KPI reads only with ``full_records`` (see :mod:`~sim111.engine.detail`)."""
        columns = {}
        n = len(self)
        for c in RECORDED:
            if not self.full_records and c.name in UNMEASURED:
                continue
            if c.name in APPENDED_ONLY:  # first attempts' values, then the appended rows'
                columns[c.name] = self._whole_column(c.name)
                continue
            if not c.held_by(self.scenario):  # blank for every call, in the memory of one
                columns[c.name] = one_value(np.array(c.blank, dtype=c.dtype), n)
                continue
            values = np.frombuffer(getattr(self, c.name), dtype=c.typecode)
            if c.dtype == "bool":  # flags the engine sets to 0 or 1: the same bytes
                columns[c.name] = values.view(np.bool_)
            else:
                columns[c.name] = values.astype(c.dtype, copy=False)
        for c in RECORDED:
            if c.recorded_if is not None and c.name in columns:  # else the value means nothing
                blank = np.array(c.blank, dtype=c.dtype)
                columns[c.name] = np.where(columns[c.recorded_if], columns[c.name], blank)
        return CallRecords(**columns)

    def _whole_column(self, name: str) -> np.ndarray:
        """An :data:`APPENDED_ONLY` column for every call."""
        c = BY_NAME[name]
        whole = np.empty(len(self), dtype=c.dtype)
        if name == "caller_id":  # a first attempt is its caller's own row
            whole[: self.n_first] = np.arange(self.n_first)
        else:
            whole[: self.n_first] = 0 if name == "attempt" else -1
        whole[self.n_first :] = np.frombuffer(self._appended_rows[name], dtype=c.typecode)
        return whole
