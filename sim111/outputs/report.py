"""A self-contained HTML report: the headline, day by day, the charts, KPIs, assumptions.

Built from an :class:`~sim111.experiments.replications.ExperimentResult` only; the figures
are embedded as PNG (base64), so the file can be mailed to a board as it is.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math

from matplotlib.figure import Figure

from sim111.experiments.marks import target_marks
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import kpi_info
from sim111.outputs.areas import area_section_html
from sim111.outputs.charts_axes import no_mathtext, plain_figure
from sim111.outputs.formatting import _fmt
from sim111.outputs.headline import HEADLINE_CSS, headline, headline_html
from sim111.outputs.periods import period_kinds, periods_section_html
from sim111.outputs.plots import figures
from sim111.outputs.rows import shown_keys
from sim111.outputs.warnings import all_warnings, warnings_section_html
from sim111.scenario import Costs, Demand, Distribution, Scenario

CAPTIONS = {
    "demand": "Top: calls offered, answered and abandoned per half-hour (redials included). "
    "Bottom: health advisors on duty and busy, against the advisors Erlang-A says each "
    "half-hour needs to meet both the answered-within-60 s and the abandonment target at "
    "that half-hour's calls, handling time and caller patience (steady state: a yardstick, "
    "not a roster). A run of several areas shows the requirement only when all areas share "
    "one pool of advisors: areas answering their own calls need more advisors between them "
    "than their calls added together would suggest. Bank holidays shaded.",
    "abandonment": "Share of offered calls abandoned after waiting over 30 s, by half-hour "
    "offered, with the 95% interval across replications (when there are several), all "
    "abandoned calls (dotted) and the scenario's target (dashed). Bank holidays shaded.",
    "service_level": "Share of answered calls answered within 60 s, by half-hour offered, "
    "with the 95% interval across replications (when there are several) and the scenario's "
    "target (dashed). Bank holidays shaded.",
    "answer_times": "Mean, 90th and 95th percentile time to answer, by half-hour offered, "
    "against the 60 s standard (dashed). Bank holidays shaded.",
    "callback_queue": "The call-back backlog: calls waiting for a clinician (warm transfer or "
    "call-back; 95% interval across replications when there are several); the mean wait for "
    "a clinician by half-hour of the 111 call, against the 10 min standard (dashed); and the "
    "share of call-backs reaching a clinician within each priority class's target.",
    "overflow": "Calls sent to each overflow provider per half-hour (call-backs escalated "
    "to a provider included).",
    "downstream": "Referrals to each downstream service per half-hour of the 111 call, and "
    "cases waiting to be seen there (time-average).",
    "headcount": "Health advisors and clinicians on duty by time of day and day type (mean "
    "over the run's days of that type and the replications).",
    "costs": "The provider's cost over the run as a stack (each staff group's pay for "
    "rostered time with on-costs and shrinkage, the unsocial-hours uplift, overheads, "
    "overflow fees, clinician overtime), beside revenue and margin (95% intervals when "
    "there are several replications), and the cost per answered call against the contract "
    "price.",
}

STYLE = (
    """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.met { color: #176c2e; font-weight: bold; } .missed { color: #b3001b; font-weight: bold; }
.unattainable { color: #8a5a00; font-weight: bold; }
figure { margin: 1.5em 0; } figcaption { color: #555; } img { max-width: 100%; }
#headline p { font-size: 1.1em; max-width: 60em; }
#warnings { border-left: 0.4em solid #8a5a00; padding-left: 1em; }
"""
    + HEADLINE_CSS
    + """
"""
)
LONGEST_DAY_TABLE_DAYS = 62  # longer runs show weeks (and months from a year) instead


def png_bytes(fig: Figure) -> bytes:
    """A figure as PNG, every text as written (:func:`~sim111.outputs.charts_axes.plain_text`)."""
    buffer = io.BytesIO()
    with no_mathtext():  # ticks made while drawing: no mathtext either
        plain_figure(fig).savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _kpi_rows(result: ExperimentResult) -> str:
    rows = []
    marks = target_marks(result)
    summary = result.summary
    for key in shown_keys(result.scenario, list(summary.index), lambda k: summary.loc[k, "n"] > 0):
        row = summary.loc[key]
        kpi = kpi_info(key)
        ci = (
            ""
            if math.isnan(row["ci_low"])
            else f"{_fmt(kpi, row['ci_low'])} – {_fmt(kpi, row['ci_high'])}"
        )
        target, status = marks.get(key, (None, ""))
        css = {"met": "met", "MISSED": "missed"}.get(status, "unattainable")
        mark = f'<span class="{css}">{html.escape(status)}</span>' if status else ""
        shown = "" if target is None else target.text()
        unit = "" if kpi.unit in ("fraction", "calls", "GBP") else f" ({kpi.unit})"
        rows.append(
            f"<tr><td>{html.escape(kpi.label + unit)}</td><td>{_fmt(kpi, row['mean'])}</td>"
            f"<td>{ci}</td><td>{html.escape(shown)}</td><td>{mark}</td></tr>"
        )
    return "\n".join(rows)


def _demand_text(demand: Demand) -> str:
    if demand.kind == "stationary":
        return f"{demand.calls_per_hour:g} calls per hour, constant"
    return (
        f"{demand.population:,} people × {demand.calls_per_1000_per_year:g} calls per "
        f"1,000 a year × {demand.scale:g}; day-level CV {demand.overdispersion_cv:g}"
    )


def _costs_text(costs: Costs) -> str:
    price = costs.price_per_call_gbp
    price_text = f"£{price:.2f}" if price is not None else "not set"
    return (
        f"on-costs {costs.on_cost_share:.0%}, shrinkage {costs.shrinkage:.0%}, "
        f"overheads {costs.overhead_share:.0%}; price per call {price_text}"
    )


def _patience_text(patience: Distribution) -> str:
    if patience.kind == "never":
        return "never runs out (no one hangs up)"
    return f"{patience.kind}, mean {patience.mean_min:g} min"


def _areas_rows(s: Scenario) -> list[tuple[str, str]]:
    """A multi-area scenario's areas and how they share work (the rows below are the base
    area's, which each area overrides: see the areas section)."""
    if not s.areas:
        return []
    people = sum(a.demand.population for a in s.area_scenarios)
    sharing = s.sharing
    aid = ", mutual aid" if sharing.mutual_aid is not None else ""
    contingency = f", contingency provider {sharing.contingency}" if sharing.contingency else ""
    return [
        ("Areas", f"{len(s.areas)} areas, {people:,} people in all"),
        (
            "Sharing",
            f"advisors by {sharing.advisors}, clinicians by {sharing.clinicians}{aid}{contingency}",
        ),
        ("Rows below", "the base area's values; each area overrides its own"),
    ]


def assumptions(result: ExperimentResult) -> list[tuple[str, str]]:
    """The scenario's main assumptions, as (what, value) pairs for the report."""
    s = result.scenario
    period = (
        f"{s.run.length_text} from {s.run.start_date:%A %d %B %Y}; warm-up {s.run.warmup_min:g} min"
    )
    shifts = s.advisors.shifts
    roster = f"{len(shifts)} shift lines" if shifts else f"{s.advisors.count} constant"
    return [
        *_areas_rows(s),
        ("Period", period),
        ("Demand", _demand_text(s.demand)),
        (
            "Caller patience",
            f"{_patience_text(s.callers.patience)}; "
            f"redial probability {s.callers.redial_probability:g}",
        ),
        (
            "Advisor handling",
            f"{s.advisors.handle_time.kind}, mean "
            f"{s.advisors.handle_time.mean_min:g} min (triaged calls)",
        ),
        ("Advisor roster", roster),
        (
            "Clinical input",
            f"{s.triage.clinical_share:.0%} of answered calls; "
            f"{len(s.clinicians)} clinician group(s)",
        ),
        ("Overflow", ", ".join(p.name for p in s.providers) or "none"),
        ("Downstream services", ", ".join(d.name for d in s.downstream) or "none"),
        ("Costs", _costs_text(s.costs)),
        ("Replications", f"{result.replications}, seed {result.seed}"),
    ]


def _means_text(replications: int) -> str:
    if replications == 1:
        return "Figures are from one replication: no interval can be given."
    return (
        f"Figures are means over {replications} replications; intervals are 95% t-intervals "
        "across replications (uncertainty from simulating a finite number of runs, not from "
        "the inputs)."
    )


def _period_sections(result: ExperimentResult) -> str:
    """Day by day for runs up to :data:`LONGEST_DAY_TABLE_DAYS`; weeks and months beyond."""
    if result.scenario.run.calendar_days <= LONGEST_DAY_TABLE_DAYS:
        return periods_section_html(result, "day")
    kinds = [k for k in period_kinds(result) if k != "day"]
    return "\n".join(periods_section_html(result, kind) for kind in kinds)


def report_html(result: ExperimentResult, pngs: dict[str, bytes] | None = None) -> str:
    """The whole report as one HTML document (figures embedded)."""
    pngs = pngs if pngs is not None else {k: png_bytes(f) for k, f in figures(result).items()}
    s = result.scenario
    figs = "\n".join(
        f'<figure><img alt="{name}" src="data:image/png;base64,'
        f'{base64.b64encode(data).decode()}"><figcaption>{html.escape(CAPTIONS[name])}'
        f"</figcaption></figure>"
        for name, data in pngs.items()
    )
    assumption_rows = "\n".join(
        f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>"
        for a, b in assumptions(result)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sim111 report: {html.escape(s.name)}</title><style>{STYLE}</style></head>
<body>
<h1>NHS 111 simulation: {html.escape(s.name)}</h1>
<p>{html.escape(s.description)}</p>
{headline_html(headline(result))}
{warnings_section_html(all_warnings(result))}
{_period_sections(result)}
<h2>Half-hour by half-hour</h2>
{figs}
<p>Generated by sim111 on {dt.date.today():%d %B %Y}. {_means_text(result.replications)}</p>
<h2>Key performance indicators</h2>
<table id="kpis"><thead><tr><th>KPI</th><th>mean</th><th>95% CI</th><th>target</th><th></th>
</tr></thead><tbody>
{_kpi_rows(result)}
</tbody></table>
{area_section_html(result)}
<h2>Assumptions</h2>
<table id="assumptions"><tbody>
{assumption_rows}
</tbody></table>
</body></html>
"""
