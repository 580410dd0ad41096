"""Hypothesis over scenario documents and ``--set`` overrides.

The property (issue 20, must-have 7): any input gives a valid scenario or a
:class:`~sim111.errors.ScenarioError` whose one-line message names the file or
key, never another exception, within a deadline; and (must-have 2) a scenario
the loader accepts completes a one-day replication.

Derandomised, so CI is deterministic. ``SIM111_FUZZ_EXAMPLES=5000`` raises the
examples per test for a long local run (``docs/validation.md``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim111.cli.options import parse_override
from sim111.errors import ScenarioError
from sim111.experiments.replications import run_replication
from sim111.scenario import Scenario, load_scenario
from tests.fuzz.harness import MAX_ERROR_CHARS, SCENARIOS
from tests.fuzz.strategies import mutated_document, override_text, paths

EXAMPLES = int(os.environ.get("SIM111_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=5000,  # ms: a load is milliseconds; this catches a hang or a runaway read
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TYPICAL = load_scenario(SCENARIOS / "typical-area.toml")


def assert_one_line(err: ScenarioError, *names: str) -> None:
    message = str(err)
    assert message and "\n" not in message, repr(message[:500])
    assert len(message) <= MAX_ERROR_CHARS, message[:500]
    assert any(n in message for n in names), f"names none of {names}: {message}"


def keys(doc: dict) -> set[str]:
    """Every key in ``doc`` (at any depth) long enough to be told apart in a message."""
    return {str(p[-1]) for p in paths(doc) if isinstance(p[-1], str) and len(p[-1]) >= 3}


def load_document(doc: dict, folder: Path) -> Scenario | None:
    """Load ``doc`` written as ``folder/x.toml``: the scenario, or None if refused in one
    line naming the file or a key."""
    path = folder / "x.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    try:
        return load_scenario(path)
    except ScenarioError as err:
        assert_one_line(err, "x.toml", *keys(doc))
        return None


@FUZZ
@given(mutated_document())
def test_a_mutated_scenario_file_loads_or_is_refused_in_one_line(doc):
    with tempfile.TemporaryDirectory() as folder:
        scenario = load_document(doc, Path(folder))
    assert scenario is None or isinstance(scenario, Scenario)


@settings(FUZZ, max_examples=max(EXAMPLES // 8, 10))
@given(mutated_document(max_mutations=2))
def test_a_scenario_the_loader_accepts_completes_a_day(doc):
    if isinstance(doc.get("run"), dict):
        doc["run"].update(days=1, replications=1)
        doc["run"].pop("hours", None)
    with tempfile.TemporaryDirectory() as folder:
        scenario = load_document(doc, Path(folder))
    if scenario is not None and scenario.run.horizon_min <= 3 * 24 * 60:
        kpis, _ = run_replication(scenario, 0, 1)
        assert kpis["calls_offered"] >= 0


@FUZZ
@given(st.lists(override_text(), min_size=1, max_size=3))
def test_set_overrides_apply_or_are_refused_in_one_line(texts):
    try:
        pairs = dict(parse_override(t) for t in texts)
        scenario = TYPICAL.with_overrides(pairs, source="x.toml with --set")
    except ScenarioError as err:
        keys = [t.partition("=")[0].strip()[:40] for t in texts]
        assert_one_line(err, "x.toml", "--set", *[k for k in keys if k])
        return
    assert isinstance(scenario, Scenario)


@FUZZ
@given(st.text(max_size=60))
def test_any_set_text_parses_or_is_refused(text):
    try:
        key, _ = parse_override(text)
    except ScenarioError as err:
        assert_one_line(err, "--set")
        return
    assert key and "=" in text
