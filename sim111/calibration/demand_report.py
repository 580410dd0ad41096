"""A demand fit as people and scenario files read it: a table, a TOML fragment, a figure.

The fragment holds only ``[demand]`` keys (plus ``extends`` when asked), so it
is either a base that a scenario extends or, with ``extends`` naming a whole
scenario, a complete scenario with the fitted demand. Inputs the history says
nothing about are left out, so they keep the base's values (the defaults).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim111.calibration.demand_fit import DAY_KINDS, MONTH_NAMES, DemandFit, Estimate
from sim111.scenario import MONTH_MULTIPLIERS_2014_15, DayMultipliers
from sim111.units import HOURS_PER_DAY, MINUTES_PER_DAY
from sim111.vocabulary import DAY_TYPES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MULTIPLIER_DIGITS = 4
PROFILE_DIGITS = 3


def _resolution(fit: DemandFit) -> str:
    return "per day" if fit.interval_min == MINUTES_PER_DAY else f"per {fit.interval_min} min"


def _summary(fit: DemandFit) -> list[str]:
    return [
        f"Demand fitted by `sim111 fit-demand` from {fit.file}: "
        f"{fit.first_date}..{fit.last_date}, {fit.n_days} days, counts {_resolution(fit)}.",
        "Poisson GLM (log link) of day counts on day of week / bank holiday and month (IRLS).",
        f"Mean day {fit.mean_calls_per_day:,.1f} calls = {fit.calls_per_1000_per_year:.3f} "
        f"calls/1000/yr for a population of {fit.population:,}.",
        f"Fit: Pearson chi2/df {fit.pearson_dispersion:.2f} (1 = Poisson), deviance "
        f"{fit.deviance:,.1f} on {fit.df} df, mean abs error {fit.mean_abs_pct_error:.1f}% "
        f"of a day's calls; overdispersion CV {fit.overdispersion_cv:.4f}.",
        "Not estimable (left at the defaults): "
        + (", ".join(fit.not_estimable) or "nothing")
        + ".",
    ]


def fit_table(fit: DemandFit) -> str:
    """The fit as text: summary, then every multiplier with s.e., days and default."""
    lines = [*_summary(fit), ""]
    lines.append(f"{'multiplier':<14}{'estimate':>10}{'s.e.':>9}{'days':>7}{'default':>9}")
    defaults = DayMultipliers()
    rows: list[tuple[str, Estimate | None, float]] = [
        (name, fit.day_multipliers[name], getattr(defaults, name)) for name in DAY_KINDS
    ]
    rows += [
        (name, fit.month_multipliers[m], MONTH_MULTIPLIERS_2014_15[m])
        for m, name in enumerate(MONTH_NAMES)
    ]
    for name, est, default in rows:
        if est is None:
            lines.append(f"{name:<14}{'-':>10}{'-':>9}{0:>7}{default:>9.2f}")
        else:
            lines.append(
                f"{name:<14}{est.value:>10.4f}{est.se:>9.4f}{est.n_days:>7}{default:>9.2f}"
            )
    fitted = [name for name in DAY_TYPES if fit.profiles[name] is not None]
    if fitted:
        lines.append(f"Time-of-day profiles fitted for: {', '.join(fitted)}.")
    else:
        lines.append("Time-of-day profiles not fitted: the history is per day.")
    return "\n".join(lines)


def _number(value: float, digits: int) -> str:
    return f"{round(value, digits):.{digits}f}"


def fragment_toml(fit: DemandFit, extends: str | None = None) -> str:
    """A scenario fragment (TOML text) setting the fitted ``[demand]`` keys.

    ``extends``, if given, is written as the fragment's base (relative to where
    the fragment is saved).
    """
    lines = [f"# {line}" for line in _summary(fit)]
    lines.append("# Units: multipliers x the mean day; profiles in % of the day's calls.")
    lines.append("")
    if extends is not None:
        lines += [f"extends = {_toml_string(extends)}", ""]
    lines += [
        "[demand]",
        f"population = {fit.population}",
        f"calls_per_1000_per_year = {_number(fit.calls_per_1000_per_year, 3)}",
        f"overdispersion_cv = {_number(fit.overdispersion_cv, MULTIPLIER_DIGITS)}",
    ]
    months = [
        _number(e.value, MULTIPLIER_DIGITS) if e is not None else f"{default:g}"
        for e, default in zip(fit.month_multipliers, MONTH_MULTIPLIERS_2014_15, strict=True)
    ]
    lines.append(f"month_multipliers = [{', '.join(months)}]")
    missing = [MONTH_NAMES[m] for m, e in enumerate(fit.month_multipliers) if e is None]
    if missing:
        lines[-1] += f"  # defaults for {', '.join(missing)}"
    lines += ["", "[demand.day_multipliers]"]
    for name in DAY_KINDS:
        est = fit.day_multipliers[name]
        if est is not None:
            lines.append(f"{name} = {_number(est.value, MULTIPLIER_DIGITS)}")
    profiles = [(name, p) for name, p in fit.profiles.items() if p is not None]
    if profiles:
        lines += ["", "[demand.hourly_profile]"]
        for name, profile in profiles:
            values = ", ".join(_number(v, PROFILE_DIGITS) for v in profile)
            lines.append(f"{name} = [{values}]")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fit_figure(fit: DemandFit) -> Figure:
    """Observed and fitted calls per day; with interval data, the profiles by day type."""
    from matplotlib.figure import Figure  # only here: the CLI starts without matplotlib

    profiles = [(name, p) for name, p in fit.profiles.items() if p is not None]
    fig = Figure(figsize=(11, 7 if profiles else 4), layout="constrained")
    axes = fig.subplots(2 if profiles else 1, 1, squeeze=False)[:, 0]
    ax = axes[0]
    dates = np.array(fit.dates, dtype="datetime64[D]")
    ax.plot(dates, fit.observed, ".", ms=3, color="0.4", label="observed")
    ax.plot(dates, fit.fitted, "-", lw=1, color="C0", label="fitted (expected)")
    ax.set_ylabel("calls per day")
    ax.set_title(f"Demand fit: {fit.file}, {fit.first_date} to {fit.last_date}")
    ax.legend(loc="upper left")
    if profiles:
        ax = axes[1]
        for name, profile in profiles:
            step_h = HOURS_PER_DAY / len(profile)
            edges_h = np.arange(len(profile) + 1) * step_h
            ax.stairs(np.asarray(profile) / step_h, edges_h, label=name)
        ax.set_xlabel("hour of day")
        ax.set_ylabel("% of the day's calls per hour")
        ax.set_xticks(range(0, HOURS_PER_DAY + 1, 3))
        ax.set_title("Fitted time-of-day profiles")
        ax.legend(loc="upper left")
    return fig
