"""What every chart of the report shares: time axes, count and money axes, targets, titles.

A time axis has a tick a day labelled with its weekday (``Fri 29 Mar``; hours too
on runs of a few days) and the run's bank holidays shaded; count axes have
thousands separators, money axes pounds. Interval data are means over
replications; a band, where drawn, is the 95% t-interval across them (none from
one replication). Every chart leaves headroom above its highest value, and its
legend sits outside the plotting area, to the right, so that it covers no data.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any, ParamSpec, TypeVar

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, PercentFormatter
from scipy.special import stdtrit

from sim111.engine.calendar import run_days
from sim111.experiments.replications import ExperimentResult

WIDE = (11, 4)
TARGET_COLOUR = "tab:red"
BANK_HOLIDAY = "bank holiday"
BANK_HOLIDAY_GID = "bank_holiday"  # each shaded day's artist id, for tests and SVG
MAX_DAY_TICKS = 12
HEADROOM = 1.12  # the y axis runs to 12% above the highest value plotted
P = ParamSpec("P")
R = TypeVar("R")


def plain_text(make: Callable[P, R]) -> Callable[P, R]:
    """``make`` (a chart builder) with every text shown as written, never as mathtext.

    Scenario, class, group and area names are the user's text: ``A$x$`` or ``\\frac``
    in one must not be parsed as TeX (an unbalanced one crashes the drawing). Texts
    made inside (titles, labels, legends, ticks) do not parse math; those already on
    the returned figure(s) are set so too (:func:`plain_figure`).
    """

    @functools.wraps(make)
    def made(*args: P.args, **kwargs: P.kwargs) -> R:
        with no_mathtext():
            out = make(*args, **kwargs)
        for fig in out.values() if isinstance(out, dict) else [out]:
            if isinstance(fig, Figure):
                plain_figure(fig)
        return out

    return made


def no_mathtext() -> AbstractContextManager[None]:
    """Texts made inside are shown as written (matplotlib's ``text.parse_math`` off)."""
    return matplotlib.rc_context({"text.parse_math": False, "text.usetex": False})


def plain_figure(fig: Figure) -> Figure:
    """``fig`` with none of its texts parsed as mathtext (see :func:`plain_text`)."""
    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        text.set_parse_math(False)
        text.set_usetex(False)
    return fig


def by_time(result: ExperimentResult, columns: list[str]) -> pd.DataFrame:
    """Mean over replications of ``columns``, indexed by interval start."""
    return result.intervals.groupby("interval_start")[columns].mean()


def band(
    result: ExperimentResult, column: str, upper: float = math.inf
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Mean and 95% t-interval across replications of ``column``, per interval.

    The interval is clipped to ``[0, upper]`` (shares: ``upper=1``).
    """
    grouped = result.intervals.groupby("interval_start")[column]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = pd.Series(stdtrit(np.maximum(n - 1, 1), 0.975), index=n.index) * sd / np.sqrt(n)
    return mean, (mean - half).clip(lower=0), (mean + half).clip(upper=upper)


def replications_text(n: int) -> str:
    """``1 replication``, ``mean of 10 replications``: what a chart's values are."""
    return "1 replication" if n == 1 else f"mean of {n:,} replications"


def title(result: ExperimentResult, what: str) -> str:
    """A chart title naming the scenario and the number of replications."""
    return f"{result.scenario.name}: {what} ({replications_text(result.replications)})"


def draw_band(ax: Axes, mean: pd.Series, low: pd.Series, high: pd.Series, **kwargs: Any) -> None:
    """The 95% band around ``mean``, if there is one (one replication has none)."""
    if not (high - low).notna().any():
        return
    ax.fill_between(mean.index, low, high, alpha=0.25, label="95% CI", **kwargs)


def data_top(values: Iterable[Any]) -> float:
    """The highest finite value among ``values`` (series, arrays, numbers; 0 if none)."""
    top = 0.0
    for value in values:
        array = np.asarray(value, dtype=float).ravel()
        finite = array[np.isfinite(array)]
        if finite.size:
            top = max(top, float(finite.max()))
    return top


def headroom(ax: Axes, *values: Any, at_least: float = 0.0, cap: float = math.inf) -> float:
    """Run the y axis from 0 to :data:`HEADROOM` times the highest of ``values`` (and
    ``at_least``), but no higher than ``cap``; returns the top."""
    top = min(cap, max(at_least, data_top(values)) * HEADROOM) or 1.0
    ax.set_ylim(0, top)
    return top


def interval_text(result: ExperimentResult) -> str:
    """``30 min``: the reporting interval, for axis labels."""
    return f"{result.scenario.run.interval_min} min"


def _count_text(value: float, _: object = None) -> str:
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2g}"


def counts(ax: Axes) -> None:
    """Thousands separators on the y axis (1,234)."""
    ax.yaxis.set_major_formatter(FuncFormatter(_count_text))


def pounds(ax: Axes) -> None:
    """Pounds with thousands separators on the y axis (£12,345)."""
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"-£{-v:,.0f}" if v < 0 else f"£{v:,.0f}")
    )


def shares(ax: Axes, top: float = 1.08) -> None:
    """A y axis of shares shown as percentages, from 0 to ``top`` (headroom above 100%)."""
    ax.set_ylim(0, top)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def target_line(ax: Axes, value: float, label: str) -> None:
    """The target as a dashed red horizontal line."""
    ax.axhline(value, label=label, color=TARGET_COLOUR, linestyle="--", linewidth=1.2)


def day_label(value: float, _: object = None) -> str:
    """``Fri 29 Mar`` for a matplotlib date number."""
    day = mdates.num2date(value)
    return f"{day:%a} {day.day} {day:%b}"


def time_axis(ax: Axes, result: ExperimentResult, shade_label: str = BANK_HOLIDAY) -> None:
    """Dates with weekday names on the x axis, the run's span, bank holidays shaded.

    ``shade_label`` names the first shaded day in the legend (``"_"``: not at all).
    """
    run = result.scenario.run
    start = pd.Timestamp(run.start_date)
    for day in run_days(run.start_date, run.calendar_days):
        if day.day_type == "bank_holiday":
            left = pd.Timestamp(day.date)
            span = ax.axvspan(left, left + pd.Timedelta(days=1), color="grey", alpha=0.18, lw=0)
            span.set_label(shade_label)
            span.set_gid(BANK_HOLIDAY_GID)
            shade_label = "_"  # one legend entry
    ax.set_xlim(start, start + pd.Timedelta(minutes=run.horizon_min))
    step = max(1, math.ceil(run.calendar_days / MAX_DAY_TICKS))
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=step))
    ax.xaxis.set_major_formatter(FuncFormatter(day_label))
    if run.calendar_days <= 3:
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=(6, 12, 18)))
        ax.xaxis.set_minor_formatter(mdates.DateFormatter("%H:%M"))
        ax.tick_params(axis="x", which="minor", labelsize=7, colors="dimgrey")
    ax.grid(alpha=0.3)


def legend(ax: Axes, **kwargs: Any) -> None:
    """A small legend outside the plotting area, to the right of ``ax`` (so it covers no
    data), if anything on ``ax`` is labelled."""
    if ax.get_legend_handles_labels()[0]:
        place: dict[str, Any] = {"bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}
        ax.legend(fontsize=8, loc="upper left", **(place | kwargs))
