"""Streamlit's in-process app tests: each page drawn by AppTest, sharing one session.

The app's pages are callables under ``st.navigation``, which ``AppTest.switch_page``
cannot open (it switches between page *files*); so a test drives a small script
that draws the page named by ``session_state["page"]``: switching page is setting
it, and the session (the scenario in hand, saved ones) carries over as in the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest  # the dev extra installs Streamlit

ROOT = Path(__file__).resolve().parents[2]


def _pages() -> None:
    import streamlit as st

    from sim111.app.views import compare, run, scenario

    pages = {"scenario": scenario.render, "run": run.render, "compare": compare.render}
    pages[st.session_state.get("page", "scenario")]()


@pytest.fixture(autouse=True)
def _keep_main(monkeypatch) -> None:
    """Put back ``sys.modules["__main__"]`` after each test: AppTest leaves its generated
    script there, and a later test's process pool (multiprocessing's spawn, Dask's
    nanny) would run that script in each new process and fail."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture
def app(monkeypatch) -> AppTest:
    """An AppTest of the pages, with the repository's scenario library."""
    monkeypatch.setenv("SIM111_SCENARIOS", str(ROOT / "scenarios"))
    return AppTest.from_function(_pages, default_timeout=60)
