"""What the app keeps between pages and reruns: the scenario in hand, saved ones, results.

Streamlit re-runs a page's script on every interaction; what must survive a
rerun lives in ``st.session_state`` (per browser session) or in Streamlit's
caches (results: per scenario, seed and replications, shared by sessions).
Everything here calls sim111's public API; nothing models anything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from sim111.errors import ScenarioError
from sim111.experiments.compare import Comparison, compare
from sim111.experiments.replications import ExperimentResult, run_experiment
from sim111.scenario import Scenario, load_scenario

LIBRARY_ENV = "SIM111_SCENARIOS"  # set by ``sim111 app --scenarios DIR``
NOT_SCENARIOS = ("data", "sweeps")  # folders of the library that hold no scenarios
Progress = Callable[[int, int], None]


def library_folder() -> Path | None:
    """The scenario library: ``$SIM111_SCENARIOS``, else ``./scenarios``, else the
    ``scenarios`` folder beside the package (a clone), else none."""
    given = os.environ.get(LIBRARY_ENV)
    candidates = [Path(given)] if given else []
    candidates += [Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios"]
    return next((p for p in candidates if p.is_dir()), None)


def library() -> dict[str, Path]:
    """Library scenarios by their path in the library (``easter-2013.toml``), sorted."""
    folder = library_folder()
    if folder is None:
        return {}
    found = {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*.toml")
        if not set(p.relative_to(folder).parts[:-1]) & set(NOT_SCENARIOS)
    }
    return dict(sorted(found.items()))


def load_upload(name: str, data: bytes) -> Scenario:
    """A scenario from uploaded TOML bytes (read as a file named ``name``).

    Raises :class:`~sim111.errors.ScenarioError` as the CLI does. An upload
    cannot ``extends`` or read data files by relative path: it has no folder.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            return load_scenario(path)
        except ScenarioError as err:  # name the upload, not the temporary folder
            raise ScenarioError(str(err).replace(str(path), path.name)) from None


def current() -> tuple[str, Scenario] | None:
    """The scenario being worked on and its label, if one is chosen."""
    chosen = st.session_state.get("sim111_current")
    return chosen if chosen is not None else None


def set_current(label: str, scenario: Scenario) -> None:
    """Make ``scenario`` the one being worked on (and keep it among the saved ones)."""
    st.session_state["sim111_current"] = (label, scenario)
    save(label, scenario)


def saved() -> dict[str, Scenario]:
    """Scenarios kept this session (chosen, uploaded or edited), by label."""
    kept: dict[str, Scenario] = st.session_state.setdefault("sim111_saved", {})
    return kept


def save(label: str, scenario: Scenario) -> None:
    """Keep ``scenario`` under ``label`` for the Compare and Batch pages."""
    saved()[label] = scenario


@st.cache_data(max_entries=32, show_spinner=False)
def run_cached(
    scenario: Scenario, replications: int, seed: int, _progress: Progress | None = None
) -> ExperimentResult:
    """:func:`~sim111.experiments.replications.run_experiment`, cached per (scenario,
    replications, seed); ``_progress(done, total)`` is told as replications finish."""
    return run_experiment(scenario, replications, seed, on_progress=_progress, progress=False)


DEFAULT_SCENARIO = "typical-area.toml"  # the scenario in hand before one is chosen


def load_library(name: str) -> Scenario:
    """The library scenario ``name`` (a key of :func:`library`), loaded as the CLI loads
    it; raises :class:`~sim111.errors.ScenarioError` if it is invalid."""
    return load_scenario(library()[name])


def in_hand() -> tuple[str, Scenario] | None:
    """The chosen scenario (:func:`current`), else the library's
    :data:`DEFAULT_SCENARIO` (labelled by its name), else ``None``."""
    chosen = current()
    if chosen is not None:
        return chosen
    if DEFAULT_SCENARIO not in library():
        return None
    scenario = load_library(DEFAULT_SCENARIO)
    return scenario.name, scenario


@st.cache_data(max_entries=16, show_spinner=False)
def compare_cached(
    scenarios: tuple[Scenario, ...], replications: int, seed: int, _progress: Progress | None = None
) -> Comparison:
    """:func:`~sim111.experiments.compare.compare`, cached per (scenarios, replications,
    seed); ``_progress(done, total)`` is told as each scenario's replications finish."""
    return compare(list(scenarios), replications, seed, on_progress=_progress, progress=False)
