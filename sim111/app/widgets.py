"""Display helpers the app's pages share: errors, the headline, KPI cards, days, charts, files.

Each draws with Streamlit from an
:class:`~sim111.experiments.replications.ExperimentResult` through sim111's
outputs (the same headline, marks, tables, charts and files as the command
line); nothing here computes a KPI. Stable names for every page:
:func:`show_error`, :func:`show_headline`, :func:`kpi_cards`,
:func:`days_table`, :func:`charts`, :func:`download_buttons` (files made by
:func:`result_files`); the values shown
come from :func:`kpi_card` and :func:`day_frame`, which tests compare with the API.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from sim111.experiments.marks import target_marks
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.days import day_marks, short_label
from sim111.outputs.excel import excel_available, workbook_sheets, write_xlsx
from sim111.outputs.files import scenario_toml
from sim111.outputs.folders import slug
from sim111.outputs.formatting import _fmt
from sim111.outputs.headline import HEADLINE_CSS, headline, headline_html
from sim111.outputs.periods import write_periods_csv
from sim111.outputs.plots import figures
from sim111.outputs.report import CAPTIONS, png_bytes, report_html

CARD_KEYS = (
    "answered_within_60s",
    "abandoned_after_30s",
    "callback_within_10min",
    "cost_per_call_gbp",
    "break_even_price_per_call_gbp",
)
COLOURS = {"met": "green", "missed": "red", "uncertain": "orange", "unattainable": "orange"}
STATUS_WORDS = {"missed": "MISSED", "uncertain": "unsure"}  # met, unattainable: as they are
MONEY_WORDS = {"met": "margin", "missed": "LOSS"}  # break-even price against the contract's
DAY_COLUMNS = ("calls_offered", *CARD_KEYS[:3])
DOWNLOADS = {  # file written by write_outputs -> (button label, MIME type)
    "report.html": ("Report (HTML)", "text/html"),
    "report.xlsx": (
        "Workbook (Excel)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "summary.csv": ("KPIs (CSV)", "text/csv"),
    "by_day.csv": ("By day (CSV)", "text/csv"),
    "intervals.csv": ("By half-hour (CSV)", "text/csv"),
    "scenario.toml": ("Scenario (TOML)", "application/toml"),
}


def show_error(err: Exception, where: object = None) -> None:
    """``err`` as the command line prints it (``error: ...``, one line), in ``where``
    (a column or placeholder) if given, else in the page."""
    text = f"error: {err}".splitlines()[0]
    (where if where is not None else st).error(text)  # type: ignore[attr-defined]


def show_headline(result: ExperimentResult) -> None:
    """The headline of report.html: a strip of lights (targets, price), sentences, days."""
    st.html(f"<style>{HEADLINE_CSS}</style>" + headline_html(headline(result)))


@dataclass(frozen=True)
class Card:
    """One KPI card: its short label, the mean as shown, its 95% CI, the target and how
    it is marked."""

    key: str
    label: str
    value: str
    ci: str
    target: str
    status: str  # met, missed, uncertain (the CI holds the target), unattainable, info


def kpi_card(result: ExperimentResult, key: str) -> Card | None:
    """The card of KPI ``key`` (``None`` if the run did not measure it), marked by
    :func:`~sim111.experiments.marks.target_marks` as every table is."""
    summary = result.summary
    if key not in summary.index or not summary.loc[key, "n"] > 0:
        return None
    kpi, row = kpi_info(key), summary.loc[key]
    low, high = float(row["ci_low"]), float(row["ci_high"])
    ci = "" if math.isnan(low) else f"95% CI {_fmt(kpi, low)} – {_fmt(kpi, high)}"
    target, status = "no target", "info"
    marks = target_marks(result)
    if key in marks:
        aim, mark = marks[key]
        target = aim.text()
        status = {"met": "met", "MISSED": "missed", "": "info"}.get(mark, "unattainable")
        if status in ("met", "missed") and ci and low <= aim.value <= high:
            status = "uncertain"
    price = result.scenario.costs.price_per_call_gbp
    if key == "break_even_price_per_call_gbp" and price is not None:
        target = f"price {_fmt(kpi, price)}"
        status = "met" if float(row["mean"]) <= price else "missed"
    return Card(key, short_label(kpi.label), _fmt(kpi, float(row["mean"])), ci, target, status)


def kpi_cards(result: ExperimentResult, keys: tuple[str, ...] = CARD_KEYS) -> list[Card]:
    """A row of cards (st.metric) for ``keys``: the mean, the target and its mark
    (coloured), the 95% CI; returns the cards drawn."""
    cards = [c for c in (kpi_card(result, k) for k in keys) if c is not None]
    for column, card in zip(st.columns(max(len(cards), 1)), cards, strict=False):
        words = MONEY_WORDS if card.key.startswith("break_even") else STATUS_WORDS
        word = words.get(card.status, card.status)
        column.metric(
            card.label,
            card.value,
            delta=f"{word}: {card.target}" if card.status != "info" else card.target,
            delta_color=COLOURS.get(card.status, "gray"),  # type: ignore[arg-type]
            delta_arrow="off",
            border=True,
        )
        column.caption(card.ci)
    return cards


def day_frame(result: ExperimentResult) -> pd.DataFrame:
    """Day by day (:func:`~sim111.outputs.days.day_marks` and the calls offered): each
    day's means over replications and the targets it missed."""
    days = result.period_summary("day")
    if days.empty:
        return pd.DataFrame()
    measured = days[~days["in_warmup"].astype(bool)].reset_index(drop=True)
    marks = day_marks(result)
    frame = pd.DataFrame({"day": marks["label"], "day type": marks["day_type"]})
    for key in DAY_COLUMNS:
        source = measured if key == "calls_offered" else marks
        if key in source:
            frame[kpi_info(key).label] = source[key].to_numpy()
    missed = [c.removesuffix("_mark") for c in marks.columns if c.endswith("_mark")]
    frame["missed"] = [
        ", ".join(kpi_info(k).label for k in missed if row[f"{k}_mark"] == "MISSED")
        for _, row in marks.iterrows()
    ]
    return frame


def days_table(result: ExperimentResult) -> pd.DataFrame:
    """The day-by-day table (shares as percentages); returns the frame shown."""
    frame = day_frame(result)
    percent = st.column_config.NumberColumn(format="percent")
    config = {kpi_info(k).label: percent for k in DAY_COLUMNS[1:]}
    config[kpi_info("calls_offered").label] = st.column_config.NumberColumn(format="%.0f")
    st.dataframe(frame, hide_index=True, column_config=config)
    return frame


def _result_key(result: ExperimentResult) -> tuple[object, ...]:
    """What makes a result what it is: its scenario, seed and replications."""
    return (result.scenario, result.seed, tuple(result.kpis["replication"]))


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs={ExperimentResult: _result_key})
def chart_pngs(result: ExperimentResult) -> dict[str, bytes]:
    """The report's charts of ``result`` as PNG, by name; drawn once per result."""
    return {name: png_bytes(fig) for name, fig in figures(result).items()}


def charts(result: ExperimentResult) -> list[str]:
    """The report's half-hourly charts with their captions; returns their names."""
    pngs = chart_pngs(result)
    for name, png in pngs.items():
        st.image(png, caption=CAPTIONS[name], width="stretch")
    return list(pngs)


def _written(write: Callable[[Path], object]) -> bytes:
    """What ``write(path)`` writes, as bytes (the CLI's writers take a path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file"
        write(path)
        return path.read_bytes()


def result_files(result: ExperimentResult) -> dict[str, Callable[[], bytes | str]]:
    """The files ``sim111 run --out`` writes that a planner downloads, each made
    when asked: report.html, report.xlsx (with openpyxl), the CSVs, the scenario."""
    pngs = chart_pngs(result)
    files: dict[str, Callable[[], bytes | str]] = {
        "report.html": lambda: report_html(result, pngs),
        "summary.csv": lambda: result.summary.to_csv(),
        "by_day.csv": lambda: _written(lambda p: write_periods_csv(result, "day", p)),
        "intervals.csv": lambda: result.intervals.to_csv(index=False),
        "scenario.toml": lambda: scenario_toml(result.scenario, f"sim111 {result.scenario.name}"),
    }
    if excel_available():
        files["report.xlsx"] = lambda: _written(lambda p: write_xlsx(p, workbook_sheets(result)))
    return files


def download_buttons(result: ExperimentResult) -> list[str]:
    """A button per file of :func:`result_files` (made on click, no rerun); returns the
    file names offered."""
    files = result_files(result)
    names = [name for name in DOWNLOADS if name in files]
    for column, name in zip(st.columns(len(names)), names, strict=True):
        label, mime = DOWNLOADS[name]
        stem = slug(result.scenario.name) if name == "scenario.toml" else name.split(".")[0]
        file_name = f"{stem}.{name.split('.')[1]}"
        column.download_button(
            label, files[name], file_name=file_name, mime=mime, on_click="ignore"
        )
    return names
