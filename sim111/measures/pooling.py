"""All areas' records as one run, and each area's slice of it again.

The whole of a multi-area run is measured on its areas' records pooled
(:mod:`sim111.measures.areas`): calls concatenated, staffing logs summed,
providers, services and classes matched by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from sim111.engine.columns import BY_NAME
from sim111.engine.memory import release_freed_memory
from sim111.engine.records import CallRecords, RunRecords, StepLog, is_one_value, one_value


def sum_steps(logs: Sequence[StepLog]) -> StepLog:
    """The sum of step functions (people on duty in all areas, say): every log's
    changes in one time order, added up (at equal times the last entry holds the sum)."""
    times = np.concatenate([log.time_min for log in logs])
    order = np.argsort(times, kind="stable")
    times = times[order]  # (one temporary at a time: a year of England's calls log
    deltas = np.concatenate([np.diff(log.level, prepend=0) for log in logs])
    deltas = deltas[order]  # 6 million changes to who is busy, 50 MB a column)
    del order
    np.cumsum(deltas, out=deltas)
    return StepLog(times, deltas)


def _summed(records: Sequence[RunRecords], name: str) -> StepLog:
    """The areas' staffing logs ``name`` summed; the sum's temporaries handed back."""
    log = sum_steps([getattr(r, name) for r in records])
    release_freed_memory()
    return log


def _union(names: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for group in names:
        out += [n for n in group if n not in out]
    return tuple(out)


def _remap(codes: np.ndarray, own: tuple[str, ...], union: tuple[str, ...]) -> np.ndarray:
    """Index codes into ``own`` names as indices into ``union`` (-1 stays -1)."""
    table = np.array([union.index(n) for n in own] + [-1], dtype=codes.dtype)
    return table[codes]  # -1 picks the last entry: -1


def _same_blank(name: str, columns: Sequence[np.ndarray]) -> np.ndarray | None:
    """Column ``name``'s blank, if every non-empty one of ``columns`` is a view of it
    alone (:meth:`~sim111.engine.calls.CallTable.records` of a column not held);
    else ``None``. Only the blank: other values may need offsets or new codes."""
    column = BY_NAME[name]
    if column.blank is None:  # a column without a blank (drawn, offered) is always held
        return None
    blank = np.array(column.blank, dtype=column.dtype)
    kept = [c for c in columns if c.size]
    if not kept or any(not is_one_value(c) or c.dtype != blank.dtype for c in kept):
        return None
    if not all(np.array_equal(c[:1], blank[None], equal_nan=True) for c in kept):
        return None
    return blank


def _pooled_columns(
    records: Sequence[RunRecords],
    names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    consume: bool,
) -> dict[str, np.ndarray]:
    """The areas' call columns concatenated: callers and rows offset, codes of providers,
    services and classes remapped to the union ``names``; with ``consume``, each
    area's column is dropped as soon as it is copied."""
    providers, services, classes = names
    sizes = [len(r.calls) for r in records]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    callers = [int(r.calls.caller_id.max()) + 1 if len(r.calls) else 0 for r in records]
    caller_starts = np.concatenate([[0], np.cumsum(callers)[:-1]]).astype(int)
    pooled: dict[str, np.ndarray] = {}
    for name in list(records[0].calls.columns):
        blank = _same_blank(name, [rec.calls.columns[name] for rec in records])
        if blank is not None:  # a column no area held (say, no providers): still one value
            pooled[name] = one_value(blank, sum(sizes))
            if consume:
                for rec in records:
                    del rec.calls.columns[name]
            continue
        parts = []
        for k, rec in enumerate(records):
            values = rec.calls.columns[name]
            if name == "caller_id":
                values = values + caller_starts[k]
            elif name == "repeat_of":
                values = np.where(values >= 0, values + starts[k], values)
            elif name == "provider":
                values = _remap(values, rec.provider_names, providers)
            elif name == "downstream":
                values = _remap(values, rec.downstream_names, services)
            elif name == "priority":
                values = _remap(values, rec.priority_names, classes)
            parts.append(values)
        pooled[name] = np.concatenate(parts)
        del parts
        if consume:
            for rec in records:
                del rec.calls.columns[name]
            release_freed_memory()  # else the pooled copy comes on top of the freed areas
    return pooled


def pooled_records(
    records: Sequence[RunRecords], names: tuple[str, ...] = (), consume: bool = False
) -> RunRecords:
    """All areas' records as one run: calls concatenated (callers kept apart),
    staffing logs summed, providers, services and classes matched by name;
    with the areas' ``names``, each call's area (``area_names[call_area]``).

    With ``consume``, each area's call columns are handed over one by one (the
    areas' records are left without them: see :func:`area_views`), so a long
    run never holds its calls twice.
    """
    first = records[0]
    providers = _union([r.provider_names for r in records])
    services = _union([r.downstream_names for r in records])
    classes = _union([r.priority_names for r in records])
    sizes = [len(r.calls) for r in records]
    pooled = _pooled_columns(records, (providers, services, classes), consume)
    targets = {
        n: t for r in records for n, t in zip(r.priority_names, r.priority_targets_min, strict=True)
    }
    service_targets = {
        n: t
        for r in records
        for n, t in zip(r.downstream_names, r.downstream_targets_min, strict=True)
    }
    overtime = [r.clinicians_overtime for r in records if r.clinicians_overtime is not None]
    return dataclasses.replace(
        first,
        calls=CallRecords(**pooled),
        advisors=_summed(records, "advisors"),
        clinicians=_summed(records, "clinicians"),
        clinicians_busy=_summed(records, "clinicians_busy"),
        awaiting_clinician=_summed(records, "awaiting_clinician"),
        clinicians_overtime=sum_steps(overtime) if overtime else None,
        priority_names=classes,
        priority_targets_min=tuple(targets[n] for n in classes),
        provider_names=providers,
        downstream_names=services,
        downstream_targets_min=tuple(service_targets[n] for n in services),
        area_names=names,
        call_area=(
            np.concatenate([np.full(n, k, np.int16) for k, n in enumerate(sizes)])
            if names
            else None
        ),
    )


def area_views(pooled: RunRecords, records: Sequence[RunRecords]) -> list[RunRecords]:
    """Each area's records again, their calls slices (views) of ``pooled``'s: for areas
    whose columns :func:`pooled_records` consumed. Provider, service and class codes
    are the pooled ones; ``caller_id`` and ``repeat_of`` keep their pooled offsets."""
    assert pooled.call_area is not None, "pooled records without each call's area"
    counts = np.bincount(pooled.call_area, minlength=len(records))
    out = []
    start = 0
    for rec, count in zip(records, counts, strict=True):
        stop = start + int(count)
        calls = CallRecords(**{n: v[start:stop] for n, v in pooled.calls.columns.items()})
        out.append(
            dataclasses.replace(
                rec,
                calls=calls,
                priority_names=pooled.priority_names,
                priority_targets_min=pooled.priority_targets_min,
                provider_names=pooled.provider_names,
                downstream_names=pooled.downstream_names,
                downstream_targets_min=pooled.downstream_targets_min,
            )
        )
        start = stop
    return out
