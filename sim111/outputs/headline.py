"""The headline: the answer a board member wants before the detail.

A few generated sentences and a traffic-light strip, from an
:class:`~sim111.experiments.replications.ExperimentResult` only: which of the
scenario's targets (``[targets]``) were met or missed over the run, on which
days they were missed (whole-run means average a bad day away: Easter 2013's
Good Friday), the worst half-hour, and cost per answered call against the
contract price. Targets are judged by the same function as every table
(:func:`~sim111.outputs.files.target_marks`), and days by the same targets.
"""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass

import pandas as pd

from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.formatting import _fmt, gbp
from sim111.scenario.targets import Target, kpi_targets

TEXT_WIDTH = 100  # the terminal headline's sentences are wrapped to this
MIN_CALLS_PER_HALF_HOUR = 5.0  # a worst half-hour of 2 calls says nothing


@dataclass(frozen=True)
class Light:
    """One tile of the traffic-light strip: ``status`` is met, missed, unattainable or info."""

    label: str
    value: str
    target: str
    status: str
    word: str = ""  # for a terminal: MET, MISSED... (default: the status in capitals)


@dataclass(frozen=True)
class Headline:
    """Generated sentences, the strip, and the labels of the days that missed a target."""

    sentences: tuple[str, ...]
    lights: tuple[Light, ...]
    days_missed: tuple[str, ...]


def _status(mark: str) -> str:
    return {"met": "met", "MISSED": "missed", "": "info"}.get(mark, "unattainable")


def _target_lights(result: ExperimentResult) -> list[Light]:
    from sim111.outputs.files import target_marks

    lights = []
    for key, (target, mark) in target_marks(result).items():
        kpi = kpi_info(key)
        value = _fmt(kpi, float(result.summary.loc[key, "mean"]))
        lights.append(Light(_short(kpi.label), value, target.text(), _status(mark)))
    return lights


def _short(label: str) -> str:
    return label.split(" (")[0]


def day_marks(result: ExperimentResult) -> pd.DataFrame:
    """Per day: its label, day type, and each target KPI's mean and mark (``met``/``MISSED``)."""
    days = result.period_summary("day")
    if days.empty:
        return days
    days = days[~days["in_warmup"]].reset_index(drop=True)
    targets = {k: t for k, t in kpi_targets(result.scenario).items() if k in days.columns}
    out = days[["label", "day_type"]].copy()
    for key, target in targets.items():
        out[key] = days[key]
        out[f"{key}_mark"] = [_day_mark(target, float(v)) for v in days[key]]
    marks = [f"{k}_mark" for k in targets]
    out["missed"] = (out[marks] == "MISSED").any(axis=1) if marks else False
    return out


def _day_mark(target: Target, value: float) -> str:
    return "" if math.isnan(value) else target.status(value)


LIST_DAYS_UP_TO = 3  # more missed days than this: a count and the worst day


def _day_text(row: pd.Series, key: str) -> str:
    holiday = " (bank holiday)" if row["day_type"] == "bank_holiday" else ""
    day = str(row["label"]).rsplit(" ", 1)[0]  # "Fri 29 Mar"
    return f"{day}{holiday} {_fmt(kpi_info(key), float(row[key]))}"


def _day_sentence(result: ExperimentResult, days: pd.DataFrame) -> str:
    """Per target KPI, the days it was missed: listed if few, else counted with the worst."""
    if days.empty:
        return ""
    n = len(days)
    if not days["missed"].any():
        return f"Every one of the {n} days met every target."
    parts = []
    for key in (c.removesuffix("_mark") for c in days.columns if c.endswith("_mark")):
        missed = days[days[f"{key}_mark"] == "MISSED"]
        if missed.empty:
            continue
        what = _short(kpi_info(key).label).lower()
        if len(missed) <= LIST_DAYS_UP_TO:
            listed = ", ".join(_day_text(row, key) for _, row in missed.iterrows())
            parts.append(f"{what} on {listed}")
        else:
            better = kpi_info(key).better
            worst = missed.loc[missed[key].idxmin() if better == "higher" else missed[key].idxmax()]
            parts.append(f"{what} on {len(missed)} of {n} days, worst {_day_text(worst, key)}")
    return "Missed by day: " + "; ".join(parts) + "."


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
    summary = result.summary
    if "cost_per_call_gbp" not in summary.index:
        return "", None
    cost = float(summary.loc["cost_per_call_gbp", "mean"])
    price = result.scenario.costs.price_per_call_gbp
    if math.isnan(cost):
        return "", None
    if price is None:
        text = f"It cost {gbp(cost)} per answered call; no contract price is set."
        return text, Light("Cost per answered call", gbp(cost), "no price set", "info", "COST")
    gap = price - cost
    verdict = "covers it" if gap >= 0 else f"falls {gbp(-gap)} short per call"
    text = (
        f"It cost {gbp(cost)} per answered call (the break-even price); the contract "
        f"price of {gbp(price)} {verdict}."
    )
    status = "met" if gap >= 0 else "missed"
    word = "COVERED" if gap >= 0 else "LOSS"
    light = Light("Break-even price", gbp(cost), f"price {gbp(price)}", status, word)
    return text, light


def _overall_sentence(result: ExperimentResult, lights: list[Light]) -> str:
    s = result.scenario
    first = pd.Timestamp(s.run.start_date)
    period = f"{s.run.length_text} from {first:%a} {first.day} {first:%b %Y}"
    if not lights:
        return f"Over {period} ({result.replications} replications) the scenario sets no targets."
    said = [
        f"{light.label.lower()} {light.value} against {light.target} "
        f"({'met' if light.status == 'met' else light.status})"
        for light in lights
    ]
    return f"Over {period} ({result.replications} replications): " + "; ".join(said) + "."


def headline(result: ExperimentResult) -> Headline:
    """The headline of ``result`` (see the module docstring)."""
    targets = _target_lights(result)
    days = day_marks(result)
    money_text, money_light = _money(result)
    day_lights = (
        [
            Light(
                str(row.label).rsplit(" ", 1)[0],
                "bank holiday" if row.day_type == "bank_holiday" else str(row.day_type),
                "targets",
                "missed" if row.missed else "met",
            )
            for row in days.itertuples(index=False)
        ]
        if not days.empty and len(days) <= 31
        else []
    )
    sentences = [
        _overall_sentence(result, targets),
        _day_sentence(result, days),
        _worst_sentence(result),
        money_text,
    ]
    lights = targets + ([money_light] if money_light else []) + day_lights
    missed = tuple(str(x) for x in days.loc[days["missed"], "label"]) if not days.empty else ()
    return Headline(tuple(x for x in sentences if x), tuple(lights), missed)


def headline_text(h: Headline) -> str:
    """The headline for a terminal: the sentences, then the strip as bracketed marks."""
    strip = [
        f"[{light.word or light.status.upper():^12}] {light.label}: {light.value} ({light.target})"
        for light in h.lights
        if light.target != "targets"
    ]
    wrapped = [textwrap.fill(sentence, width=TEXT_WIDTH) for sentence in h.sentences]
    return "\n".join([*wrapped, "", *strip])


def headline_html(h: Headline) -> str:
    """The headline for report.html: the sentences and a strip of coloured tiles."""
    tiles = "".join(
        f'<div class="light {light.status}"><span class="what">{html.escape(light.label)}</span>'
        f'<span class="value">{html.escape(light.value)}</span>'
        f'<span class="target">{html.escape(light.target)}</span></div>'
        for light in h.lights
    )
    text = "".join(f"<p>{html.escape(s)}</p>" for s in h.sentences)
    return f'<section id="headline"><div class="strip">{tiles}</div>{text}</section>'
