"""The compare page: levels and paired differences shown are the API's comparison's."""

from __future__ import annotations

import pytest

from sim111.experiments.compare import compare
from sim111.kpi_keys import kpi_info
from sim111.outputs.comparison_checks import difference_text
from sim111.outputs.comparison_report import kpi_label
from sim111.outputs.formatting import _fmt
from sim111.scenario import load_scenario
from tests.app.conftest import ROOT


@pytest.fixture(scope="module")
def pair():
    typical = load_scenario(ROOT / "scenarios" / "typical-area.toml")
    base = typical.with_overrides({"run.days": 1})
    more = base.with_overrides({"advisors.roster_scale": 1.1, "name": "more advisors"})
    return base, more


def test_two_kept_scenarios_compared_show_the_apis_levels_and_differences(app, pair):
    base, more = pair
    at = app.run()
    at.session_state["sim111_saved"] = {"typical": base, "more advisors": more}
    at.session_state["page"] = "compare"
    at.run()
    at.multiselect(key="cmp_pick").set_value(["typical", "more advisors"])
    at.number_input(key="cmp_reps").set_value(2)
    at.number_input(key="cmp_seed").set_value(9)
    at.button(key="cmp_go").click().run()
    assert not at.exception and not at.error
    expected = compare([base, more], 2, 9)
    levels, diffs = at.dataframe[0].value, at.dataframe[1].value
    key = "answered_within_60s"
    kpi = kpi_info(key)
    row = levels[levels["KPI"] == kpi_label(kpi)].iloc[0]
    for label, result in zip(["typical", "more advisors"], expected.results, strict=True):
        assert row[label].startswith(_fmt(kpi, result.summary.loc[key, "mean"]) + " (")
    want = expected.differences.set_index("kpi").loc[key]
    shown = diffs[diffs["KPI"] == kpi_label(kpi)].iloc[0]
    assert shown["difference"] == difference_text(kpi, want["difference"])
    assert shown["scenario"] == "1: more advisors"
    # more advisors answer more calls within 60 s in every replication: a clear difference
    assert want["difference"] > 0
    assert len(at.image) == 1  # the differences figure


def test_the_defaults_offer_the_scenario_in_hand_and_the_library(app, pair):
    base, _ = pair
    at = app.run()
    at.session_state["sim111_current"] = ("mine", base)
    at.session_state["sim111_saved"] = {"mine": base}
    at.session_state["page"] = "compare"
    at.run()
    assert at.multiselect(key="cmp_pick").value == ["mine", "library: typical-area.toml"]
    assert "library: easter-2013.toml" in at.multiselect(key="cmp_pick").options
