"""The app's entry script: ``streamlit run`` runs this file (``sim111 app`` does it)."""

from __future__ import annotations

import streamlit as st

from sim111.app.views import batch, compare, run, scenario, staff


def main() -> None:
    """Page set-up and navigation between the five pages."""
    st.set_page_config(page_title="sim111: NHS 111 planner", layout="wide")
    pages = [
        st.Page(scenario.render, title="Scenario", url_path="scenario", default=True),
        st.Page(run.render, title="Run", url_path="run"),
        st.Page(compare.render, title="Compare", url_path="compare"),
        st.Page(staff.render, title="Staff & price", url_path="staff"),
        st.Page(batch.render, title="Batch", url_path="batch"),
    ]
    st.navigation(pages).run()


main()
