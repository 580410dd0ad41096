"""App page *Staff & price*: the cheapest roster meeting chosen targets, and its price.

The scenario in hand (or one picked from the library, Easter 2013 first) is
staffed by :func:`sim111.planning.staffing.staff`, exactly as ``sim111 staff``
does; the page shows whether the targets were met, the staffed KPIs, the
head-count by half-hour, the cost and the break-even price per answered call
against a contract price, and offers the files the command writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from sim111.app import state
from sim111.app.in_hand import scenario_in_hand
from sim111.app.staff_view import (
    headcount_figure,
    kpi_rows,
    mean_of,
    shift_lines,
    staffed_files,
)
from sim111.errors import ScenarioError
from sim111.experiments.settings import ExecutionSettings
from sim111.outputs.costs import cost_breakdown
from sim111.outputs.formatting import gbp
from sim111.planning.roster_summary import headcount_by_half_hour
from sim111.planning.staffing import StaffingResult, StaffingTargets
from sim111.planning.staffing import staff as find_roster
from sim111.planning.verdict import targets_text, verdict, verdict_text
from sim111.scenario import Scenario
from sim111.scenario.targets import kpi_targets

TARGET_INPUTS = (  # StaffingTargets field, label
    ("answered_within_60s", "Answered within 60 s, at least (%)"),
    ("abandoned_after_30s", "Abandoned after 30 s, at most (%)"),
    ("callback_within_10min", "Call-backs within 10 min, at least (%)"),
)
RESULT_KEY = "sim111_staffed"  # the last search: its inputs and what it found
COST_COLUMNS = ("basic_gbp", "uplift_gbp", "on_cost_gbp", "shrinkage_gbp", "total_gbp")
MIME = {"toml": "application/toml", "csv": "text/csv"}


@dataclass(frozen=True)
class Search:
    """What a search was asked: the scenario, targets and whether clinicians are staffed."""

    label: str
    scenario: Scenario
    targets: StaffingTargets
    clinicians: bool


def _targets(label: str, scenario: Scenario) -> dict[str, float | None]:
    """The chosen targets as fractions (blank: none); defaults are the scenario's."""
    given = kpi_targets(scenario)
    cols = st.columns(len(TARGET_INPUTS))
    out: dict[str, float | None] = {}
    for col, (key, text) in zip(cols, TARGET_INPUTS, strict=True):
        default = given[key].value * 100 if key in given else None
        value = col.number_input(
            text, 0.0, 100.0, default, step=1.0, format="%.1f", key=f"staff_{key}_{label}"
        )
        out[key] = None if value is None else value / 100
    return out


def _search(label: str, scenario: Scenario) -> Search:
    """The page's inputs: targets, replications, seed, iterations, who is staffed."""
    goals = _targets(label, scenario)
    left, mid, right = st.columns(3)
    replications = left.number_input(
        "Replications", 2, 100, scenario.run.replications, key=f"staff_reps_{label}"
    )
    seed = mid.number_input("Seed", 0, None, scenario.run.seed, key=f"staff_seed_{label}")
    iterations = right.number_input(
        "Most iterations", 1, 20, StaffingTargets.max_iterations, key="staff_iterations"
    )
    who = ["Advisors and clinicians", "Advisors only"] if scenario.clinicians else ["Advisors only"]
    clinicians = st.radio("Staff", who, horizontal=True, key="staff_who") == who[0]
    targets = StaffingTargets(
        answered_within_60s=goals["answered_within_60s"],
        abandoned_after_30s=goals["abandoned_after_30s"],
        callback_within_10min=goals["callback_within_10min"],
        replications=int(replications),
        max_iterations=int(iterations),
        seed=int(seed),
    )
    return Search(label, scenario, targets, clinicians and bool(scenario.clinicians))


def _run(search: Search) -> StaffingResult | None:
    """Run the search with a progress bar; a click on Stop (any rerun) ends it."""
    bar = st.progress(0.0, text="Starting the search...")
    stop = st.empty()  # shown while it runs; gone with the bar
    stop.button("Stop", key="staff_stop", help="Stops the search (nothing is kept).")
    most = search.targets.max_iterations
    counted = {"iteration": 0}

    def tell(done: int, total: int) -> None:
        counted["iteration"] += done == 0
        it = counted["iteration"]
        share = (it - 1 + (done / total if total else 1)) / most
        text = f"Iteration {it} (at most {most}): replication {done} of {total}"
        bar.progress(min(share, 1.0), text=text)

    try:
        found = find_roster(
            search.scenario,
            search.targets,
            clinicians=search.clinicians,
            execution=ExecutionSettings(on_progress=tell, progress=False),
        )
    except (ScenarioError, ValueError) as err:
        bar.empty()
        stop.empty()
        st.error(f"error: {search.label}: {err}")
        return None
    bar.empty()
    stop.empty()
    return found


def _price(found: StaffingResult, price: float | None) -> None:
    """Cost per answered call, break-even price and the margin at ``price``, as cards."""
    cost = mean_of(found, "cost_per_call_gbp")
    even = mean_of(found, "break_even_price_per_call_gbp")
    if math.isnan(cost):
        st.info("No staff group has pay: nothing to price.")
        return
    cards = st.columns(4)
    cards[0].metric("Cost per answered call", gbp(cost))
    cards[1].metric("Break-even price per answered call", gbp(even))
    if price is None:
        cards[2].metric("Contract price per call", "-")
        return
    margin = price - even
    cards[2].metric("Contract price per call", gbp(price))
    cards[3].metric("Margin per answered call at that price", gbp(margin))
    if margin >= 0:
        st.success(f"At {gbp(price)} a call the staffed roster covers its cost.")
    else:
        st.warning(f"At {gbp(price)} a call the staffed roster loses {gbp(-margin)} a call.")


def _downloads(found: StaffingResult, search: Search) -> None:
    files = staffed_files(found, search.label, search.clinicians)
    cols = st.columns(len(files))
    for col, (name, data) in zip(cols, files.items(), strict=True):
        col.download_button(
            f"Download {name}", data, file_name=name, mime=MIME[name.rsplit(".", 1)[1]]
        )


def _show(found: StaffingResult, search: Search, price: float | None) -> None:
    """Everything the search found: verdict, price, KPIs, head-counts, costs, files."""
    met, _ = verdict(found)
    (st.success if met else st.warning)(verdict_text(found))
    st.caption(f"Targets: {targets_text(found)}")
    _price(found, price)
    lines = ", ".join(f"{n} {group}" for group, n in shift_lines(found).items())
    st.markdown(f"**Shift lines:** {lines or 'none'}")
    st.subheader("KPIs of the staffed scenario")
    st.dataframe(kpi_rows(found), hide_index=True)
    st.subheader("Head-count by half-hour and day type")
    headcounts = headcount_by_half_hour(found.scenario)
    st.pyplot(headcount_figure(headcounts))
    with st.expander("Head-count table"):
        st.dataframe(headcounts)
    st.subheader("Costs")
    pounds = st.column_config.NumberColumn(format="£%.0f")
    st.dataframe(
        cost_breakdown(found.scenario),
        hide_index=True,
        column_config={
            "paid_hours": st.column_config.NumberColumn("paid hours", format="%.0f"),
            **{c: pounds for c in COST_COLUMNS},
        },
    )
    _downloads(found, search)
    if st.button("Use the staffed scenario", key="staff_use", type="primary"):
        state.set_current(found.scenario.name, found.scenario)
        st.success(f"{found.scenario.name} is now the scenario in hand: Run and Compare use it.")


def render() -> None:
    """Draw the page: scenario, targets, search, then what it found."""
    st.title("Staff & price")
    st.caption(
        "Choose the targets and press *Find the cheapest roster*: the page finds the "
        "cheapest roster that meets them (formula, shift covering, then simulation until "
        "the targets hold) and says what it costs per answered call against a contract price."
    )
    chosen = scenario_in_hand("staff_library", "Staffing")
    if chosen is None:
        return
    label, scenario = chosen
    if scenario.areas:
        st.error(f"error: {label}: has [[areas]]; staff and price work on one area")
        return
    search = _search(label, scenario)
    price = st.number_input(
        "Contract price per answered call (£)",
        0.0,
        None,
        scenario.costs.price_per_call_gbp,
        step=0.5,
        key=f"staff_price_{label}",
    )
    if st.button("Find the cheapest roster", key="staff_go", type="primary"):
        found = _run(search)
        st.session_state[RESULT_KEY] = None if found is None else (search, found)
    kept = st.session_state.get(RESULT_KEY)
    if kept is None:
        return
    if kept[0] != search:
        st.info("The inputs changed since the last search: press the button again.")
        return
    _show(kept[1], kept[0], price)
