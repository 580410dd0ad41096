"""Scenario [targets]: validation, the reached-within-10-min ceiling, marks and notices."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from sim111.errors import ScenarioError
from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import KPI_BY_KEY
from sim111.outputs.files import kpi_table, result_json, target_marks
from sim111.scenario import Clinical, load_scenario
from sim111.scenario.targets import (
    Target,
    Targets,
    kpi_targets,
    reached_ceiling,
    target_notices,
)
from tests.conftest import SCENARIOS

TYPICAL = SCENARIOS / "typical-area.toml"


def clinical(**values):
    return dataclasses.replace(Clinical(), **values)


@pytest.mark.parametrize(
    ("values", "ceiling"),
    [
        ({}, 0.9),  # defaults: p 0.1, 2 min unanswered + 15 min delay: only attempt 1 fits
        ({"callback_retry_delay_min": 5.0}, 0.99),  # attempt 2 at 7 min
        ({"callback_retry_delay_min": 8.0}, 0.99),  # attempt 2 at exactly 10 min counts
        ({"callback_retry_delay_min": 8.5}, 0.9),  # attempt 2 at 10.5 min does not
        ({"callback_retry_delay_min": 3.0}, 0.999),  # attempts at 0, 5 and 10 min
        ({"callback_retry_delay_min": 3.0, "callback_max_attempts": 2}, 0.99),
        ({"callback_retry_delay_min": 0.0, "callback_no_answer_min": 0.0}, 0.999),
        ({"callback_retry_delay_min": 0.0, "callback_max_attempts": 1}, 0.9),
        ({"callback_no_answer_share": 0.3}, 0.7),
        ({"callback_no_answer_share": 0.0}, 1.0),
    ],
)
def test_reached_ceiling_exact_values(values, ceiling):
    assert reached_ceiling(clinical(**values)) == pytest.approx(ceiling, abs=1e-12)


def test_reached_ceiling_for_a_longer_target():
    # the urgent class's 20 min: the retry at 17 min fits
    assert reached_ceiling(Clinical(), within_min=20.0) == pytest.approx(0.99, abs=1e-12)


def test_every_target_is_a_kpi_with_a_direction():
    for f in dataclasses.fields(Targets):
        assert f.name in KPI_BY_KEY, f.name
        assert KPI_BY_KEY[f.name].better in ("higher", "lower"), f.name


def test_default_targets():
    assert Targets().values() == {
        "answered_within_60s": 0.95,
        "abandoned_after_30s": 0.05,
        "callback_within_10min": 0.90,
    }


def test_target_marks_and_text():
    higher = Target("answered_within_60s", 0.95, True)
    assert (higher.status(0.96), higher.status(0.95), higher.status(0.94)) == (
        "met",
        "met",
        "MISSED",
    )
    assert higher.status(math.nan) == ""
    assert higher.text() == ">= 95%"
    lower = Target("abandoned_after_30s", 0.05, False)
    assert (lower.status(0.04), lower.status(0.05), lower.status(0.06)) == ("met", "met", "MISSED")
    assert lower.text() == "<= 5%"
    capped = Target("callback_reached_within_10min", 0.95, True, ceiling=0.9)
    assert not capped.attainable
    assert capped.status(0.5) == "unattainable (at most 90%)"
    assert capped.status(0.96) == "unattainable (at most 90%)"  # noise above the ceiling
    assert Target("callback_reached_within_10min", 0.9, True, ceiling=1 - 0.1).attainable


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{TYPICAL.as_posix()}"\n{text}')
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[targets]\ncallback_within_5min = 0.9\n",
            "'targets.callback_within_5min' is not a known key here; allowed keys: "
            "abandoned_after_30s, answered_within_60s, callback_reached_within_10min, "
            "callback_within_10min",
        ),
        (
            "[targets]\ncallback_within_10min = 1.2\n",
            "'targets.callback_within_10min' must be <= 1",
        ),
        ("[targets]\nanswered_within_60s = -0.1\n", "'targets.answered_within_60s' must be >= 0"),
        (
            "[targets]\nabandoned_after_30s = '5%'\n",
            "'targets.abandoned_after_30s' must be a number",
        ),
    ],
)
def test_bad_targets_are_one_line_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert message in str(err.value)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_targets_round_trip_and_override(tmp_path):
    scenario = load_scenario(write(tmp_path, "[targets]\ncallback_reached_within_10min = 0.8\n"))
    assert scenario.targets.callback_reached_within_10min == 0.8
    assert scenario.targets.answered_within_60s == 0.95  # the base's
    again = scenario.with_overrides({"targets.callback_within_10min": 0.7})
    assert again.targets.callback_within_10min == 0.7
    assert again.with_overrides({}).targets == again.targets  # to_data and back


def test_notices_name_the_file_key_target_and_ceiling():
    scenario = load_scenario(TYPICAL)
    assert target_notices(scenario, "typical.toml") == []
    at_ceiling = scenario.with_overrides({"targets.callback_reached_within_10min": 0.9})
    assert target_notices(at_ceiling, "typical.toml") == []
    over = scenario.with_overrides({"targets.callback_reached_within_10min": 0.95})
    (notice,) = target_notices(over, "typical.toml")
    assert notice.startswith("typical.toml: [targets] callback_reached_within_10min = 95%")
    assert "at most 90%" in notice and "10% of call-back attempts go unanswered" in notice
    assert "17 min" in notice and "\n" not in notice
    assert kpi_targets(over)["callback_reached_within_10min"].ceiling == pytest.approx(0.9)


@pytest.fixture(scope="module")
def capped_result():
    scenario = load_scenario(TYPICAL).with_overrides(
        {"run.days": 1, "targets.callback_reached_within_10min": 0.95}
    )
    return run_experiment(scenario, replications=2, seed=1)


def test_tables_mark_an_unattainable_target_so_not_missed(capped_result):
    marks = target_marks(capped_result)
    assert marks["callback_reached_within_10min"][1] == "unattainable (at most 90%)"
    row = next(
        line
        for line in kpi_table(capped_result).splitlines()
        if line.startswith("Call-backs reaching a clinician within 10 min")
    )
    assert ">= 95%" in row and row.endswith("unattainable (at most 90%)")
    assert "MISSED" not in row
    out = json.loads(json.dumps(result_json(capped_result)))
    assert out["kpis"]["callback_reached_within_10min"]["status"] == "unattainable (at most 90%)"
    assert out["kpis"]["callback_reached_within_10min"]["target"] == 0.95


def test_tables_mark_against_the_scenario_targets(capped_result):
    mean = capped_result.summary.loc["answered_within_60s", "mean"]
    for target, mark in ((mean - 0.01, "met"), (mean + 0.01, "MISSED")):
        scenario = capped_result.scenario.with_overrides({"targets.answered_within_60s": target})
        result = dataclasses.replace(capped_result, scenario=scenario)
        assert target_marks(result)["answered_within_60s"][1] == mark
        lines = kpi_table(result).splitlines()
        row = next(line for line in lines if line.startswith("Answered within 60 s (of"))
        assert row.endswith(mark) and f">= {100 * target:.4g}%" in row
