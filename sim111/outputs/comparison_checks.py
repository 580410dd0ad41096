"""What a comparison may claim: whether the runs are alike, and differences a board can read.

Common random numbers pair replication *r* of each scenario with the same callers
only when the runs are alike: the same measured length, start date and
population, the same seed and replications. When they are not, the differences
are still paired by replication and their 95% intervals still hold, but the
pairing removes little of the luck, and :func:`comparison_warnings` says so.

Totals (calls, hours, pounds: :func:`is_total`) grow with the run: a 7-day run
answers more calls than a 6-day one whatever its staffing. When measured lengths
differ, totals are compared **per day** (each replication's total over its
measured days, then paired); when populations differ they are marked "not
comparable" and not judged better or worse. Rates and shares are compared as they
are. Differences of shares are in percentage points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim111.experiments.compare import Comparison, paired_differences
from sim111.experiments.replications import ExperimentResult
from sim111.kpi_keys import Kpi, kpi_info
from sim111.outputs.formatting import _fmt, plural, render_table
from sim111.outputs.rows import shown_keys
from sim111.scenario import Scenario
from sim111.scenario.warnings import PlannerWarning
from sim111.units import MINUTES_PER_DAY

TOTAL_UNITS = ("calls", "h")  # counts and hours over the run ("calls waiting" is a mean)
PER_DAY = "per day"
NOT_COMPARABLE = "not comparable: different populations"


SNAPSHOTS = frozenset({"calls_in_system_at_end"})  # counted at one moment, not over the run


def is_total(kpi: Kpi) -> bool:
    """Whether ``kpi`` is a total over the run: calls, hours, pounds (not a cost per call)."""
    if kpi.key in SNAPSHOTS:
        return False
    return kpi.unit in TOTAL_UNITS or (kpi.unit == "GBP" and "_per_" not in kpi.key)


def measured_days(scenario: Scenario) -> float:
    """Days measured: the run after its warm-up."""
    return (scenario.run.horizon_min - scenario.run.warmup_min) / MINUTES_PER_DAY


def population(scenario: Scenario) -> int:
    """People served: the areas' together, or the scenario's own."""
    if scenario.areas:
        return sum(s.demand.population for s in scenario.area_scenarios)
    return scenario.demand.population


def _length(s: Scenario) -> str:
    if not s.run.warmup_min:
        return s.run.length_text  # "7 days", "12 hours"
    days = measured_days(s)
    return f"{days:g} day{'' if days == 1 else 's'} after the warm-up"


DIFFERING = {  # what may differ -> (the value of a scenario, where it is set)
    "run lengths": (_length, "run.days"),
    "start dates": (lambda s: str(s.run.start_date), "run.start_date"),
    "populations": (lambda s: f"{population(s):,}", "demand.population"),
}


def run_differences(scenarios: Sequence[Scenario]) -> dict[str, str]:
    """``{"run lengths": "typical-area 7 days, easter-2013 6 days", ...}`` for what differs."""
    out = {}
    for what, (value, _) in DIFFERING.items():
        values = [value(s) for s in scenarios]
        if len(set(values)) > 1:
            out[what] = ", ".join(f"{s.name} {v}" for s, v in zip(scenarios, values, strict=True))
    return out


def comparison_warnings(scenarios: Sequence[Scenario]) -> tuple[PlannerWarning, ...]:
    """One warning when run lengths, start dates or populations differ (none: ``()``)."""
    differ = run_differences(scenarios)
    if not differ:
        return ()
    then = {
        "run lengths": "totals (calls, hours, costs) are compared per day",
        "populations": "totals are not compared",
    }
    shown = " and ".join(f"{what} ({values})" for what, values in differ.items())
    consequences = "".join(f"; {then[w]}" for w in differ if w in then)
    return (
        PlannerWarning(
            "runs-differ",
            f"the scenarios' {shown} differ: replication r of each does not meet the same "
            f"callers, so the differences include luck (their intervals allow for it)"
            f"{consequences}",
            DIFFERING[next(iter(differ))][1],
        ),
    )


def common_random_numbers(comparison: Comparison) -> bool:
    """Whether replication r of every scenario meets the same callers (runs alike, one seed,
    the same replications)."""
    results = comparison.results
    return (
        not run_differences([r.scenario for r in results])
        and len({r.seed for r in results}) == 1
        and len({r.replications for r in results}) == 1
    )


def _per_day(result: ExperimentResult, keys: list[str]) -> pd.DataFrame:
    frame = result.kpis[["replication", *keys]].copy()
    frame[keys] = frame[keys] / measured_days(result.scenario)
    return frame


def compared_differences(comparison: Comparison) -> pd.DataFrame:
    """The paired differences with a ``basis`` column: ``''``, :data:`PER_DAY` (totals of runs
    of different lengths, compared per day) or :data:`NOT_COMPARABLE` (totals of different
    populations)."""
    diffs = comparison.differences.copy()
    diffs["basis"] = ""
    totals = diffs["kpi"].map(lambda k: is_total(kpi_info(str(k))))
    differ = run_differences([r.scenario for r in comparison.results])
    if "run lengths" in differ:
        base = comparison.results[0]
        keys = sorted(set(diffs.loc[totals, "kpi"]) & set(base.kpis.columns))
        for k, result in enumerate(comparison.results[1:], start=1):
            name = f"{k}: {result.scenario.name}"
            daily = paired_differences(_per_day(base, keys), _per_day(result, keys))
            for row in daily.itertuples(index=False):
                at = (diffs["scenario"] == name) & (diffs["kpi"] == row.kpi)
                for column in ("baseline", "mean", "difference", "ci_low", "ci_high"):
                    diffs.loc[at, column] = getattr(row, column)
                diffs.loc[at, "basis"] = PER_DAY
    if "populations" in differ:
        diffs.loc[totals, "basis"] = NOT_COMPARABLE
    return diffs


def compared_keys(comparison: Comparison, keys: Sequence[str]) -> list[str]:
    """``keys`` a comparison shows, in order: those any scenario's own table shows
    (:func:`~sim111.outputs.rows.shown_keys`: defined, and of a feature it uses)."""
    shown: set[str] = set()
    for result in comparison.results:
        summary = result.summary
        defined = set(summary.index[summary["n"] > 0])
        candidates = [k for k in keys if k in summary.index]
        shown.update(shown_keys(result.scenario, candidates, defined.__contains__))
    return [k for k in keys if k in shown]


def _unsigned_zero(text: str) -> str:
    """'0.0' for '-0.0', '£0.00' for '-£0.00': a difference that rounds to nothing has no sign."""
    return text[1:] if text.startswith("-") and not any(c in text for c in "123456789") else text


def difference_text(kpi: Kpi, x: float, points: str = "points") -> str:
    """A difference as shown: shares in percentage points ('-21.2 points'), else as the KPI."""
    if kpi.unit == "fraction" and not math.isnan(x):
        return f"{_unsigned_zero(f'{100 * x:.1f}')} {points}"
    return _unsigned_zero(_fmt(kpi, x))


def difference_ci(kpi: Kpi, low: float, high: float, sep: str, points: str = "points") -> str:
    """A difference's 95% CI ('-22.3 .. -20.2 points'); '' when it has none."""
    if math.isnan(low):
        return ""
    if kpi.unit == "fraction":
        ends = (_unsigned_zero(f"{100 * x:.1f}") for x in (low, high))
        return f"{sep.join(ends)} {points}"
    return f"{_unsigned_zero(_fmt(kpi, low))}{sep}{_unsigned_zero(_fmt(kpi, high))}"


def verdict(kpi: Kpi, low: float, high: float) -> str:
    """What a paired 95% CI of a difference says: better, worse, higher, lower, or unclear."""
    if math.isnan(low):
        return "-"
    if low == high == 0:
        return "identical"
    if low <= 0 <= high:
        return "no clear difference"
    up = low > 0
    if not kpi.better:
        return "higher" if up else "lower"
    return "better" if up == (kpi.better == "higher") else "worse"


def comparison_table(comparison: Comparison, kpis: tuple[str, ...]) -> str:
    """Each scenario's difference from the baseline, paired by replication, with 95% CIs.

    Only ``kpis`` some scenario's own table shows (none of a feature no scenario uses);
    differences of shares in percentage points (pts); totals per day when run lengths
    differ, "not comparable" when populations do
    (:func:`~sim111.outputs.comparison_compared_differences`).
    """
    base = comparison.results[0]
    rows = [["KPI", "scenario", "baseline", "scenario mean", "difference", "95% CI", ""]]
    diffs = compared_differences(comparison)
    for key in compared_keys(comparison, kpis):
        kpi = kpi_info(key)
        for r in diffs[diffs["kpi"] == key].itertuples():
            ci = difference_ci(kpi, r.ci_low, r.ci_high, " .. ", "pts") or "-"
            label = kpi.label + (f" {PER_DAY}" if r.basis == PER_DAY else "")
            judged = (
                "not comparable" if r.basis == NOT_COMPARABLE else verdict(kpi, r.ci_low, r.ci_high)
            )
            values = [_fmt(kpi, r.baseline), _fmt(kpi, r.mean)]
            diff = difference_text(kpi, r.difference, "pts")
            rows.append([label, str(r.scenario), *values, diff, ci, judged])
    reps = plural(base.replications, "replication")
    paired = (
        "common random numbers"
        if common_random_numbers(comparison)
        else "runs differ, so the pairing does not remove luck"
    )
    head = (
        f"baseline: {base.scenario.name}, {reps}, seed {base.seed}; differences are paired "
        f"by replication ({paired}; 95% CI; shares in percentage points, pts)"
    )
    return "\n".join([head, "", render_table(rows, left=2)])
