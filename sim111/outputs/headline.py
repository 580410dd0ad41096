"""The headline: the answer a board member wants before the detail.

A few generated sentences and a traffic-light strip, from an
:class:`~sim111.experiments.replications.ExperimentResult` only: which of the
scenario's targets (``[targets]``) were met or missed over the run, on which
days they were missed (whole-run means average a bad day away: Easter 2013's
Good Friday), the worst half-hour, and cost per answered call against the
contract price. Targets are judged by the same function as every table
(:func:`~sim111.experiments.marks.target_marks`), and days by the same targets
(:mod:`sim111.outputs.days`); a mark whose 95% interval holds the target is
shown as uncertain, not as a verdict.
"""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass

import pandas as pd

from sim111.experiments.marks import target_marks
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.days import day_marks, day_sentence, short_label
from sim111.outputs.formatting import _fmt, gbp, plural
from sim111.outputs.rows import shown_keys
from sim111.scenario.targets import kpi_targets

HEADLINE_CSS = """
.strip { display: flex; flex-wrap: wrap; gap: 0.4em; margin: 1em 0; }
.light { border-radius: 0.4em; padding: 0.4em 0.7em; min-width: 7em; color: #fff; }
.light span { display: block; } .light .value { font-size: 1.3em; font-weight: bold; }
.light .what, .light .target { font-size: 0.85em; }
.light.met { background: #176c2e; } .light.missed { background: #b3001b; }
.light.unattainable { background: #8a5a00; } .light.info { background: #55606e; }
.light.uncertain {
  background: repeating-linear-gradient(135deg, #8a5a00 0 0.6em, #6d4700 0.6em 1.2em);
}
.light .word { font-size: 0.75em; font-weight: bold; letter-spacing: 0.05em; margin-top: 0.2em; }
.strip.days .light { min-width: 9em; } .strip.days .value { font-size: 1em; }
"""  # the strip's look, in report.html and in the app
TEXT_WIDTH = 100  # the terminal headline's sentences are wrapped to this
MIN_CALLS_PER_HALF_HOUR = 5.0  # a worst half-hour of 2 calls says nothing


@dataclass(frozen=True)
class Light:
    """One tile of the traffic-light strip.

    ``status`` (its colour) is met, missed, uncertain (the 95% interval holds
    the target), unattainable or info; ``word`` says it in words, so the strip
    reads in greyscale too.
    """

    label: str
    value: str
    target: str
    status: str
    word: str = ""  # shown with the light: MET, MISSED?, LOSS... (default: the status)


@dataclass(frozen=True)
class Headline:
    """Generated sentences, the strip, and the labels of the days that missed a target."""

    sentences: tuple[str, ...]
    lights: tuple[Light, ...]  # the targets and the price
    days: tuple[Light, ...]  # one per day, for runs of up to DAY_LIGHTS_UP_TO days
    days_missed: tuple[str, ...]


def _status(mark: str) -> str:
    return {"met": "met", "MISSED": "missed", "": "info"}.get(mark, "unattainable")


def _target_lights(result: ExperimentResult) -> list[Light]:
    """One light per target whose KPI the scenario measures (its feature in use)."""
    summary = result.summary
    marks = target_marks(result)
    keys = shown_keys(result.scenario, list(marks), lambda k: summary.loc[k, "n"] > 0)
    lights = []
    for key in keys:
        target, mark = marks[key]
        kpi, row = kpi_info(key), summary.loc[key]
        status, word = _status(mark), ""
        if status in ("met", "missed") and target.within(
            float(row["ci_low"]), float(row["ci_high"])
        ):
            status, word = "uncertain", f"{mark.upper()}?"
        value = _fmt(kpi, float(row["mean"]))
        lights.append(Light(short_label(kpi.label), value, target.text(), status, word))
    return lights


@dataclass(frozen=True)
class HalfHour:
    """One reporting interval's means over replications (see :func:`worst_half_hour`)."""

    start: pd.Timestamp
    text: str  # "Fri 29 Mar 20:30–21:00"
    answered_within_60s: float
    abandoned: float
    calls_offered: float


def worst_half_hour(result: ExperimentResult) -> HalfHour | None:
    """The interval (mean over replications, outside the warm-up, with at least
    :data:`MIN_CALLS_PER_HALF_HOUR` calls offered) with the lowest share answered
    within 60 s; ties go to the most abandoned. ``None`` if there is none."""
    iv = result.intervals
    if iv.empty:
        return None
    columns = ["calls_offered", "answered_within_60s", "abandoned"]
    mean = iv[~iv["in_warmup"]].groupby("interval_start")[columns].mean()
    mean = mean[mean["calls_offered"] >= MIN_CALLS_PER_HALF_HOUR].dropna()
    if mean.empty:
        return None
    ordered = mean.sort_values(["answered_within_60s", "abandoned"], ascending=[True, False])
    start = pd.Timestamp(ordered.index[0])
    row = ordered.iloc[0]
    end = start + pd.Timedelta(minutes=result.scenario.run.interval_min)
    return HalfHour(
        start,
        f"{start:%a} {start.day} {start:%b} {start:%H:%M}–{end:%H:%M}",
        float(row["answered_within_60s"]),
        float(row["abandoned"]),
        float(row["calls_offered"]),
    )


def _worst_sentence(result: ExperimentResult) -> str:
    worst = worst_half_hour(result)
    if worst is None:
        return ""
    target = kpi_targets(result.scenario).get("answered_within_60s")
    if target is not None and target.status(worst.answered_within_60s) == "met":
        return (
            f"Even the worst half-hour ({worst.text}) answered "
            f"{worst.answered_within_60s:.0%} of answered calls within 60 s."
        )
    return (
        f"The worst half-hour was {worst.text}: {worst.answered_within_60s:.0%} of "
        f"answered calls within 60 s and {worst.abandoned:.0%} of "
        f"{worst.calls_offered:,.0f} calls offered abandoned."
    )


def _money(result: ExperimentResult) -> tuple[str, Light | None]:
    """Break-even price (cost and penalties) against the contract price, per call or per head."""
    summary = result.summary
    costs = result.scenario.costs

    def mean(key: str) -> float:
        return float(summary.loc[key, "mean"]) if key in summary.index else math.nan

    per_head = costs.price_per_call_gbp is None and costs.price_per_head_per_year_gbp is not None
    unit = "per head a year" if per_head else "per answered call"
    even = mean(
        "break_even_price_per_head_per_year_gbp" if per_head else "break_even_price_per_call_gbp"
    )
    price = costs.price_per_head_per_year_gbp if per_head else costs.price_per_call_gbp
    if math.isnan(even):
        return "", None
    penalties = mean("penalties_gbp")
    also = " (cost plus KPI penalties)" if penalties > 0 else ""
    if price is None:
        text = f"Break-even price: {gbp(even)} {unit}{also}; no contract price is set."
        return text, Light("Break-even price", gbp(even), "no price set", "info", "NO PRICE")
    margin = mean("margin_gbp")
    verdict = (
        f"covers it, a margin of {gbp(margin)} over the run"
        if margin >= 0
        else f"falls short: a loss of {gbp(-margin)} over the run"
    )
    text = (
        f"Break-even price: {gbp(even)} {unit}{also}; the contract price of {gbp(price)} {verdict}."
    )
    status, word = ("met", "MARGIN") if margin >= 0 else ("missed", "LOSS")
    return text, Light("Break-even price", gbp(even), f"price {gbp(price)}", status, word)


def _overall_sentence(result: ExperimentResult, lights: list[Light]) -> str:
    s = result.scenario
    first = pd.Timestamp(s.run.start_date)
    period = f"{s.run.length_text} from {first:%a} {first.day} {first:%b %Y}"
    reps = plural(result.replications, "replication")
    if not lights:
        return f"Over {period} ({reps}) the scenario sets no targets."
    said = [
        f"{light.label.lower()} {light.value} against {light.target} ({_verdict(light)})"
        for light in lights
    ]
    return f"Over {period} ({reps}): " + "; ".join(said) + "."


def _verdict(light: Light) -> str:
    if light.status == "uncertain":
        return f"{light.word.rstrip('?').lower()}, but its 95% interval holds the target"
    return {"met": "met", "missed": "missed"}.get(light.status, light.status)


DAY_LIGHTS_UP_TO = 14  # longer runs: the days are in the sentence and the table, not tiles


def _day_lights(days: pd.DataFrame) -> list[Light]:
    """A tile per day: its share answered within 60 s (and abandoned), what it missed."""
    if days.empty or len(days) > DAY_LIGHTS_UP_TO or "answered_within_60s" not in days:
        return []
    keys = [c.removesuffix("_mark") for c in days.columns if c.endswith("_mark")]
    lights = []
    for _, row in days.iterrows():
        value = f"{_fmt(kpi_info('answered_within_60s'), row['answered_within_60s'])} in 60 s"
        if "abandoned_after_30s" in days:
            value += f", {_fmt(kpi_info('abandoned_after_30s'), row['abandoned_after_30s'])} ab."
        missed = [DAY_WORDS.get(k, k) for k in keys if row[f"{k}_mark"] == "MISSED"]
        holiday = " (bank hol.)" if row["day_type"] == "bank_holiday" else ""
        label = str(row["label"]).split(" (")[0].rsplit(" ", 1)[0] + holiday
        what = "missed: " + ", ".join(missed) if missed else "all targets met"
        lights.append(Light(label, value, what, "missed" if missed else "met", "DAY"))
    return lights


DAY_WORDS = {
    "answered_within_60s": "60 s",
    "abandoned_after_30s": "abandoned",
    "callback_within_10min": "call-backs",
    "callback_reached_within_10min": "call-backs reached",
}


def headline(result: ExperimentResult) -> Headline:
    """The headline of ``result`` (see the module docstring)."""
    targets = _target_lights(result)
    days = day_marks(result)
    money_text, money_light = _money(result)
    sentences = [
        _overall_sentence(result, targets),
        day_sentence(days),
        _worst_sentence(result),
        money_text,
    ]
    lights = targets + ([money_light] if money_light else [])
    missed = tuple(str(x) for x in days.loc[days["missed"], "label"]) if not days.empty else ()
    return Headline(
        tuple(x for x in sentences if x), tuple(lights), tuple(_day_lights(days)), missed
    )


def headline_text(h: Headline) -> str:
    """The headline for a terminal: the sentences, then the strip as bracketed marks."""
    strip = [
        f"[{light_word(light):^12}] {light.label}: {light.value} ({light.target})"
        for light in h.lights
    ]
    wrapped = [textwrap.fill(sentence, width=TEXT_WIDTH) for sentence in h.sentences]
    return "\n".join([*wrapped, "", *strip])


def headline_html(h: Headline) -> str:
    """The headline for report.html: a strip of tiles (targets and price), the
    sentences, then a strip of the days."""
    text = "".join(f"<p>{html.escape(s)}</p>" for s in h.sentences)
    days = f'<div class="strip days">{_tiles(h.days)}</div>' if h.days else ""
    return (
        f'<section id="headline"><div class="strip">{_tiles(h.lights)}</div>{text}{days}</section>'
    )


def _tiles(lights: tuple[Light, ...]) -> str:
    return "".join(
        f'<div class="light {light.status}"><span class="what">{html.escape(light.label)}</span>'
        f'<span class="value">{html.escape(light.value)}</span>'
        f'<span class="target">{html.escape(light.target)}</span>'
        f'<span class="word">{html.escape(light_word(light))}</span></div>'
        for light in lights
    )


def light_word(light: Light) -> str:
    """The light's status in words: MET, MISSED, MISSED? (uncertain), LOSS..."""
    if light.word and light.word != "DAY":
        return light.word
    return {"met": "MET", "missed": "MISSED"}.get(light.status, light.status.upper())
