"""The committed docs and scenarios stay in step with the code."""

from __future__ import annotations

import pytest

from sim111.experiments.replications import run_experiment
from sim111.experiments.sweepfile import load_sweep
from sim111.scenario import load_scenario
from sim111.scenario.docs import reference_markdown
from tests.conftest import ROOT, SCENARIOS, scenario_files, sweep_files


def test_scenario_reference_is_current():
    committed = (ROOT / "docs" / "scenario-reference.md").read_text()
    assert committed == reference_markdown(), (
        "regenerate: python -m sim111.scenario.docs > docs/scenario-reference.md"
    )


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_scenario_runs_on_a_short_horizon(path):
    scenario = load_scenario(path).with_overrides({"run.days": 1, "run.warmup_min": 0})
    result = run_experiment(scenario, replications=2, seed=1)
    assert result.kpis["calls_offered"].min() > 0


def test_readme_commands_name_real_files():
    readme = (ROOT / "README.md").read_text()
    assert "scenarios/typical-area.toml" in readme
    assert (SCENARIOS / "typical-area.toml").exists()


@pytest.mark.parametrize("path", sweep_files(), ids=lambda p: p.name)
def test_every_sweep_file_loads(path):
    spec = load_sweep(path)
    assert spec.points and spec.replications >= 1


def test_committed_notebooks_have_no_outputs():
    import json

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
