"""Hypothesis: any scenario the loader accepts runs; any it refuses, it refuses in one line.

Scenario documents are the typical area's data (``scenarios/typical-area.toml``,
one day, one replication) with a few values replaced by extremes (0, -1, huge,
1e308, NaN, 2**63, an integer past float range), odd text (non-ASCII digits,
path separators, control characters, 300 characters), another type, or a list
lengthened past the limits. Each must either raise :class:`ScenarioError` (never
another exception) or complete a one-day replication. A scenario accepted with
more calls than a quick run can take (the limit of calls a run may have is the
command line's business) is only loaded, not run.
"""

from __future__ import annotations

import copy
import math
import os
import tomllib
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim111.errors import MAX_MESSAGE_CHARS, ScenarioError
from sim111.experiments.replications import run_replication
from sim111.scenario import Scenario, scenario_from_data
from tests.conftest import SCENARIOS

BASE = tomllib.loads((SCENARIOS / "typical-area.toml").read_text())
BASE["run"].update(days=1, replications=1)
QUICK_CALLS_PER_DAY = 5_000  # more than this is accepted but not run here
EXAMPLES = int(os.environ.get("SIM111_FUZZ_EXAMPLES", "300"))

NUMBERS = (0, -1, 1, 0.0, 1e-300, 1e-3, 0.5, 2, 200, 40_000, 10**6, 1e9, 1e308, 2**63, 10**400)
TEXTS = ("", "x" * 300, "a/../b", "/etc/x", "0²:00", "０８:００", "24:00", "$x$", "a\x00b", "é")
ODD = (math.nan, math.inf, -math.inf, True, [], {}, [1, 2], {"kind": "never"})


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value or a list in ``node`` (lists are leaves as well as nodes)."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    out: list[tuple[Any, ...]] = []
    for key, value in items:
        here = (*path, key)
        if isinstance(value, dict):
            out += _leaves(value, here)
        elif isinstance(value, list):
            out.append(here)
            out += _leaves(value, here)
        else:
            out.append(here)
    return out


@dataclass(frozen=True)
class Longer:
    """A list made ``n`` entries long by repeating its own entries."""

    n: int


PATHS = _leaves(BASE)
values = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(TEXTS), st.sampled_from(ODD))
mutation = st.tuples(
    st.sampled_from(PATHS), st.one_of(values, st.builds(Longer, st.integers(100, 1_100)))
)


def _mutated(mutations: list[tuple[tuple[Any, ...], Any]]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path, value in mutations:
        node: Any = data
        try:
            for key in path[:-1]:
                node = node[key]
            old = node[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this branch
        if not isinstance(node, dict | list):
            continue
        if isinstance(value, Longer):
            if isinstance(old, list) and old:
                node[path[-1]] = [copy.deepcopy(old[k % len(old)]) for k in range(value.n)]
        else:
            node[path[-1]] = value
    return data


def _calls_per_day(scenario: Scenario) -> float:
    """Most expected calls in a day of the area, or of its largest area."""
    demand = scenario.demand
    if demand.kind == "stationary" and demand.calls_per_hour is not None:
        return demand.calls_per_hour * 24
    days = max(vars(demand.day_multipliers).values()) * max(demand.month_multipliers)
    return demand.mean_calls_per_day * days


def _check_refusal(err: ScenarioError) -> None:
    message = str(err)
    assert "\n" not in message and len(message) <= MAX_MESSAGE_CHARS, message
    assert message.startswith("fuzz: "), message  # names where the value came from


def check_document(data: dict[str, Any]) -> None:
    """Refused with a ScenarioError, or runs one day (the property)."""
    try:
        scenario = scenario_from_data(data, "fuzz")
    except ScenarioError as err:
        _check_refusal(err)
        return
    if _calls_per_day(scenario) > QUICK_CALLS_PER_DAY:
        return
    kpis, _ = run_replication(scenario, 0, scenario.run.seed)
    assert kpis["calls_offered"] >= 0


@settings(
    max_examples=EXAMPLES,
    deadline=5_000,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(st.lists(mutation, min_size=1, max_size=3))
def test_accepted_scenarios_run_and_refused_ones_say_why(mutations: list[Any]) -> None:
    check_document(_mutated(mutations))
