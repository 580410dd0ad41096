"""App page *Batch*: a CSV of overrides or a small grid, run as a sweep over the scenario
in hand, with a heat-map (two keys) or lines (one key) of a KPI and a table of every point.

Points are built and validated by :mod:`sim111.app.batch_input`; the sweep is
:func:`sim111.experiments.sweep.run_sweep` (common random numbers across points);
the figures, the table's numbers and sweep.html are those of ``sim111 sweep``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from sim111.app.batch_input import COMMON_KEYS, MAX_POINTS, csv_points, grid
from sim111.app.in_hand import scenario_in_hand
from sim111.errors import ScenarioError
from sim111.experiments.settings import ExecutionSettings
from sim111.experiments.sweep import SweepResult, run_sweep
from sim111.kpi_keys import kpi_info
from sim111.outputs.files import DEFAULT_SWEEP_KPIS
from sim111.outputs.formatting import _fmt
from sim111.outputs.sweep_plots import sweep_figure
from sim111.outputs.sweep_report import reference, shown_kpis, sweep_html, sweep_targets
from sim111.scenario import Scenario

RESULT_KEY = "sim111_batch"  # the last batch: what was asked and its result
GRID, CSV = "A grid of up to two keys", "A CSV of overrides (one row per scenario)"
NONE = "(none)"
DEFAULT_VALUES = ("0.9, 1.0, 1.1", "1.0, 1.2")


@dataclass(frozen=True)
class Batch:
    """What a batch was asked: the scenario, its points, replications and seed."""

    label: str
    scenario: Scenario
    points: tuple[tuple[tuple[str, Any], ...], ...]  # hashable, comparable points
    replications: int
    seed: int

    def point_dicts(self) -> list[dict[str, Any]]:
        """The points as override dicts."""
        return [dict(p) for p in self.points]


def _grid_inputs(scenario: Scenario) -> list[dict[str, Any]]:
    """Up to two keys and their values; the grid's points (validated)."""
    chosen: dict[str, str] = {}
    for i, default in enumerate(DEFAULT_VALUES):
        left, right = st.columns([2, 3])
        options = list(COMMON_KEYS) if i == 0 else [NONE, *COMMON_KEYS]
        key = left.selectbox(
            f"Key {i + 1}",
            options,
            index=0 if i == 0 else 3,
            key=f"batch_key_{i}",
            accept_new_options=True,
            help="A dotted scenario key; type another to add it.",
        )
        text = right.text_input(f"Values of key {i + 1}", default, key=f"batch_values_{i}")
        if key in chosen:
            raise ScenarioError(f"grid: '{key}' is chosen twice; choose two different keys")
        if key and key != NONE:
            chosen[key] = text
    return grid(chosen, scenario)


def _csv_inputs(scenario: Scenario) -> list[dict[str, Any]] | None:
    """The uploaded CSV's points (validated), or ``None`` before an upload."""
    upload = st.file_uploader(
        "CSV of overrides: a header of dotted keys, one row per scenario",
        type=["csv"],
        key="batch_csv",
    )
    if upload is None:
        return None
    return csv_points(upload.name, upload.getvalue(), scenario)


def _batch(label: str, scenario: Scenario) -> Batch | None:
    """The page's inputs; ``None`` (with the one-line error) if they are not valid yet."""
    how = st.radio("Points", [GRID, CSV], horizontal=True, key="batch_how")
    st.caption(f"At most {MAX_POINTS} points; use `sim111 sweep` for bigger sweeps.")
    try:
        points = _grid_inputs(scenario) if how == GRID else _csv_inputs(scenario)
    except ScenarioError as err:
        st.error(f"error: {err}")
        return None
    left, right = st.columns(2)
    reps = left.number_input(
        "Replications per point", 1, 100, min(scenario.run.replications, 5), key="batch_reps"
    )
    seed = right.number_input("Seed", 0, None, scenario.run.seed, key=f"batch_seed_{label}")
    if points is None:
        return None
    frozen = tuple(tuple(p.items()) for p in points)
    return Batch(label, scenario, frozen, int(reps), int(seed))


def _run(batch: Batch) -> SweepResult | None:
    """The sweep, with a progress bar; a click on Stop (any rerun) ends it."""
    bar = st.progress(0.0, text="Starting...")
    stop = st.empty()  # shown while it runs; gone with the bar
    stop.button("Stop", key="batch_stop", help="Stops the batch (nothing is kept).")

    def tell(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Replication {done} of {total}")

    try:
        result = run_sweep(
            batch.scenario,
            batch.point_dicts(),
            batch.replications,
            batch.seed,
            execution=ExecutionSettings(on_progress=tell, progress=False),
        )
    except (ScenarioError, ValueError) as err:
        bar.empty()
        stop.empty()
        st.error(f"error: {err}")
        return None
    bar.empty()
    stop.empty()
    return result


def points_table(result: SweepResult, keys: list[str]) -> pd.DataFrame:
    """One row per point: its overrides, then each KPI's mean and 95% CI as shown."""
    summary = result.summary.set_index(["point", "kpi"])
    swept = sorted({k for p in result.points for k in p})
    rows = []
    for i, point in enumerate(result.points):
        row: dict[str, Any] = {"point": i, **{k: str(point.get(k, "")) for k in swept}}
        for key in keys:
            kpi = kpi_info(key)
            mean, low, high = (
                summary.loc[(i, key), c] if (i, key) in summary.index else math.nan
                for c in ("mean", "ci_low", "ci_high")
            )
            row[kpi.label] = _fmt(kpi, mean)
            row[f"{kpi.label}, 95% CI"] = (
                "-" if math.isnan(low) else f"{_fmt(kpi, low)} .. {_fmt(kpi, high)}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _show(result: SweepResult, batch: Batch) -> None:
    """The chosen KPI's figure, the table of every point, the downloads."""
    if len(result.failures):
        st.warning(f"{len(result.failures)} replication(s) failed: see failures in the CSV.")
    keys = shown_kpis(result, list(dict.fromkeys(result.summary["kpi"])))
    first = [k for k in DEFAULT_SWEEP_KPIS if k in keys]
    kpi = st.selectbox(
        "KPI",
        keys,
        index=keys.index(first[0]) if first else 0,
        format_func=lambda k: kpi_info(k).label,
        key="batch_kpi",
    )
    line = reference(batch.scenario, result, kpi, sweep_targets(batch.scenario, result))
    figure = sweep_figure(result, kpi, line)
    if figure is None:
        st.info("More than two keys (or none) vary: the table has every point.")
    else:
        st.pyplot(figure)
    shown = list(dict.fromkeys([kpi, *first]))
    st.dataframe(points_table(result, shown), hide_index=True)
    name = f"{batch.label} batch"
    left, mid, right = st.columns(3)
    left.download_button(
        "Download summary.csv", result.summary.to_csv(index=False), "summary.csv", "text/csv"
    )
    mid.download_button(
        "Download kpis_by_replication.csv",
        result.kpis.to_csv(index=False),
        "kpis_by_replication.csv",
        "text/csv",
    )
    html = sweep_html(name, result, batch.scenario, shown)
    right.download_button("Download sweep.html", html, "sweep.html", "text/html")


def render() -> None:
    """Draw the page: scenario, points, run, then the figure, table and downloads."""
    st.title("Batch")
    st.caption(
        "Run the scenario at several settings at once: every point meets the same "
        "callers (common random numbers), so differences come from the settings."
    )
    chosen = scenario_in_hand("batch_library", "Varying")
    if chosen is None:
        return
    batch = _batch(*chosen)
    go = st.button("Run the batch", key="batch_go", type="primary", disabled=batch is None)
    if go and batch is not None:
        result = _run(batch)
        st.session_state[RESULT_KEY] = None if result is None else (batch, result)
    kept = st.session_state.get(RESULT_KEY)
    if kept is None or batch is None:
        return
    if kept[0] != batch:
        st.info("The inputs changed since the last batch: press the button again.")
        return
    _show(kept[1], kept[0])
