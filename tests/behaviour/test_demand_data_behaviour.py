"""A run driven by a history offers what the history says, half-hour by half-hour."""

import datetime as dt
from pathlib import Path

import numpy as np

from sim111.engine.centre import draw_arrivals
from sim111.engine.streams import RandomStreams
from sim111.scenario import load_scenario

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "typical-area.toml"


def test_arrivals_follow_a_half_hourly_history_times_scale(tmp_path):
    # calls only 09:00-10:00 on day 1 and 18:00-18:30 on day 2; scale 2
    counts = np.zeros(2 * 48)
    counts[18:20] = [30, 50]
    counts[48 + 36] = 100
    stamps = [dt.datetime(2015, 3, 30) + dt.timedelta(minutes=30 * k) for k in range(96)]
    rows = [f"{t:%Y-%m-%dT%H:%M},{c:g}" for t, c in zip(stamps, counts, strict=True)]
    (tmp_path / "h.csv").write_text("start,calls\n" + "\n".join(rows) + "\n")
    path = tmp_path / "s.toml"
    path.write_text(
        f'extends = "{BASE.as_posix()}"\n[run]\nstart_date = 2015-03-30\ndays = 2\n'
        '[demand]\nscale = 2.0\noverdispersion_cv = 0.0\n[demand.history]\nfile = "h.csv"\n'
    )
    scenario = load_scenario(path)
    replications = 40
    per_bin = np.zeros(96)
    for r in range(replications):
        arrivals = draw_arrivals(scenario, RandomStreams(5, r))
        per_bin += np.bincount((arrivals // 30).astype(int), minlength=96)
    mean = per_bin / replications
    assert np.all(mean[counts == 0] == 0)  # nothing where the history has nothing
    # Poisson: the mean of 40 counts of expectation 2c has s.e. sqrt(2c / 40)
    for k in np.flatnonzero(counts):
        assert abs(mean[k] - 2 * counts[k]) < 4 * np.sqrt(2 * counts[k] / replications), k
