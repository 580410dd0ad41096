"""Regenerate the SYNTHETIC example histories in this folder (not real NHS 111 data).

    PYTHONPATH=. python scenarios/data/make_example_histories.py

Both are drawn from the demand of ``scenarios/typical-area.toml`` (NHS 111
defaults: 1 m people, 230 calls/1000/yr, day, bank-holiday and month
multipliers, hourly profiles, day-level CV 0.10) by
:func:`sim111.calibration.synthetic.synthetic_history`: the engine's expected
calls per half-hour times a gamma day factor, then Poisson counts. They show the
CSV formats of ``docs/demand-data.md`` and give ``sim111 fit-demand`` something
to fit; any resemblance to a real area's calls is the defaults'.

* ``example-history.csv``: calls per day, 1 April 2013 - 31 March 2015 (730 days).
* ``example-history-halfhour.csv``: calls per half-hour, 30 March - 26 April 2015
  (four weeks around Easter 2015).
"""

import datetime as dt
from pathlib import Path

import numpy as np

from sim111.calibration.synthetic import synthetic_history, write_history_csv
from sim111.scenario import load_scenario

HERE = Path(__file__).resolve().parent
SEED = 111  # any fixed seed: the files are committed, this only makes them reproducible


def main() -> None:
    """Write both example histories next to this script."""
    demand = load_scenario(HERE.parent / "typical-area.toml").demand
    rng = np.random.default_rng(SEED)
    daily = synthetic_history(demand, dt.date(2013, 4, 1), 730, rng, file="example-history.csv")
    write_history_csv(daily, HERE / "example-history.csv")
    halfhour = synthetic_history(demand, dt.date(2015, 3, 30), 28, rng, interval_min=30)
    write_history_csv(halfhour, HERE / "example-history-halfhour.csv")


if __name__ == "__main__":
    main()
