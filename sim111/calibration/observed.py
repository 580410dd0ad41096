"""Observed outcomes of periods, read from a CSV file: what a scenario is calibrated to.

One row per period (a month, a week, a day). Columns, in any order:

``period_start``, ``period_end``
    First and last day of the period (``YYYY-MM-DD``, inclusive). Required.
``calls_offered``, ``population``
    Calls offered in the period and the population they came from. With both,
    the simulated area's demand in that period is set to the same calls per
    head (national figures scale down to the scenario's population); with
    ``calls_offered`` alone the volume is taken as the area's own. Optional.
KPI columns (percentages, blank when not published)
    See :data:`KPI_COLUMNS`: ``answered_within_60s_pct`` (of answered),
    ``abandoned_after_30s_pct`` (of offered), ``callback_within_10min_pct``
    (of call-backs offered), and more. At least one per file.
Descriptive columns
    :data:`DESCRIPTIVE_COLUMNS` (``sites``, ``source``, ``triaged_pct``...) are
    kept with the data and shown, never fitted.

Lines starting with ``#`` are comments. Anything else is an error naming the
file, the line and the column, and what is allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim111.errors import ScenarioError
from sim111.scenario.textfile import read_text

# column -> (KPI key, factor from the column's unit to the KPI's)
KPI_COLUMNS: dict[str, tuple[str, float]] = {
    "answered_within_60s_pct": ("answered_within_60s", 0.01),
    "abandoned_after_30s_pct": ("abandoned_after_30s", 0.01),
    "abandoned_pct": ("abandoned", 0.01),
    "callback_within_10min_pct": ("callback_within_10min", 0.01),
    "mean_answer_s": ("mean_answer_s", 1.0),
    "advisor_utilisation_pct": ("advisor_utilisation", 0.01),
    "clinician_utilisation_pct": ("clinician_utilisation", 0.01),
}
PERIOD_COLUMNS = ("period_start", "period_end")
VOLUME_COLUMNS = ("calls_offered", "population")
DESCRIPTIVE_COLUMNS = (
    "sites",
    "source",
    "note",
    "triaged_pct",
    "callbacks_offered_pct",
    "clinical_transfer_pct",
    "episode_min",
)
MAX_BYTES = 10_000_000  # an observed-periods file is a table of months, not a log


@dataclass(frozen=True)
class ObservedPeriod:
    """One observed period: its dates, volume and KPIs (KPI key -> value in KPI units)."""

    start: dt.date
    end: dt.date
    kpis: dict[str, float]
    calls_offered: float | None = None
    population: float | None = None

    @property
    def label(self) -> str:
        """``YYYY-MM-DD..YYYY-MM-DD``: how tables name the period."""
        return f"{self.start}..{self.end}"

    @property
    def days(self) -> int:
        """Days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def calls_per_day(self) -> float | None:
        """Observed calls offered per day, or ``None`` if not given."""
        return None if self.calls_offered is None else self.calls_offered / self.days


@dataclass(frozen=True)
class Observations:
    """The periods of an observed-outcomes file, with the file they came from."""

    source: str
    periods: tuple[ObservedPeriod, ...]
    table: pd.DataFrame  # every column of the file, as read (descriptive ones too)

    @property
    def kpis(self) -> tuple[str, ...]:
        """KPI keys observed in at least one period, in :data:`KPI_COLUMNS` order."""
        seen = {k for p in self.periods for k in p.kpis}
        return tuple(key for key, _ in KPI_COLUMNS.values() if key in seen)

    def select(self, labels: list[str]) -> Observations:
        """Only the periods whose labels (``YYYY-MM-DD..YYYY-MM-DD``) or start months are given."""
        names = {p.label for p in self.periods} | {f"{p.start:%Y-%m}" for p in self.periods}
        unknown = [label for label in labels if label not in names]
        if unknown:
            shown = ", ".join(p.label for p in self.periods)
            raise ScenarioError(
                f"{self.source}: no period matches {unknown[0]!r}; periods are {shown}"
            )
        keep = [p for p in self.periods if p.label in labels or f"{p.start:%Y-%m}" in labels]
        return Observations(self.source, tuple(keep), self.table)


def _number(text: str, where: str, column: str, *, percent: bool = False) -> float | None:
    text = text.strip().replace(",", "") if text else ""
    if text in ("", "-", "–"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"{where}: column '{column}' must be a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ScenarioError(f"{where}: column '{column}' must be a finite number >= 0, got {text}")
    if percent and value > 100:
        raise ScenarioError(f"{where}: column '{column}' is a percentage (0-100), got {text}")
    return value


def _date(text: str, where: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ScenarioError(
            f"{where}: column '{column}' must be a date like 2014-04-01, got {text!r}"
        ) from None


def _check_header(header: list[str], source: str, line: int) -> None:
    allowed = (*PERIOD_COLUMNS, *VOLUME_COLUMNS, *KPI_COLUMNS, *DESCRIPTIVE_COLUMNS)
    for column, name in enumerate(header, start=1):
        if name not in allowed:
            raise ScenarioError(
                f"{source}:{line}: column {column} '{name}' is not a known column; "
                f"allowed: {', '.join(allowed)}"
            )
    for name in PERIOD_COLUMNS:
        if name not in header:
            raise ScenarioError(f"{source}:{line}: column '{name}' is required")
    if len(set(header)) != len(header):
        raise ScenarioError(f"{source}:{line}: a column is named twice in {header}")
    if not any(name in KPI_COLUMNS for name in header):
        raise ScenarioError(
            f"{source}:{line}: no KPI column; give at least one of {', '.join(KPI_COLUMNS)}"
        )


def _period(row: dict[str, str], where: str) -> ObservedPeriod:
    start = _date(row["period_start"], where, "period_start")
    end = _date(row["period_end"], where, "period_end")
    if end < start:
        raise ScenarioError(f"{where}: period_end {end} is before period_start {start}")
    kpis = {}
    for column, (key, factor) in KPI_COLUMNS.items():
        if column in row:
            value = _number(row[column], where, column, percent=column.endswith("_pct"))
            if value is not None:
                kpis[key] = value * factor
    offered = _number(row.get("calls_offered", ""), where, "calls_offered")
    population = _number(row.get("population", ""), where, "population")
    if population is not None and offered is None:
        raise ScenarioError(f"{where}: column 'population' needs 'calls_offered' on the same row")
    if population == 0:
        raise ScenarioError(f"{where}: column 'population' must be > 0")
    return ObservedPeriod(start, end, kpis, offered, population)


def _rows(text: str, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and numbered data rows, skipping blank and ``#`` lines."""
    header: list[str] | None = None
    rows = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if header is None:
            header = [c.strip() for c in cells]
            _check_header(header, source, line_no)
        elif len(cells) != len(header):
            raise ScenarioError(
                f"{source}:{line_no}: has {len(cells)} columns, the header has {len(header)}"
            )
        else:
            rows.append((line_no, cells))
    if header is None or not rows:
        raise ScenarioError(f"{source}: no periods (a header line and at least one row)")
    return header, rows


def read_observed(path: str | Path) -> Observations:
    """Read an observed-outcomes CSV (see the module docs for the format).

    Raises :class:`~sim111.errors.ScenarioError` naming the file, line and
    column of the first problem. Periods may not overlap.
    """
    path = Path(path)
    source = str(path)
    header, rows = _rows(read_text(path, "CSV file", MAX_BYTES), source)
    periods = []
    for line_no, cells in rows:
        row = dict(zip(header, cells, strict=True))
        periods.append(_period(row, f"{source}:{line_no}"))
    ordered = sorted(zip(periods, rows, strict=True), key=lambda pr: pr[0].start)
    for (before, _), (after, (line_no, _)) in itertools.pairwise(ordered):
        if after.start <= before.end:
            raise ScenarioError(
                f"{source}:{line_no}: period {after.label} overlaps period {before.label}"
            )
    if not any(p.kpis for p in periods):
        raise ScenarioError(f"{source}: no KPI values (every KPI cell is blank)")
    table = pd.DataFrame([cells for _, cells in rows], columns=header)
    return Observations(source, tuple(p for p, _ in ordered), table)
