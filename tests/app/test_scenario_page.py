"""The scenario page: pick, edit, validate, upload and keep a scenario (AppTest)."""

from __future__ import annotations

import datetime as dt

from sim111.app.views.scenario import validated
from sim111.scenario import load_scenario
from tests.app.conftest import ROOT

EASTER = ROOT / "scenarios" / "easter-2013.toml"


def _field(at, label):
    return next(n for n in at.number_input if n.label == label)


def test_the_fields_show_the_picked_scenario_and_an_edit_is_kept_as_the_cli_would_apply_it(app):
    at = app.run()
    assert not at.exception
    at.selectbox(key="sc_pick").select("easter-2013.toml").run()
    easter = load_scenario(EASTER)
    assert _field(at, "Days").value == 6
    assert _field(at, "Population").value == easter.demand.population
    assert _field(at, "Roster scale: clinical advisors").value == easter.clinicians[0].roster_scale
    assert _field(at, "Advisor handling time, mean (min)").value == 14.0
    _field(at, "Days").set_value(2).run()
    _field(at, "Demand scale").set_value(1.2).run()
    assert "2 days from Thu 28 Mar 2013" in at.markdown[-1].value
    assert at.text_input[0].value == "easter-2013 (edited)"
    at.button(key="sc_use").click().run()
    label, kept = at.session_state["sim111_current"]
    assert label == "easter-2013 (edited)"
    expected = easter.with_overrides({"run.days": 2, "demand.scale": 1.2})
    assert kept == expected.with_overrides({"name": label})
    assert at.session_state["sim111_saved"][label] == kept
    assert not at.error and not at.exception


def test_a_bad_value_shows_the_clis_one_line_error_beside_it_and_nothing_to_keep(app):
    at = app.run()
    at.selectbox(key="sc_pick").select("easter-2013.toml").run()
    _field(at, "Clinical share of answered calls").set_value(1.5).run()
    assert [e.value for e in at.error] == [
        "error: easter-2013.toml with --set: 'triage.clinical_share' must be <= 1, got 1.5"
    ]
    assert not at.exception
    assert not [b for b in at.button if b.key == "sc_use"]
    _field(at, "Clinical share of answered calls").set_value(0.3).run()
    assert not at.error
    assert "clinical share 30%" in at.markdown[-1].value


def test_a_surge_added_in_the_dates_table_becomes_demand_dates(app):
    at = app.run()
    at.selectbox(key="sc_pick").select("easter-2013.toml").run()
    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [{"date": "2013-03-29", "multiplier": 1.3}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert not at.error, at.error[0].value
    assert "surges 2013-03-29 x1.3" in at.markdown[-1].value


def test_validated_applies_dates_as_the_scenario_file_would():
    easter = load_scenario(EASTER)
    surge = [{"date": dt.date(2013, 3, 29), "multiplier": 1.3}]
    edited = validated(easter, {"demand.dates": surge}, "easter-2013.toml")
    assert [(d.date, d.multiplier) for d in edited.demand.dates] == [(dt.date(2013, 3, 29), 1.3)]
    assert validated(easter, {}, "easter-2013.toml") is easter


def test_an_upload_is_used_and_a_bad_one_shows_one_line_and_no_traceback(app):
    at = app.run()
    typical = (ROOT / "scenarios" / "typical-area.toml").read_bytes()
    at.file_uploader(key="sc_upload").upload("mine.toml", b'name = "mine"\n').run()
    assert at.error and at.error[0].value.startswith("error: ")
    assert len(at.error) == 1 and "\n" not in at.error[0].value
    assert not at.exception
    at.file_uploader(key="sc_upload").clear().upload("bad.toml", b"[run]\ndays = \n").run()
    assert [e.value.split(":")[0] for e in at.error] == ["error"]
    assert "bad.toml" in at.error[0].value and not at.exception
    unknown = typical.replace(b"\ndays = 7", b"\ndayz = 7")
    at.file_uploader(key="sc_upload").clear().upload("unknown.toml", unknown).run()
    assert at.error[0].value.startswith("error: unknown.toml: ")
    assert "run.dayz" in at.error[0].value and not at.exception
    mine = typical.replace(b"population = 1_000_000", b"population = 2_000_000")
    at.file_uploader(key="sc_upload").clear().upload("mine.toml", mine).run()
    assert not at.error and not at.exception
    assert "population 2,000,000" in at.markdown[-1].value
