"""The scenario page: pick or upload a scenario, edit what a planner changes, keep it.

Edits become dotted-key overrides applied with
:meth:`~sim111.scenario.Scenario.with_overrides`, validated as ``--set`` is on
the command line: a bad value shows the command line's one-line error beside
its field, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from sim111.app import state
from sim111.app.widgets import show_error
from sim111.errors import ScenarioError
from sim111.outputs.files import scenario_toml
from sim111.outputs.folders import slug
from sim111.scenario import Distribution, Scenario

MEAN_KINDS = ("exponential", "lognormal", "gamma", "fixed")  # distributions set by mean_min
DATE_COLUMNS = ("date", "end_date", "multiplier", "calls", "day_type")
DAY_TYPES = ("weekday", "saturday", "sunday", "bank_holiday")


@dataclass(frozen=True)
class Field:
    """An editable parameter: its dotted key, label, and value in a scenario (``None``:
    not editable there, e.g. a patience of kind ``never`` has no mean)."""

    key: str
    label: str
    value: Callable[[Scenario], Any]
    step: float | int = 0.05
    shown: str = "%.4f"  # as the number is shown (Streamlit rounds to 2 places by default)


def _mean(d: Distribution) -> float | None:
    return d.mean_min if d.kind in MEAN_KINDS else None


def fields(s: Scenario) -> list[Field]:
    """The parameters the page edits, for scenario ``s`` (one roster scale per staff group)."""
    run = [
        Field("run.start_date", "Start date", lambda x: x.run.start_date),
        Field("run.days", "Days", lambda x: x.run.days or x.run.calendar_days, 1),
        Field("demand.population", "Population", lambda x: x.demand.population, 10_000),
        Field("demand.scale", "Demand scale", lambda x: x.demand.scale),
    ]
    staff = [
        Field("advisors.roster_scale", "Roster scale: advisors", lambda x: x.advisors.roster_scale)
    ]
    staff += [
        Field(f"clinicians.{i}.roster_scale", f"Roster scale: {c.name}", _scale_of(i))
        for i, c in enumerate(s.clinicians)
    ]
    rest = [
        Field(
            "advisors.handle_time.mean_min",
            "Advisor handling time, mean (min)",
            lambda x: _mean(x.advisors.handle_time),
            0.5,
        ),
        Field(
            "callers.patience.mean_min",
            "Caller patience, mean (min)",
            lambda x: _mean(x.callers.patience),
            0.5,
        ),
        Field(
            "triage.clinical_share",
            "Clinical share of answered calls",
            lambda x: x.triage.clinical_share,
            0.01,
        ),
        Field(
            "costs.price_per_call_gbp",
            "Price per answered call (£)",
            lambda x: x.costs.price_per_call_gbp,
            0.25,
        ),
    ]
    return run + staff + rest


def _scale_of(i: int) -> Callable[[Scenario], float]:
    return lambda x: x.clinicians[i].roster_scale


def _base() -> tuple[Scenario | None, str]:
    """The scenario to start from and its file name: an upload, else the library's pick."""
    names = list(state.library())
    pick, upload = st.columns(2)
    hand = state.current()
    first = next((n for n in names if hand and state.library()[n].stem == hand[1].name), None)
    default = first or (state.DEFAULT_SCENARIO if state.DEFAULT_SCENARIO in names else None)
    choice = pick.selectbox(
        "Scenario library", names, index=names.index(default) if default else 0, key="sc_pick"
    )
    uploaded = upload.file_uploader("Or upload a scenario file", type=["toml"], key="sc_upload")
    try:
        if uploaded is not None:
            return state.load_upload(uploaded.name, uploaded.getvalue()), uploaded.name
        if choice is None:
            pick.info("No scenario library found: upload a scenario file.")
            return None, ""
        return state.load_library(choice), choice
    except ScenarioError as err:
        show_error(err, upload if uploaded is not None else pick)
        return None, ""


def _date_rows(s: Scenario) -> pd.DataFrame:
    rows = [{c: getattr(d, c) for c in DATE_COLUMNS} for d in s.demand.dates]
    return pd.DataFrame(rows, columns=list(DATE_COLUMNS)).astype({"date": object})


def _as_tables(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The editor's rows as ``[[demand.dates]]`` tables (blank cells left out)."""
    tables = []
    for row in frame.to_dict("records"):
        table = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                continue
            table[str(key)] = _cell(str(key), value)
        if table:
            tables.append(table)
    return tables


def _cell(column: str, value: Any) -> Any:
    """A cell as the scenario wants it: dates as dates (the editor may give text or a
    timestamp), numbers as plain floats."""
    if column in ("date", "end_date"):
        if isinstance(value, pd.Timestamp | dt.datetime):
            return value.date()
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return float(value) if column in ("multiplier", "calls") else value


def _surges(base: Scenario, tag: str) -> list[dict[str, Any]] | None:
    """The per-date surges editor; the new ``demand.dates`` if edited, else ``None``."""
    st.markdown("**Demand on named dates** (a multiplier, or expected calls, per date)")
    given = _date_rows(base)
    edited = st.data_editor(
        given,
        num_rows="dynamic",
        key=f"{tag}:dates",
        column_config={
            "date": st.column_config.DateColumn("date", required=True),
            "end_date": st.column_config.DateColumn("end date"),
            "multiplier": st.column_config.NumberColumn("multiplier", step=0.05),
            "calls": st.column_config.NumberColumn("calls a day"),
            "day_type": st.column_config.SelectboxColumn("day type", options=list(DAY_TYPES)),
        },
    )
    tables = _as_tables(edited)
    return None if tables == _as_tables(given) else tables


def _inputs(base: Scenario, tag: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each field's input (keyed by the base, so picking another resets them); returns
    the overrides (edited values only) and a placeholder beside each field for its error."""
    overrides: dict[str, Any] = {}
    spots: dict[str, Any] = {}
    columns = st.columns(4)
    for n, f in enumerate(fields(base)):
        given = f.value(base)
        box = columns[n % 4]
        if isinstance(given, dt.date):
            value: Any = box.date_input(f.label, given, key=f"{tag}:{f.key}", format="YYYY-MM-DD")
        elif f.key == "costs.price_per_call_gbp" or given is not None:
            kind = int if isinstance(f.step, int) else float
            start = None if given is None else kind(given)
            value = box.number_input(
                f.label,
                value=start,
                step=kind(f.step),
                format=None if kind is int else f.shown,
                key=f"{tag}:{f.key}",
            )
        else:
            box.caption(f"{f.label}: not a mean-set distribution here (edit the file)")
            continue
        spots[f.key] = box.empty()
        if value is not None and value != given:
            overrides[f.key] = value
    dates = _surges(base, tag)
    spots["demand.dates"] = st.empty()
    if dates is not None:
        overrides["demand.dates"] = dates
    return overrides, spots


def validated(base: Scenario, overrides: dict[str, Any], source: str) -> Scenario:
    """``base`` with ``overrides`` applied as the command line's ``--set`` applies them
    (the same :class:`~sim111.errors.ScenarioError` message, naming the first bad key)."""
    return base.with_overrides(overrides, f"{source} with --set") if overrides else base


def _first_bad(base: Scenario, overrides: dict[str, Any], source: str) -> str | None:
    """The first key whose override, with those before it, fails (the one to flag)."""
    for n, key in enumerate(overrides):
        try:
            validated(base, dict(list(overrides.items())[: n + 1]), source)
        except ScenarioError:
            return key
    return None


def _summary(s: Scenario) -> str:
    groups = ", ".join(f"{c.name} x{c.roster_scale:g}" for c in s.clinicians) or "none"
    price = s.costs.price_per_call_gbp
    surges = ", ".join(f"{d.date} x{d.multiplier:g}" for d in s.demand.dates if d.multiplier)
    return "\n".join(
        [
            f"- **{s.name}**: {s.run.length_text} from {s.run.start_date:%a %d %b %Y}",
            f"- population {s.demand.population:,}, demand x{s.demand.scale:g}"
            + (f"; surges {surges}" if surges else ""),
            f"- advisors x{s.advisors.roster_scale:g}; clinicians: {groups}; "
            f"clinical share {s.triage.clinical_share:.0%}",
            f"- price per answered call: {'not set' if price is None else f'£{price:,.2f}'}",
        ]
    )


def _keep(scenario: Scenario, edited: bool, tag: str) -> None:
    """The validated scenario: summary, TOML, download, and the button that keeps it."""
    st.subheader("Validated scenario")
    st.markdown(_summary(scenario))
    text = scenario_toml(scenario, f"sim111 scenario {scenario.name}")
    with st.expander("Scenario file (TOML)"):
        st.code(text, language="toml")
    label = st.text_input(
        "Keep as",
        f"{scenario.name} (edited)" if edited else scenario.name,
        key=f"{tag}:label:{edited}",
    )
    download, keep = st.columns(2)
    download.download_button(
        "Download TOML", text, file_name=f"{slug(scenario.name)}.toml", on_click="ignore"
    )
    if keep.button("Use this scenario", type="primary", key="sc_use"):
        named = scenario if label == scenario.name else scenario.with_overrides({"name": label})
        state.set_current(label, named)
        keep.success(f"Using {label} on Run, Compare, Staff & price and Batch.")


def render() -> None:
    """Draw the page."""
    st.title("Scenario")
    base, source = _base()
    if base is None:
        return
    tag = f"sc:{source}:{base.name}"
    overrides, spots = _inputs(base, tag)
    try:
        scenario = validated(base, overrides, source)
    except ScenarioError as err:
        bad = _first_bad(base, overrides, source)
        show_error(err, spots.get(bad or "", st))
        return
    _keep(scenario, bool(overrides), tag)
    hand = state.current()
    if hand is not None:
        st.caption(f"In use on the other pages: {hand[0]}")
