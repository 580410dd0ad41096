"""The call-back feedback-loop figure: its panels and lines come from the records."""

from __future__ import annotations

import numpy as np
import pytest

from sim111.experiments.replications import run_experiment
from sim111.outputs.plots import callback_backlog
from sim111.scenario import load_scenario
from tests.conftest import SCENARIOS

NEVER = {"kind": "never"}


@pytest.fixture(scope="module")
def results():
    """Thursday and Good Friday 2013: callers ringing again, and callers waiting quietly."""
    easter = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides({"run.days": 2})
    quiet = easter.with_overrides(
        {"clinical.waiting.patience": NEVER, "clinical.priorities.0.callback_patience": NEVER}
    )
    return [run_experiment(s, replications=2, seed=5, keep_records=True) for s in (easter, quiet)]


def test_the_figure_has_the_backlog_abandoned_and_repeat_call_panels(results):
    fig = callback_backlog(*results, labels=["ring again", "wait quietly"])
    backlog, abandoned, repeats = fig.axes
    assert [line.get_label() for line in backlog.get_lines()] == ["ring again", "wait quietly"]
    assert [a.get_label() for a in abandoned.patches if a.get_label()[0] != "_"] == [
        "ring again",
        "wait quietly",
    ]
    # nobody waiting quietly rings again: one line in the repeat-call panel
    assert [a.get_label() for a in repeats.patches if a.get_label()[0] != "_"] == ["ring again"]
    assert all(ax.get_ylabel() and ax.get_title("left") for ax in fig.axes)
    assert "Fri" in repeats.get_xticklabels()[1].get_text()  # weekday names on the dates
    assert any(p.get_label() == "bank holiday" for p in backlog.patches)  # Good Friday shaded


def test_repeat_calls_per_hour_add_up_to_the_repeat_calls_in_the_records(results):
    ringing = results[0]
    stairs = next(p for p in callback_backlog(ringing).axes[2].patches if p.get_label()[0] != "_")
    per_hour = stairs.get_data().values
    repeats = [((r.calls.repeat_of >= 0) & (r.calls.attempt == 0)).sum() for r in ringing.records]
    assert per_hour.size == 48 and np.mean(repeats) > 0
    assert per_hour.sum() == pytest.approx(np.mean(repeats))


def test_the_backlog_is_the_step_log_read_every_ten_minutes(results):
    ringing = results[0]
    line = callback_backlog(ringing).axes[0].get_lines()[0]
    assert line.get_ydata().size == 2 * 24 * 6 + 1  # every 10 min, both ends included
    noon_friday = (24 + 12) * 60.0

    def level_at(log, t):  # the level after the last change at or before t
        return [level for time, level in zip(log.time_min, log.level, strict=True) if time <= t][-1]

    expected = np.mean([level_at(r.awaiting_clinician, noon_friday) for r in ringing.records])
    assert expected > 0
    assert line.get_ydata()[int(noon_friday // 10)] == pytest.approx(expected)


def test_the_figure_needs_per_call_records():
    scenario = load_scenario(SCENARIOS / "easter-2013.toml").with_overrides({"run.hours": 6})
    result = run_experiment(scenario, replications=2, seed=1)
    with pytest.raises(ValueError, match="keep_records=True"):
        callback_backlog(result)
