"""Every per-call column, declared once.

A run keeps one row per offered call (a redial is a new row). Each column is
one of five kinds:

- ``offered``: set when the call is offered — who calls, which attempt, when;
- ``drawn``: a random attribute of the caller, the i-th draw of its own stream
  (:mod:`sim111.engine.callers`);
- ``derived``: follows from the draws before the run — with ``per`` set, one
  column per clinician group, overflow provider or downstream service, keyed
  by that group's index in the scenario;
- ``engine``: written by the engine as the call moves (blank until then);
- ``table``: computed from the other columns when the records become a table.

From this list come the engine's typed arrays (:mod:`sim111.engine.calls`),
the fields of :class:`~sim111.engine.records.CallRecords` (every column with a
``dtype``), the columns of ``CallRecords.to_frame`` (the records columns and
the ``table`` ones, in the order below: the CSV order) and ``docs/records.md``
(:mod:`sim111.engine.docs`). Adding a column is
one line here (plus the code that fills it in).

The engine holds every column for every call of the run, so a column costs
its bytes times the calls (a year of England is 13 million): a draw used only
to work out another column before the run (the clinical uniform, the
call-back waiting uniforms) is not a column, and one used only by some
scenarios is held only by them (``held_if``): a run without overflow
providers holds no provider columns, one without downstream services no
service columns (their records are the blank value, a read-only view of one
value for every call: no memory).

Some recorded columns serve only per-call outputs (the event log, charts, the
report), never a KPI (``UNMEASURED``). A run whose records are kept only
to be measured (``full_records=False``: a sweep that keeps no records) leaves
them out of its records, and does not hold at all those the engine only
writes (``FOR_OUTPUTS``): see :mod:`sim111.engine.detail`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sim111.engine.detail import FOR_OUTPUTS
from sim111.engine.outcomes import NO_DISPOSITION, NO_PRIORITY, OUTCOMES, QUEUED_AT_END
from sim111.scenario import DISPOSITIONS
from sim111.scenario.limits import MAX_CALLBACK_ATTEMPTS, MAX_REDIALS

if TYPE_CHECKING:
    from sim111.scenario import Scenario

OFFERED, DRAWN, DERIVED, ENGINE, TABLE = "offered", "drawn", "derived", "engine", "table"
KINDS = {
    OFFERED: "set when the call is offered",
    DRAWN: "a random attribute of the caller (its own stream)",
    DERIVED: "follows from the draws, worked out before the run",
    ENGINE: "written by the engine as the call moves; blank until then",
    TABLE: "computed from the other columns for the table",
}
GROUPS = {"clinicians": "clinician group", "providers": "provider", "downstream": "service"}
NAN = math.nan


@dataclass(frozen=True)
class Column:
    """One per-call column.

    ``typecode`` is the engine's ``array.array`` typecode (``d`` float64, ``b``
    int8 codes and flags, ``h`` int16, ``q`` int64; ``None``: not held by the
    engine); ``dtype`` its numpy dtype in :class:`CallRecords` (``None``: not
    recorded). ``blank`` is the value before the engine writes one — and, for
    a column ``recorded_if`` another, its recorded value where that one is false.
    """

    name: str
    kind: str
    typecode: str | None
    dtype: str | None
    unit: str
    meaning: str
    blank: Any = None
    per: str | None = None  # derived per group: a key of GROUPS
    categories: tuple[str, ...] | None = None  # labels of the codes, in the table
    recorded_if: str | None = None
    needs_start_date: bool = False  # a table column only when the run has a date
    # engine-held only if the scenario has some of these (a key of GROUPS)
    held_if: Literal["providers", "downstream"] | None = None

    def held_by(self, scenario: Scenario, full_records: bool = True) -> bool:
        """Whether the engine holds this column in a run of ``scenario`` (one whose
        records are kept only to be measured, unless ``full_records``)."""
        if not full_records and self.name in FOR_OUTPUTS:
            return False
        return self.held_if is None or bool(getattr(scenario, self.held_if))

    @property
    def recorded(self) -> bool:
        """Whether the column is a field of :class:`CallRecords`."""
        return self.dtype is not None and self.kind != TABLE


def _held_only_with(
    held_if: Literal["providers", "downstream"], *rows: tuple[str, str, str, str, str, Any]
) -> tuple[Column, ...]:
    """Engine columns ``(name, typecode, dtype, unit, meaning, blank)`` held only when
    the scenario has some of ``held_if``."""
    return tuple(
        Column(name, ENGINE, code, dtype, unit, meaning, blank, held_if=held_if)
        for name, code, dtype, unit, meaning, blank in rows
    )


C = Column
# In the order of the records table (CSV), then the engine's own columns.
COLUMNS = (
    C("call_id", TABLE, None, "int64", "", "row number: the order calls were offered in"),
    C("caller_id", OFFERED, "q", "int64", "", "the caller; a redial keeps it"),
    C(
        "attempt",
        OFFERED,
        "h",
        "int16",
        "",
        f"0 for a first attempt, n for the n-th redial (at most {MAX_REDIALS})",
    ),
    C(
        "repeat_of",
        ENGINE,
        "q",
        "int64",
        "index",
        "the call whose pending call-back this repeat call chases (-1: none)",
        -1,
    ),
    C("arrival_min", OFFERED, "d", "float64", "min", "when the call was offered"),
    C(
        "arrival_time",
        TABLE,
        None,
        "datetime64[ns]",
        "",
        "arrival as a date and time",
        needs_start_date=True,
    ),
    C("answer_min", ENGINE, "d", "float64", "min", "an advisor answered", NAN),
    C("advisor_end_min", ENGINE, "d", "float64", "min", "the advisor call ended", NAN),
    C("first_attempt_min", ENGINE, "d", "float64", "min", "first call-back attempt", NAN),
    C("contact_min", ENGINE, "d", "float64", "min", "a clinician's assessment began", NAN),
    C("clinician_end_min", ENGINE, "d", "float64", "min", "that assessment ended", NAN),
    C(
        "callback_left_min",
        ENGINE,
        "d",
        "float64",
        "min",
        "the caller's call-back patience ran out (they acted: see outcome, repeat_of)",
        NAN,
    ),
    C(
        "escalated_min",
        ENGINE,
        "d",
        "float64",
        "min",
        "call-back escalated to a provider",
        NAN,
        held_if="providers",
    ),
    C("end_min", ENGINE, "d", "float64", "min", "the journey ended (NaN: still in)", NAN),
    C(
        "outcome",
        ENGINE,
        "b",
        "int8",
        "code",
        "how the journey ended, or where it was at the end",
        QUEUED_AT_END,
        categories=OUTCOMES,
    ),
    C(
        "disposition",
        ENGINE,
        "b",
        "int8",
        "code",
        "the disposition the call closed with (-1: none)",
        NO_DISPOSITION,
        categories=DISPOSITIONS,
    ),
    C("triaged", DRAWN, "b", "bool", "flag", "triaged by the advisor (else information only)"),
    C("clinical", ENGINE, "b", "bool", "flag", "entered the clinical stage", False),
    C(
        "priority",
        DRAWN,
        "b",
        "int8",
        "index",
        "clinical priority class (-1 if not clinical)",
        NO_PRIORITY,
        recorded_if="clinical",
    ),
    C("warm_transfer", ENGINE, "b", "bool", "flag", "put through to a clinician live", False),
    C("callback_attempts", ENGINE, "h", "int16", "", "call-back attempts made", 0),
    C("clinician_group", ENGINE, "b", "int8", "index", "who assessed (-1: nobody)", -1),
    C(
        "advisor_id",
        ENGINE,
        "h",
        "int16",
        "index",
        "the advisor who answered: their person id on duty (-1: nobody)",
        -1,
    ),
    C(
        "clinician_id",
        ENGINE,
        "h",
        "int16",
        "index",
        "the clinician who assessed: their person id on duty (-1: nobody)",
        -1,
    ),
    C(
        "advisor_area",
        ENGINE,
        "h",
        "int16",
        "index",
        "several areas: the other area whose advisor answered (-1: the call's own)",
        -1,
    ),
    C(
        "clinician_area",
        ENGINE,
        "h",
        "int16",
        "index",
        "several areas: the other area whose clinician assessed (-1: the call's own)",
        -1,
    ),
    *_held_only_with(
        "providers",
        ("provider", "b", "int8", "index", "overflow provider sent to (-1: none)", -1),
        ("provider_start_min", "d", "float64", "min", "the provider took the call", NAN),
        ("bounced", "b", "bool", "flag", "a full provider sent it back to 111", False),
    ),
    *_held_only_with(
        "downstream",
        ("downstream", "b", "int8", "index", "service referred to (-1: none)", -1),
        ("downstream_class", "b", "int8", "index", "urgency class there (-1: none)", -1),
        ("downstream_start_min", "d", "float64", "min", "seen there (NaN: not yet)", NAN),
        ("downstream_end_min", "d", "float64", "min", "that consultation ended", NAN),
    ),
    C("patience_min", DRAWN, "d", "float64", "min", "how long the caller would wait"),
    C("handle_min", DRAWN, "d", "float64", "min", "advisor handling time"),
    C("wait_s", TABLE, None, "float64", "s", "wait for an advisor (answered or hung up)"),
    # the engine's own: read during the run, not recorded
    C("advisor_disposition", DRAWN, "b", None, "code", "disposition if the advisor closes"),
    C("clinician_disposition", DRAWN, "b", None, "code", "disposition if a clinician closes"),
    C(
        "callback_attempts_needed",
        DRAWN,
        "h",
        None,
        "",
        f"the call-back attempt answered (at most {MAX_CALLBACK_ATTEMPTS + 1}: never)",
    ),
    C("redials", DRAWN, "b", None, "flag", "redials after hanging up"),
    C("redial_delay_min", DRAWN, "d", None, "min", "how soon after hanging up"),
    C(
        "downstream_u",
        DRAWN,
        "d",
        None,
        "",
        "which downstream service a disposition goes to",
        held_if="downstream",
    ),
    C("advisor_ends_as", DERIVED, "b", None, "code", "outcome the advisor call leads to"),
    C("callback_patience_min", DERIVED, "d", None, "min", "call-back patience, by class"),
    C("callback_action", DERIVED, "b", None, "code", "action when it runs out, by class"),
    C("clinician_handle_min", DERIVED, "d", None, "min", "assessment time", per="clinicians"),
    C("provider_handle_min", DERIVED, "d", None, "min", "handling time", per="providers"),
    C("downstream_handle_min", DERIVED, "d", None, "min", "consultation time", per="downstream"),
    C("urgency_class", DERIVED, "b", None, "index", "urgency class", per="downstream"),
)
del C
BY_NAME = {c.name: c for c in COLUMNS}

ENGINE_HELD = tuple(c for c in COLUMNS if c.typecode is not None)
RECORDED = tuple(c for c in COLUMNS if c.recorded)
IN_TABLE = tuple(c for c in COLUMNS if c.dtype is not None)


def of_kind(kind: str) -> tuple[Column, ...]:
    """The engine-held columns of ``kind``, in declaration order."""
    return tuple(c for c in ENGINE_HELD if c.kind == kind)
