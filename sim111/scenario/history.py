"""Demand history: counts of calls read from a CSV file into the scenario itself.

``[demand.history] file = "calls.csv"`` is read once, when the scenario file is
loaded; the counts are kept in the frozen :class:`DemandHistory` (a tuple), so a
scenario stays self-contained, picklable and hashable, and ``to_data()`` round-
trips without reading the file again. ``file`` stays as provenance.

The CSV (``docs/demand-data.md``) has a header row and one of two layouts:

* per day: columns ``date,calls``, ``date`` as ``YYYY-MM-DD``;
* per interval: columns ``start,calls``, ``start`` as ``YYYY-MM-DDTHH:MM`` (a space
  instead of ``T`` and ``:SS`` seconds of ``00`` are accepted), local clock time,
  every interval of every day from 00:00 of the first day to the end of the last.

Rows are in time order without gaps or repeats; ``calls`` is a number >= 0 (an
expected volume may be fractional); other columns are ignored. Only the
``csv`` module reads the file: nothing in it is ever executed.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sim111.errors import FieldError, ScenarioError, shown
from sim111.scenario.schema import spec
from sim111.scenario.textfile import read_text
from sim111.units import MINUTES_PER_DAY

HALF_HOUR_MIN = 30  # the engine's demand bins; intervals must be whole numbers of them
DAILY = "date"
INTERVAL = "start"


@dataclass(frozen=True)
class DemandHistory:
    """Expected calls taken from a history of counts (`docs/demand-data.md`).

    Only `file` and `fill` are written in a scenario file: `start_date`,
    `interval_min` and `calls` are filled in from the CSV when the file is loaded.
    The run's dates the history covers get its counts x `demand.scale`; a per-day
    count is spread over the day by the hourly profile of its day type, a
    per-interval count is used interval by interval. Run dates it does not cover
    are an error unless `fill = "rule"` (the multipliers rule).
    """

    file: str = spec(doc="CSV file of counts, relative to the scenario file naming it.")
    fill: str = spec(
        "none",
        doc="Run dates the history does not cover: `none` is an error, `rule` uses the rule.",
        choices=("none", "rule"),
    )
    start_date: dt.date | None = spec(None, doc="First date of the history (from the file).")
    interval_min: int = spec(
        MINUTES_PER_DAY,
        doc="Length of each count's interval: 1440 per day, else a multiple of 30 (from the file).",
        unit="min",
        ge=HALF_HOUR_MIN,
    )
    calls: tuple[float, ...] = spec(
        (), doc="Calls in each interval from `start_date` 00:00 (from the file).", ge=0
    )

    def __post_init__(self) -> None:
        if MINUTES_PER_DAY % self.interval_min or self.interval_min % HALF_HOUR_MIN:
            raise FieldError(
                "interval_min",
                f"must divide 1440 and be a multiple of 30, got {self.interval_min}",
            )
        if self.start_date is None or not self.calls:
            raise FieldError(
                "calls", f"are read from {shown(self.file)} when the scenario is loaded"
            )
        if len(self.calls) % self.per_day:
            raise FieldError("calls", f"must cover whole days ({self.per_day} a day)")

    @property
    def per_day(self) -> int:
        """Counts per day."""
        return MINUTES_PER_DAY // self.interval_min

    @property
    def n_days(self) -> int:
        """Days the history covers."""
        return len(self.calls) // self.per_day

    @property
    def end_date(self) -> dt.date:
        """Last date the history covers."""
        assert self.start_date is not None
        return self.start_date + dt.timedelta(days=self.n_days - 1)

    def day_calls(self, date: dt.date) -> tuple[float, ...] | None:
        """The counts of ``date`` (``per_day`` of them), or ``None`` if not covered."""
        assert self.start_date is not None
        k = (date - self.start_date).days
        if not 0 <= k < self.n_days:
            return None
        return self.calls[k * self.per_day : (k + 1) * self.per_day]


def _parse_time(layout: str, text: str) -> dt.datetime:
    """A row's ``date`` or ``start`` as a datetime; ValueError if it is neither."""
    text = text.strip()
    if layout == DAILY:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    if len(text) not in (16, 19) or text[10] not in "T ":
        raise ValueError(text)
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is not None or when.second or when.microsecond:
        raise ValueError(text)
    return when


def _parse_calls(text: str) -> float:
    value = float(text.strip())
    if not 0 <= value < float("inf"):
        raise ValueError(text)
    return value


def _header(path: Path, rows: list[tuple[int, list[str]]]) -> tuple[str, int, int]:
    """The layout (``date`` or ``start``) and the indices of its time and calls columns."""
    if not rows:
        raise ScenarioError(f"{path}: line 1: empty file; expected a header 'date,calls'")
    line, names = rows[0]
    names = [n.strip().lower() for n in names]
    layouts = [c for c in (DAILY, INTERVAL) if c in names]
    if len(layouts) != 1 or "calls" not in names:
        raise ScenarioError(
            f"{path}: line {line}: header must have columns 'date,calls' (per day) or "
            f"'start,calls' (per interval), got {','.join(names)!r}"
        )
    if len(rows) == 1:
        raise ScenarioError(f"{path}: line {line + 1}: no data rows after the header")
    return layouts[0], names.index(layouts[0]), names.index("calls")


def _rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with their line numbers (1-based)."""
    try:
        reader = csv.reader(text.splitlines())
        return [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    except csv.Error as err:
        raise ScenarioError(f"{path}: not a readable CSV file: {err}") from None


def _step_min(layout: str, times: list[dt.datetime]) -> int:
    if layout == DAILY or len(times) < 2:
        return MINUTES_PER_DAY
    return int((times[1] - times[0]).total_seconds()) // 60


def read_history(path: str | Path, fill: str = "none", name: str | None = None) -> DemandHistory:
    """Read a history CSV into a :class:`DemandHistory` (``file`` = ``name`` or ``path``).

    Raises :class:`ScenarioError` naming the file, the line and the column of the
    first problem and what is allowed.
    """
    path = Path(path)
    rows = _rows(path, read_text(path, "history file"))
    layout, t_col, c_col = _header(path, rows)
    times: list[dt.datetime] = []
    calls: list[float] = []
    for line, row in rows[1:]:
        where = f"{path}: line {line}, column"
        cells = row + [""] * (max(t_col, c_col) + 1 - len(row))
        try:
            times.append(_parse_time(layout, cells[t_col]))
        except ValueError:
            shape = "YYYY-MM-DD" if layout == DAILY else "YYYY-MM-DDTHH:MM"
            raise ScenarioError(
                f"{where} '{layout}': must be a {shape}, got {shown(cells[t_col])}"
            ) from None
        try:
            calls.append(_parse_calls(cells[c_col]))
        except ValueError:
            raise ScenarioError(
                f"{where} 'calls': must be a number >= 0, got {shown(cells[c_col])}"
            ) from None
    step = _step_min(layout, times)
    _check_grid(path, layout, step, times, [line for line, _ in rows[1:]])
    history = DemandHistory(
        file=name or str(path),
        fill=fill,
        start_date=times[0].date(),
        interval_min=step,
        calls=tuple(calls),
    )
    return history


def _show(layout: str, when: dt.datetime) -> str:
    return f"{when:%Y-%m-%d}" if layout == DAILY else f"{when:%Y-%m-%d %H:%M}"


def _check_grid(
    path: Path, layout: str, step: int, times: list[dt.datetime], lines: list[int]
) -> None:
    """Every interval once, in order, from 00:00 of the first day to the end of the last."""
    first = times[0]
    if step <= 0 or MINUTES_PER_DAY % step or step % HALF_HOUR_MIN:
        raise ScenarioError(
            f"{path}: line {lines[1]}, column '{layout}': intervals must be a multiple of "
            f"30 minutes dividing a day, got {step} min after {_show(layout, first)}"
        )
    if first.time() != dt.time():
        raise ScenarioError(
            f"{path}: line {lines[0]}, column '{layout}': must start at 00:00 of a day, "
            f"got {first:%Y-%m-%d %H:%M}"
        )
    delta = dt.timedelta(minutes=step)
    unit = "days" if layout == DAILY else f"{step}-minute intervals"
    for k in range(1, len(times)):
        expected = first + k * delta
        if times[k] != expected:
            if times[k] <= times[k - 1]:
                problem = "repeats or goes back in time"
            else:
                problem = f"leaves a gap: {_show(layout, expected)} is missing"
            raise ScenarioError(
                f"{path}: line {lines[k]}, column '{layout}': {_show(layout, times[k])} "
                f"{problem}; rows must be consecutive {unit}"
            )
    if len(times) % (MINUTES_PER_DAY // step):
        raise ScenarioError(
            f"{path}: line {lines[-1]}, column '{layout}': the last day is incomplete; "
            f"the history must end at the end of a day"
        )
