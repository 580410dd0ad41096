"""Recorded columns that serve only per-call outputs, and runs that need none of them.

The event log, the charts of patience and handling time and the report read
some recorded columns no KPI reads. A run whose records are kept only to be
measured (``full_records=False``: a sweep or a search that keeps no records)
leaves them out of its records (:class:`~sim111.engine.records.CallRecords`
then says so if one is asked for), and the engine does not hold those it only
writes: on a year of England that is 21 bytes a call while the run goes and
40 in the records measured after it.
"""

from __future__ import annotations

FOR_OUTPUTS = frozenset(
    ("clinician_end_min", "callback_left_min", "clinician_group", "advisor_id", "clinician_id")
)
"""Written by the engine, never read by it nor by a KPI: not held in a run measured only."""

UNMEASURED = FOR_OUTPUTS | {"triaged", "callback_attempts", "patience_min", "handle_min"}
"""Recorded columns no KPI reads: left out of records kept only to be measured."""


class _Discard:
    """A column the engine writes but does not hold: the writes go nowhere, and
    reading it fails loudly (it has no items)."""

    __slots__ = ()

    def __setitem__(self, call: int, value: object) -> None:
        pass


DISCARD = _Discard()
"""Where the engine's writes to the :data:`FOR_OUTPUTS` columns go in a run measured only."""
