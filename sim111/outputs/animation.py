"""A day of a run as an animated queue: the event log drawn by vidigi (optional extra).

Callers arrive on the left, queue for the health advisors, sit with the advisor
who answered them (each advisor a place of their own, by person id), wait for a
clinician (warm transfer or call-back) and are assessed by a named clinician,
or go to an overflow provider; then they leave. The picture is vidigi's
``animate_activity_log`` (a plotly figure with a frame every few minutes),
written as one self-contained HTML file. ``pip install "sim111[animate]"``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim111.engine.records import RunRecords, StepLog
from sim111.outputs.event_log import calls_in_window, day_window, replication_event_log

INSTALL = 'the animation needs vidigi: pip install "sim111[animate]"'

# where each event is drawn: queues build leftwards from their point, and the people of
# a resource (advisors, clinicians) sit in a row leftwards from theirs
LAYOUT = (
    ("arrival", 60, 650, "Calls offered", None),
    ("advisor_queue", 450, 550, "Waiting for an advisor", None),
    ("advisor_begins", 1000, 550, "With an advisor", "advisors"),
    ("advisor_ends", 1050, 600, "", None),
    ("clinician_queue", 450, 350, "Waiting for a clinician", None),
    ("callback_attempt", 450, 260, "Call-back tried", None),
    ("callback_patience_out", 450, 180, "Stopped waiting", None),
    ("clinician_begins", 1000, 350, "With a clinician", "clinicians"),
    ("clinician_ends", 1050, 400, "", None),
    ("provider_queue", 450, 90, "Sent to a provider", None),
    ("escalated", 450, 20, "Escalated to a provider", None),
    ("with_provider", 1000, 90, "With a provider", None),
    ("depart", 1080, 650, "Done", None),
)


def animation_available() -> bool:
    """Whether vidigi (the ``animate`` extra) is installed."""
    return importlib.util.find_spec("vidigi") is not None


def event_positions() -> pd.DataFrame:
    """vidigi's ``event_position_df``: where each event is drawn, its label and resource."""
    return pd.DataFrame(LAYOUT, columns=["event", "x", "y", "label", "resource"])


def _peak(log: StepLog, start_min: float, end_min: float) -> int:
    """The most people on duty at any time in ``[start_min, end_min)``."""
    before = max(int(np.searchsorted(log.time_min, start_min, side="right")) - 1, 0)
    inside = (log.time_min >= start_min) & (log.time_min < end_min)
    return int(max(log.level[before], *log.level[inside], 0))


def resource_counts(rec: RunRecords, log: pd.DataFrame, start_min: float, end_min: float) -> dict:
    """Places to draw for advisors and clinicians: the peak head-count over the window,
    or more if a person id in the log is higher (someone who came on earlier)."""
    counts = {}
    for name, steps, event in (
        ("advisors", rec.advisors, "advisor_begins"),
        ("clinicians", rec.clinicians, "clinician_begins"),
    ):
        ids = log.loc[log["event"] == event, "resource_id"]
        top = int(ids.max()) if ids.notna().any() else 0
        counts[name] = max(_peak(steps, start_min, end_min), top)
    return counts


def day_animation(
    rec: RunRecords,
    day: dt.date,
    every_min: int = 10,
    hours: tuple[float, float] = (0.0, 24.0),
    **vidigi_options: Any,
) -> Any:
    """The plotly figure of ``day`` (``hours`` of it, from-until) of one replication.

    ``every_min``: minutes between frames. Other keywords go to vidigi's
    ``animate_activity_log``.
    """
    from vidigi.animation import animate_activity_log

    day_start, _ = day_window(rec, day)
    start, end = day_start + hours[0] * 60, day_start + hours[1] * 60
    log = calls_in_window(replication_event_log(rec), start, end)
    options: dict[str, Any] = {
        "every_x_time_units": every_min,
        "limit_duration": int(end),
        "warm_up": int(start),
        "time_display_units": "dhm",
        "start_date": rec.start_date.isoformat(),
        "start_time": "00:00:00",
        "step_snapshot_max": 40,
        "wrap_resources_at": 20,
        "plotly_height": 800,
        "entity_icon_size": 16,
        "resource_icon_size": 16,
        "text_size": 14,
        "gap_between_entities": 12,
        "gap_between_resources": 14,
        "gap_between_resource_rows": 25,
        "custom_entity_icon_list": ["📞"],
        "display_stage_labels": True,
    }
    options.update(vidigi_options)
    with warnings.catch_warnings():  # vidigi's advice on layouts, not the user's concern
        warnings.simplefilter("ignore", UserWarning)
        return animate_activity_log(
            log.drop(columns=["timestamp"]),
            event_positions(),
            scenario=resource_counts(rec, log, start, end),
            **options,
        )


def write_animation(figure: Any, path: str | Path) -> None:
    """``figure`` as one self-contained HTML file (plotly.js inside)."""
    figure.write_html(str(path), include_plotlyjs=True, auto_play=False)
