"""The call records as a long event log, in the format the vidigi toolkit reads.

One row per event of a call (an *entity*: the call's row in its replication's
records): arrival, queueing for an advisor, an advisor's call with the advisor
named, waiting for a clinician, a clinician's assessment with the clinician
named, an overflow provider, and the departure with the call's outcome. The
columns are vidigi's (``entity_id``, ``event_type``, ``event``, ``time``,
``run_number``, ``resource_id``, ``timestamp``) plus ``outcome`` on the
departures; a multi-area run adds each call's ``area`` and, on the resource
events, the ``resource_area`` whose person it was. Event types are vidigi's
four: ``arrival_departure``, ``queue``, ``resource_use`` and
``resource_use_end``. ``resource_id`` is the person id of the records
(``advisor_id``, ``clinician_id``) plus one: vidigi counts resources from 1.

The log is a pure function of the records: it holds what they hold, no more.
Unanswered call-back attempts other than the first, and consultations at
downstream services after the call ended, are not in it (the records do not
hold them as events); a call still in the system when the run stopped has no
departure. Rows are in time order; a call's events at one time keep their
order along the journey (vidigi reads a call's place at a moment from its
last event then). See ``docs/event-log.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim111.engine.records import LOST_AT_OVERFLOW, OUTCOMES, RunRecords

ARRIVAL_DEPARTURE, QUEUE, USE, USE_END = (
    "arrival_departure",
    "queue",
    "resource_use",
    "resource_use_end",
)


@dataclass(frozen=True)
class Event:
    """One kind of event: its name, vidigi event type and what it means."""

    name: str
    event_type: str
    meaning: str


# In journey order: a call's events at one time are logged in this order.
EVENTS = (
    Event("arrival", ARRIVAL_DEPARTURE, "the call is offered (`arrival_min`)"),
    Event("advisor_queue", QUEUE, "it queues for a health advisor (at its arrival)"),
    Event("provider_queue", QUEUE, "sent to an overflow provider on arrival: its queue"),
    Event("advisor_begins", USE, "an advisor answers (`answer_min`, `advisor_id`)"),
    Event("advisor_ends", USE_END, "the advisor call ends (`advisor_end_min`)"),
    Event("clinician_queue", QUEUE, "it waits for a clinician: warm transfer or call-back"),
    Event("callback_attempt", QUEUE, "the first call-back attempt (`first_attempt_min`)"),
    Event(
        "callback_patience_out",
        QUEUE,
        "the caller stops waiting for the call-back (`callback_left_min`; see the outcome)",
    ),
    Event("clinician_begins", USE, "a clinician's assessment begins (`contact_min`)"),
    Event("clinician_ends", USE_END, "the assessment ends (`clinician_end_min`)"),
    Event("escalated", QUEUE, "the call-back is escalated to a provider (`escalated_min`)"),
    Event("with_provider", QUEUE, "the provider takes the call (`provider_start_min`)"),
    Event("depart", ARRIVAL_DEPARTURE, "the journey ends (`end_min`), with its `outcome`"),
)
EVENT_NAMES = tuple(e.name for e in EVENTS)
COLUMNS = ("entity_id", "event_type", "event", "time", "run_number", "resource_id", "timestamp")


def _times(rec: RunRecords) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Each event's time per call (NaN: the call has no such event) and its person."""
    calls = rec.calls
    nan = np.full(len(calls), np.nan)
    arrival = calls.arrival_min
    diverted = (calls.provider >= 0) & np.isnan(calls.escalated_min)
    sent = diverted & (calls.outcome != LOST_AT_OVERFLOW)
    clinical = calls.clinical.astype(bool)
    return {
        "arrival": (arrival, None),
        "advisor_queue": (np.where(diverted, nan, arrival), None),
        "provider_queue": (np.where(sent, arrival, nan), None),
        "advisor_begins": (calls.answer_min, calls.advisor_id),
        "advisor_ends": (calls.advisor_end_min, calls.advisor_id),
        "clinician_queue": (np.where(clinical, calls.advisor_end_min, nan), None),
        "callback_attempt": (calls.first_attempt_min, None),
        "callback_patience_out": (calls.callback_left_min, None),
        "clinician_begins": (calls.contact_min, calls.clinician_id),
        "clinician_ends": (calls.clinician_end_min, calls.clinician_id),
        "escalated": (calls.escalated_min, None),
        "with_provider": (calls.provider_start_min, None),
        "depart": (calls.end_min, None),
    }


def _resource_area(rec: RunRecords, event: str) -> np.ndarray:
    """Per call, the area whose person the ``event``'s resource is (multi-area runs)."""
    assert rec.call_area is not None
    lent = rec.calls.advisor_area if event.startswith("advisor") else rec.calls.clinician_area
    return np.where(lent >= 0, lent, rec.call_area)


def replication_event_log(rec: RunRecords) -> pd.DataFrame:
    """The event log of one replication's records (see the module)."""
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("entity", "step", "time", "person", "resource_area")
    }
    for k, (event, (times, person)) in enumerate(_times(rec).items()):
        entity = np.flatnonzero(~np.isnan(times))
        parts["entity"].append(entity)
        parts["step"].append(np.full(entity.size, k, np.int8))
        parts["time"].append(times[entity])
        ids = person[entity].astype(np.int64) + 1 if person is not None else None
        parts["person"].append(np.zeros(entity.size, np.int64) if ids is None else ids)
        if rec.call_area is not None:
            area = _resource_area(rec, event)[entity] if person is not None else None
            parts["resource_area"].append(
                np.full(entity.size, -1, np.int64) if area is None else area
            )
    entity, step, time = (np.concatenate(parts[k]) for k in ("entity", "step", "time"))
    order = np.lexsort((step, entity, time))
    entity, step, time = entity[order], step[order], time[order]
    person = np.concatenate(parts["person"])[order]
    kinds = np.array([e.event_type for e in EVENTS], dtype=object)
    uses = np.isin(kinds[step], (USE, USE_END))
    frame = pd.DataFrame(
        {
            "entity_id": entity,
            "event_type": kinds[step],
            "event": np.array(EVENT_NAMES, dtype=object)[step],
            "time": time,
            "run_number": np.full(entity.size, rec.replication, np.int64),
            "resource_id": pd.arrays.IntegerArray(person, ~uses),
            "timestamp": (pd.Timestamp(rec.start_date) + pd.to_timedelta(time, "min")).round("s"),
        }
    )
    departs = step == EVENT_NAMES.index("depart")
    outcome = np.where(departs, rec.calls.outcome[entity], -1)
    frame["outcome"] = pd.Categorical.from_codes(outcome, categories=OUTCOMES)
    if rec.call_area is not None:
        area_names = list(rec.area_names)
        frame["area"] = pd.Categorical.from_codes(rec.call_area[entity], area_names)
        resource_area = np.concatenate(parts["resource_area"])[order]
        frame["resource_area"] = pd.Categorical.from_codes(resource_area, area_names)
    return frame


def event_log(records: Sequence[RunRecords]) -> pd.DataFrame:
    """The event log of every replication's records, one after another (``run_number``)."""
    frames = [replication_event_log(rec) for rec in records]
    if not frames:
        return pd.DataFrame(columns=[*COLUMNS, "outcome"])
    return pd.concat(frames, ignore_index=True)


def day_window(rec: RunRecords, day: dt.date) -> tuple[float, float]:
    """``day`` as minutes on ``rec``'s run clock: ``(start, end)``."""
    start = (day - rec.start_date).days * 24 * 60.0
    return start, start + 24 * 60.0


def calls_in_window(log: pd.DataFrame, start_min: float, end_min: float) -> pd.DataFrame:
    """The events of calls in the system at some time in ``[start_min, end_min)``: offered
    before its end, and not gone before its start (all their events, earlier ones too,
    as vidigi needs to know where each call was when the window opens)."""
    arrivals = log.loc[log["event"] == "arrival"].set_index("entity_id")["time"]
    departs = log.loc[log["event"] == "depart"].set_index("entity_id")["time"]
    departs = departs.reindex(arrivals.index)
    keep = arrivals.index[(arrivals < end_min) & ~(departs < start_min)]
    return log.loc[log["entity_id"].isin(keep)].reset_index(drop=True)


def write_event_log(records: Sequence[RunRecords], path: Path) -> None:
    """The event log of ``records`` as CSV at ``path`` (no index column)."""
    event_log(records).to_csv(path, index=False)
