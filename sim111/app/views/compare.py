"""The compare page: two or more scenarios run with common random numbers, side by side.

:func:`~sim111.experiments.compare.compare` runs them (cached by
:func:`~sim111.app.state.compare_cached`); the levels against targets, the paired
differences with their 95% CIs and the differences figure are those of
``sim111 compare``'s compare.html (:mod:`sim111.outputs.comparison_report`).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from sim111.app import state
from sim111.app.widgets import show_error
from sim111.errors import ScenarioError
from sim111.experiments.compare import Comparison
from sim111.experiments.marks import target_marks
from sim111.kpi_keys import kpi_info
from sim111.outputs.comparison_checks import (
    NOT_COMPARABLE,
    PER_DAY,
    compared_differences,
    comparison_warnings,
    difference_ci,
    difference_text,
    verdict,
)
from sim111.outputs.comparison_report import comparison_html, how_compared, kpi_label, level_keys
from sim111.outputs.files import DEFAULT_SWEEP_KPIS
from sim111.outputs.formatting import _fmt
from sim111.outputs.plots import differences_figure
from sim111.outputs.report import png_bytes
from sim111.scenario import Scenario

RESULT = "sim111_compare_result"  # the last comparison and the labels of its scenarios
LIBRARY = "library: "  # prefix of library scenarios among the choices
MAIN_KPIS = (*DEFAULT_SWEEP_KPIS, "break_even_price_per_call_gbp")


def choices() -> list[str]:
    """Scenarios to choose from: those kept this session, then the library's."""
    return [*state.saved(), *(LIBRARY + name for name in state.library())]


def chosen(label: str) -> Scenario:
    """The scenario a choice names (raises ScenarioError for a bad library file)."""
    if label.startswith(LIBRARY) and label not in state.saved():
        return state.load_library(label.removeprefix(LIBRARY))
    return state.saved()[label]


def _defaults(options: list[str]) -> list[str]:
    hand = state.in_hand()
    first = hand[0] if hand and hand[0] in options else None
    rest = [o for o in options if o != first and o.endswith(state.DEFAULT_SCENARIO)]
    rest += [o for o in options if o != first and o not in rest]
    return ([first] if first else []) + rest[: 2 - bool(first)]


def level_frame(comparison: Comparison, labels: list[str], keys: list[str]) -> pd.DataFrame:
    """Each KPI's mean (95% CI) per scenario, marked against that scenario's targets."""
    marks = [target_marks(r) for r in comparison.results]
    rows = []
    for key in keys:
        kpi = kpi_info(key)
        row = {
            "KPI": kpi_label(kpi),
            "target": " | ".join(sorted({m[key][0].text() for m in marks if key in m})),
        }
        for label, result, mark in zip(labels, comparison.results, marks, strict=True):
            if key not in result.summary.index or pd.isna(result.summary.loc[key, "mean"]):
                row[label] = "-"
                continue
            s = result.summary.loc[key]
            ci = (
                ""
                if pd.isna(s["ci_low"])
                else f" ({_fmt(kpi, s['ci_low'])} – {_fmt(kpi, s['ci_high'])})"
            )
            status = mark[key][1] if key in mark else ""
            row[label] = f"{_fmt(kpi, s['mean'])}{ci} {status}".rstrip()
        rows.append(row)
    return pd.DataFrame(rows)


def difference_frame(comparison: Comparison, keys: list[str]) -> pd.DataFrame:
    """Each scenario's paired difference from the baseline with its 95% CI and verdict."""
    diffs = compared_differences(comparison)
    rows = []
    for r in diffs[diffs["kpi"].isin(keys)].itertuples():
        kpi = kpi_info(str(r.kpi))
        if pd.isna(r.difference):
            continue
        judged = NOT_COMPARABLE if r.basis == NOT_COMPARABLE else verdict(kpi, r.ci_low, r.ci_high)
        rows.append(
            {
                "KPI": kpi_label(kpi) + (f" {PER_DAY}" if r.basis == PER_DAY else ""),
                "scenario": str(r.scenario),
                "baseline": _fmt(kpi, r.baseline),
                "scenario mean": _fmt(kpi, r.mean),
                "difference": difference_text(kpi, r.difference),
                "95% CI": difference_ci(kpi, r.ci_low, r.ci_high, " to "),
                "": judged,
            }
        )
    return pd.DataFrame(rows)


def _run(labels: list[str], replications: int, seed: int) -> Comparison | None:
    try:
        scenarios = tuple(chosen(label) for label in labels)
    except ScenarioError as err:
        show_error(err)
        return None
    for warning in comparison_warnings(scenarios):
        st.warning(warning.message)
    bar = st.progress(0.0, text="Comparing: starting")
    cancel = st.empty()
    cancel.button("Cancel", key="cmp_cancel")  # its click reruns the page: the run stops
    seen = {"scenario": 0}

    def progress(done: int, total: int) -> None:
        seen["scenario"] += done == 0
        k = seen["scenario"]
        bar.progress(
            min(((k - 1) * total + done) / max(total * len(labels), 1), 1.0),
            text=f"Scenario {k} of {len(labels)}: {done} of {total} replications",
        )

    comparison = state.compare_cached(scenarios, replications, seed, _progress=progress)
    bar.empty()
    cancel.empty()
    st.session_state[RESULT] = (comparison, labels)
    return comparison


def show_comparison(comparison: Comparison, labels: list[str]) -> None:
    """Levels against targets, paired differences, the differences figure, compare.html."""
    st.html(f'<p id="pairing">{how_compared(comparison)}</p>')
    every = st.toggle("Every KPI", key="cmp_all")
    keys = level_keys(comparison)
    keys = keys if every else [k for k in MAIN_KPIS if k in keys]
    st.subheader("Against targets (mean, 95% CI)")
    st.dataframe(level_frame(comparison, labels, keys), hide_index=True)
    st.subheader("Differences from the baseline (paired by replication)")
    st.dataframe(difference_frame(comparison, keys), hide_index=True)
    diffs = compared_differences(comparison)
    drawn = diffs[diffs["basis"] != NOT_COMPARABLE]
    shown = tuple(k for k in keys if k in set(drawn["kpi"]))
    png = (
        png_bytes(differences_figure(replace(comparison, differences=drawn), shown))
        if shown
        else None
    )
    if png is not None:
        st.image(png, caption="Each scenario's difference from the baseline with its 95% CI.")
    page = comparison_html(comparison, png, labels, MAIN_KPIS)
    st.download_button(
        "compare.html", page, file_name="compare.html", mime="text/html", on_click="ignore"
    )


def render() -> None:
    """Draw the page."""
    st.title("Compare")
    options = choices()
    labels = st.multiselect(
        "Scenarios (the first is the baseline)", options, _defaults(options), key="cmp_pick"
    )
    left, right = st.columns(2)
    replications = int(left.number_input("Replications", 1, 1000, 10, key="cmp_reps"))
    seed = int(right.number_input("Seed", min_value=0, value=20130329, key="cmp_seed"))
    if st.button("Compare", type="primary", key="cmp_go", disabled=len(labels) < 2):
        _run(labels, replications, seed)
    if len(labels) < 2:
        st.caption("Choose two or more scenarios.")
    kept = st.session_state.get(RESULT)
    if kept is not None:
        show_comparison(*kept)
