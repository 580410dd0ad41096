"""The scenario a working page (Staff & price, Batch) acts on: the one in hand, else a pick.

With no scenario in hand yet (the *Scenario* page sets one), the page offers
the library, Easter 2013 first: the issue's question starts there.
"""

from __future__ import annotations

import streamlit as st

from sim111.app import state
from sim111.errors import ScenarioError
from sim111.scenario import Scenario, load_scenario

FIRST_CHOICE = "easter-2013.toml"


def scenario_in_hand(key: str, verb: str) -> tuple[str, Scenario] | None:
    """(label, scenario) in hand, else one picked from the library with the select box
    ``key``; ``None`` (and a message) if there is none. ``verb`` says what the page does
    with it ("Staffing")."""
    chosen = state.current()
    if chosen is not None:
        st.markdown(f"{verb} the scenario in hand: **{chosen[0]}** (change it on *Scenario*).")
        return chosen
    names = list(state.library())
    if not names:
        st.info("Choose a scenario on the *Scenario* page first.")
        return None
    first = names.index(FIRST_CHOICE) if FIRST_CHOICE in names else 0
    name = st.selectbox("Scenario from the library", names, index=first, key=key)
    try:
        return name, load_scenario(state.library()[name])
    except ScenarioError as err:
        st.error(f"error: {err}")
        return None
