"""The run page: replications and seed, a run with progress (and Cancel), then the results.

The run is :func:`~sim111.app.state.run_cached` (``run_experiment`` in this
process, cached per scenario, replications and seed); the progress bar moves
as replications finish. Pressing Cancel makes Streamlit rerun the page, which
raises inside the progress callback and so stops the run.
"""

from __future__ import annotations

import streamlit as st

from sim111.app import state
from sim111.app.widgets import charts, days_table, download_buttons, kpi_cards, show_headline
from sim111.experiments.replications import ExperimentResult
from sim111.scenario import Scenario

RESULT = "sim111_run_result"  # the last finished run's (label, result)
RUNNING = "sim111_run_running"  # set while a run is under way: still set on rerun = cancelled


def _settings(scenario: Scenario) -> tuple[int, int]:
    left, right = st.columns(2)
    replications = left.number_input(
        "Replications", min_value=1, max_value=1000, value=scenario.run.replications, key="run_reps"
    )
    seed = right.number_input("Seed", min_value=0, value=scenario.run.seed, key="run_seed")
    return int(replications), int(seed)


def execute(label: str, scenario: Scenario, replications: int, seed: int) -> ExperimentResult:
    """Run with a progress bar and a Cancel button; keep and return the result."""
    st.session_state[RUNNING] = True
    bar = st.progress(0.0, text=f"Running {label}: starting")
    cancel = st.empty()
    cancel.button("Cancel", key="run_cancel")  # its click reruns the page: the run stops

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Running {label}: {done} of {total} replications")

    result = state.run_cached(scenario, replications, seed, _progress=progress)
    bar.empty()
    cancel.empty()
    st.session_state[RUNNING] = False
    st.session_state[RESULT] = (label, result)
    return result


def show_result(label: str, result: ExperimentResult) -> None:
    """Everything about a finished run: headline, KPI cards, days, charts, downloads."""
    s = result.scenario
    st.subheader(f"{label}: {s.run.length_text} from {s.run.start_date:%a %d %b %Y}")
    st.caption(f"{result.replications} replications, seed {result.seed}; 95% CIs across them")
    show_headline(result)
    kpi_cards(result)
    st.subheader("Day by day")
    days_table(result)
    st.subheader("Half-hour by half-hour")
    charts(result)
    st.subheader("Downloads")
    download_buttons(result)


def render() -> None:
    """Draw the page."""
    st.title("Run")
    hand = state.in_hand()
    if hand is None:
        st.info("Choose a scenario on the Scenario page first.")
        return
    label, scenario = hand
    st.markdown(
        f"Scenario: **{label}** ({scenario.run.length_text} from {scenario.run.start_date})"
    )
    replications, seed = _settings(scenario)
    if st.session_state.get(RUNNING):
        st.session_state[RUNNING] = False
        st.warning("Run cancelled.")
    if st.button("Run", type="primary", key="run_go"):
        execute(label, scenario, replications, seed)
    kept = st.session_state.get(RESULT)
    if kept is not None:
        show_result(*kept)
