"""The comparison's headline: which scenario meets which targets, and the clear differences.

Generated sentences at the top of ``compare.html``, from a
:class:`~sim111.experiments.compare.Comparison` only: for each scenario the
targets it meets and misses (judged by
:func:`~sim111.experiments.marks.target_marks`, as every table), then for each
scenario against the baseline the KPIs whose paired 95% interval leaves out zero,
with that interval ("1: more-advisors against typical-area: better on answered
within 60 s by 12.3 points (95% CI 10.1 to 14.5)").
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from sim111.experiments.compare import Comparison
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.comparison_checks import (
    NOT_COMPARABLE,
    PER_DAY,
    difference_ci,
    difference_text,
    verdict,
)
from sim111.outputs.files import target_marks
from sim111.outputs.formatting import _fmt


def short_label(kpi: Kpi, per_day: bool = False) -> str:
    """A KPI's label inside a sentence: 'answered within 60 s', 'calls offered per day'."""
    label = kpi.label.split(" (")[0]
    if not label[:2].isupper():
        label = label[0].lower() + label[1:]
    return f"{label} per day" if per_day else label


def _names(keys: Sequence[str]) -> str:
    labels = [short_label(kpi_info(k)) for k in keys]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def targets_sentence(result: ExperimentResult) -> str:
    """'easter-2013 meets 1 of 3 targets (...) and misses answered within 60 s (74.0%, target
    >= 95%) ...'."""
    marks = target_marks(result)
    name = result.scenario.name
    if not marks:
        return f"{name} sets no targets."
    met = [k for k, (_, mark) in marks.items() if mark == "met"]
    missed = [
        f"{short_label(kpi_info(k))} ({_fmt(kpi_info(k), result.summary.loc[k, 'mean'])}, "
        f"target {target.text()}{'' if mark == 'MISSED' else f'; {mark}'})"
        for k, (target, mark) in marks.items()
        if mark and mark != "met"
    ]
    count = f"{name} meets {len(met)} of {len(marks)} target{'' if len(marks) == 1 else 's'}"
    said = f"{count} ({_names(met)})" if met else count
    if missed:
        said += f" and misses {'; '.join(missed)}"
    return said + "."


def _clause(kpi: Kpi, row: pd.Series) -> str:
    """'worse on answered within 60 s by 21.2 points (95% CI 20.2 to 22.3)'."""
    diff, low, high = float(row["difference"]), float(row["ci_low"]), float(row["ci_high"])
    ends = (low, high) if diff > 0 else (-high, -low)
    return (
        f"{verdict(kpi, low, high)} on {short_label(kpi, row['basis'] == PER_DAY)} by "
        f"{difference_text(kpi, abs(diff))} (95% CI {difference_ci(kpi, *ends, ' to ')})"
    )


def differences_sentence(diffs: pd.DataFrame, scenario: str, base: str, keys: Sequence[str]) -> str:
    """One scenario's clear differences from the baseline among ``keys``, with their 95% CIs."""
    rows = diffs[(diffs["scenario"] == scenario) & (diffs["basis"] != NOT_COMPARABLE)]
    rows = rows.set_index("kpi")
    clear, unclear = [], []
    for key in keys:
        if key not in rows.index or math.isnan(rows.loc[key, "ci_low"]):
            continue
        row = rows.loc[key]
        if row["ci_low"] == row["ci_high"] == 0:
            continue
        if row["ci_low"] <= 0 <= row["ci_high"]:
            unclear.append(key)
        else:
            clear.append(_clause(kpi_info(key), row))
    name = scenario.split(": ", 1)[-1]
    if not clear and not unclear:
        return f"{name} does not differ from {base} on the KPIs shown."
    said = f"Against {base}, {name} is {'; '.join(clear)}" if clear else f"Against {base}, {name}"
    if unclear:
        said += f"{';' if clear else ''} shows no clear difference in {_names(unclear)}"
    return said + "."


def comparison_headline_html(
    comparison: Comparison, diffs: pd.DataFrame, keys: Sequence[str]
) -> str:
    """The headline section of ``compare.html``: targets met and missed, then differences."""
    base = comparison.results[0].scenario.name
    scenarios = list(dict.fromkeys(diffs["scenario"]))
    sentences = [differences_sentence(diffs, s, base, keys) for s in scenarios]
    targets = [targets_sentence(r) for r in comparison.results]
    return (
        '<section id="headline"><h2>Headline</h2>\n'
        + "".join(f"<p>{html.escape(s)}</p>\n" for s in sentences)
        + '<ul id="targets-met">\n'
        + "".join(f"<li>{html.escape(s)}</li>\n" for s in targets)
        + "</ul></section>"
    )
