"""Shared helpers: small scenarios built from dictionaries."""

from __future__ import annotations

import copy
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim111.scenario import Scenario, scenario_from_data

# Started in the background by a non-interactive shell (`pytest &`), pytest and every
# process the tests start would ignore SIGINT (sim111 keeps an ignored SIGINT ignored,
# as `nohup` asks), and the tests that send Ctrl-C would see it do nothing.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

ERLANG_A: dict[str, Any] = {
    "name": "test-erlang-a",
    "run": {"days": 2, "warmup_min": 120},
    "demand": {"kind": "stationary", "calls_per_hour": 60.0},
    "callers": {"patience": {"kind": "exponential", "mean_min": 5.0}},
    "advisors": {"count": 10, "handle_time": {"kind": "exponential", "mean_min": 8.0}},
}


def wait_for(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.02) -> bool:
    """Poll ``condition`` until it holds or ``timeout_s`` has passed; whether it held."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(poll_s)
    return condition()


def make_scenario(base: dict[str, Any] | None = None, **sections: Any) -> Scenario:
    """A scenario from ``base`` (default: a small Erlang-A queue) with sections merged in."""
    data = copy.deepcopy(base or ERLANG_A)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return scenario_from_data(data, "test")


@pytest.fixture
def small_queue() -> Scenario:
    return make_scenario()


def scenario_files() -> list[Path]:
    """Every shipped scenario file (sweep definitions live apart, in scenarios/sweeps/)."""
    return sorted(p for p in SCENARIOS.rglob("*.toml") if "sweeps" not in p.parts)


def sweep_files() -> list[Path]:
    """Every shipped sweep definition."""
    return sorted((SCENARIOS / "sweeps").glob("*.toml"))


class Sim111Log(logging.Handler):
    """Records caught on sim111's own logger, not through the root as ``caplog`` does:
    in a full run another test's logging set-up hid the store's warnings from it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def clear(self) -> None:
        self.records = []


@pytest.fixture
def sim111_log():
    """Warnings of ``sim111.experiments`` (the result store's), caught on that logger."""
    handler = Sim111Log()
    loggers = [logging.getLogger("sim111.experiments")]
    loggers += [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith("sim111.experiments.store")
    ]
    saved = [(lg.disabled, lg.level) for lg in loggers]
    for lg in loggers:
        lg.disabled = False
        lg.setLevel(logging.NOTSET)
    loggers[0].setLevel(logging.WARNING)
    loggers[0].addHandler(handler)
    yield handler
    loggers[0].removeHandler(handler)
    for lg, (disabled, level) in zip(loggers, saved, strict=True):
        lg.disabled, lg.level = disabled, level
