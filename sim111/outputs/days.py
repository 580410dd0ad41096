"""Days judged against the targets: which were missed, partial days named as such.

Shared by the headline (:mod:`sim111.outputs.headline`) and the tables by period
(:mod:`sim111.outputs.periods`): a day is marked by the scenario's targets as
the whole run is; a period the run covers only in part (the warm-up, a run of
30 hours) says so in its label ("Mon 2 Mar 2015 (from 12:00)"), so a table
never passes off half a day as a day; columns of features the scenario does not
use (call-backs without a clinical stage) are left out.
"""

from __future__ import annotations

import calendar
import math

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.formatting import _fmt
from sim111.outputs.rows import feature_of, used_features
from sim111.scenario.targets import Target, kpi_targets
from sim111.units import MINUTES_PER_DAY

LIST_DAYS_UP_TO = 3  # more missed days than this: a count and the worst days
WORST_DAYS_NAMED = 2


def _clock(minutes: float) -> str:
    minutes = round(minutes) % MINUTES_PER_DAY
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


def _nominal_min(row: pd.Series, kind: str) -> float:
    if kind == "day":
        return float(MINUTES_PER_DAY)
    if kind == "week":
        return 7.0 * MINUTES_PER_DAY
    start = pd.Timestamp(row["period_start"])
    return calendar.monthrange(start.year, start.month)[1] * float(MINUTES_PER_DAY)


def period_note(row: pd.Series, warmup_min: float, kind: str) -> str:
    """'' for a whole period; else what part of it was measured ("from 12:00",
    "to 06:00", "12:00-18:00"; weeks and months: "5.5 of 7 days")."""
    start, end = float(row["start_min"]), float(row["end_min"])
    measured_from = max(start, warmup_min)
    if end - measured_from >= _nominal_min(row, kind) - 1e-6:
        return ""
    if kind != "day":
        nominal = _nominal_min(row, kind) / MINUTES_PER_DAY
        return f"{(end - measured_from) / MINUTES_PER_DAY:.1f} of {nominal:.0f} days"
    cut_start, cut_end = measured_from > start, end - start < MINUTES_PER_DAY - 1e-6
    if cut_start and cut_end:
        return f"{_clock(measured_from)}-{_clock(end)}"
    return f"from {_clock(measured_from)}" if cut_start else f"to {_clock(end)}"


def period_label(row: pd.Series, warmup_min: float, kind: str) -> str:
    """The period's label, with :func:`period_note` in brackets when it is partial."""
    note = period_note(row, warmup_min, kind)
    return f"{row['label']} ({note})" if note else str(row["label"])


def used_columns(result: ExperimentResult, columns: list[str]) -> list[str]:
    """``columns`` less those of features the scenario does not use."""
    used = used_features(result.scenario)
    return [c for c in columns if feature_of(c) is None or feature_of(c) in used]


def day_marks(result: ExperimentResult) -> pd.DataFrame:
    """Per day measured: its label (partial days noted), day type, and each target
    KPI's mean, 95% CI and mark (``met``/``MISSED``; '' if undefined), and ``missed``."""
    days = result.period_summary("day")
    if days.empty:
        return days
    days = days[~days["in_warmup"].astype(bool)].reset_index(drop=True)
    warmup = result.scenario.run.warmup_min
    targets = kpi_targets(result.scenario)
    keys = used_columns(result, [k for k in targets if k in days.columns])
    out = pd.DataFrame(
        {
            "label": [period_label(r, warmup, "day") for _, r in days.iterrows()],
            "day_type": days["day_type"],
        }
    )
    for key in keys:
        out[key] = days[key]
        out[f"{key}_ci_low"] = days[f"{key}_ci_low"]
        out[f"{key}_ci_high"] = days[f"{key}_ci_high"]
        out[f"{key}_mark"] = [_day_mark(targets[key], float(v)) for v in days[key]]
    marks = [f"{k}_mark" for k in keys]
    out["missed"] = (out[marks] == "MISSED").any(axis=1) if marks else False
    return out


def _day_mark(target: Target, value: float) -> str:
    return "" if math.isnan(value) else target.status(value)


def short_label(label: str) -> str:
    """A KPI label without its bracketed denominator: 'Answered within 60 s'."""
    return label.split(" (")[0]


def day_text(row: pd.Series, key: str) -> str:
    """'Fri 29 Mar (bank holiday) 53.6%': a day and its value of ``key``."""
    holiday = " (bank holiday)" if row["day_type"] == "bank_holiday" else ""
    label = str(row["label"])
    note = label[label.index(" (") :] if " (" in label else ""
    day = label.removesuffix(note).rsplit(" ", 1)[0]  # "Fri 29 Mar", without the year
    return f"{day}{note}{holiday} {_fmt(kpi_info(key), float(row[key]))}"


def worst_first(days: pd.DataFrame, key: str) -> pd.DataFrame:
    """``days`` ordered worst first by ``key`` (lowest first where higher is better)."""
    return days.sort_values(key, ascending=kpi_info(key).better == "higher", kind="stable")


def day_sentence(days: pd.DataFrame) -> str:
    """Per target KPI, the days it was missed: listed if few, else counted with the worst."""
    if days.empty:
        return ""
    n = len(days)
    if not days["missed"].any():
        return f"Every one of the {n} days met every target."
    parts = []
    for key in (c.removesuffix("_mark") for c in days.columns if c.endswith("_mark")):
        missed = days[days[f"{key}_mark"] == "MISSED"]
        if missed.empty:
            continue
        what = short_label(kpi_info(key).label).lower()
        if len(missed) <= LIST_DAYS_UP_TO:
            listed = ", ".join(day_text(row, key) for _, row in missed.iterrows())
            parts.append(f"{what} on {listed}")
        else:
            worst = worst_first(missed, key).head(WORST_DAYS_NAMED)
            named = " and ".join(day_text(row, key) for _, row in worst.iterrows())
            parts.append(f"{what} on {len(missed)} of {n} days, worst {named}")
    return "Missed by day: " + "; ".join(parts) + "."
