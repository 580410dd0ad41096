"""Write the England 2014 scenarios from the table of contract areas.

    python scenarios/england-2014/make_scenarios.py

reads ``scenarios/data/england-2014-areas.csv`` (44 areas, populations summing
to ONS mid-2014 England; sources in docs/england-areas.md) and writes
``apart.toml`` here: every area as an ``[[areas]]`` table of the calibrated
typical area, with rosters scaled by the square-root staffing rule below and
the cover floor after it. The variants (``regional.toml``, ``national.toml``,
``mutual-aid.toml``, and ``contingency.toml``, which adds a shared contingency
line) extend it and change only how areas share work; they are written by hand.
Run this again after changing the table or the rules; the scenario files never
run code.

The roster rule (E): every area staffed to the same square-root safety margin
as the calibrated typical area. Square-root staffing (Halfin & Whitt 1981; Green
et al. 2007 for call centres) puts N = R + beta sqrt(R) people on a load of R
erlangs. An area of p million people carries p R1, if R1 is the typical (1 m)
area's load, so at the typical area's beta it needs
(p R1 + beta sqrt(p R1)) / (R1 + beta sqrt(R1)) = (p + b sqrt(p)) / (1 + b)
times the typical area's staff, with b = beta / sqrt(R1) = N1 / R1 - 1. b is
measured on the typical area itself (typical-area.toml, as calibrated):

- advisors, at its busiest hour (Saturday 10:00-11:00: 1.62 x 630 calls a day x
  8.4% in that hour x 10.45 min = 14.9 erlangs, on 21 advisors): b = 0.41;
- clinicians, over the whole week (its busiest hours are covered by the call-back
  queue, not by people on shift: 630 x 22% x 18 min a day = 1.73 erlangs on 2.52
  clinicians on duty on average): b = 0.46.

A 140k area gets about 1.6x the typical area's staff per head, a 5.5 m area 0.8x.
The factors are written as each area's ``advisor_roster_factor`` and
``clinician_roster_factor``: they multiply the typical area's fitted
``roster_scale``, so a re-fitted default carries over, and one override
(``--set advisors.roster_scale=0.8``) scales every area at once.

The cover floor (E): at that rule the smallest areas' clinician rosters round whole
shifts to no one (the Isle of Wight's 0.21 x the typical roster left no clinician on
duty 00:00-16:00; Great Yarmouth and Waveney and Milton Keynes none 08:00-16:00), and
their call-backs waited for the evening shift. A 111 service keeps a clinician on duty
around the clock (the national specification's clinical advice at every hour), so a
factor is raised, where it must be, to the smallest at which every hour the typical
area covers has at least one person on duty: the cost of being small.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.roster import rostered_count, shift_blocks
from sim111.scenario import Scenario, StaffGroup, load_scenario
from sim111.units import MINUTES_PER_DAY

HERE = Path(__file__).resolve().parent
TABLE = HERE.parent / "data" / "england-2014-areas.csv"
TYPICAL = HERE.parent / "typical-area.toml"
TYPICAL_POPULATION = 1_000_000
BUSIEST_HOUR = ("saturday", 10)  # the typical area's busiest hour of the week


def margins(typical: Scenario) -> tuple[float, float]:
    """b = N / R - 1 of the typical area: advisors at its busiest hour, clinicians
    over the week (see the module)."""
    run, demand = typical.run, typical.demand
    days = run_days(run.start_date, run.calendar_days)
    day = next(d for d in days if d.day_type == BUSIEST_HOUR[0])
    at_min = day.start_min + BUSIEST_HOUR[1] * 60 + 30
    on_at = sum(
        b.count
        for b in shift_blocks(typical.advisors, run.start_date, run.calendar_days)
        if b.start_min <= at_min < b.end_min
    )
    profile = getattr(demand.hourly_profile, BUSIEST_HOUR[0])
    hour_share = profile[BUSIEST_HOUR[1]] / sum(profile)
    day_calls = demand.mean_calls_per_day * demand.day_multipliers.saturday
    load = day_calls * hour_share * typical.mean_advisor_handle_min / 60
    blocks = shift_blocks(typical.clinicians[0], run.start_date, run.calendar_days)
    person_min = sum(b.count * (min(b.end_min, run.horizon_min) - b.start_min) for b in blocks)
    on_duty = person_min / run.horizon_min
    clinical_load = (
        demand.mean_calls_per_day
        * typical.triage.clinical_share
        * typical.clinicians[0].handle_time.mean_min
        / MINUTES_PER_DAY
    )
    return on_at / load - 1, on_duty / clinical_load - 1


def factor(population: int, b: float) -> float:
    """Staff relative to the typical (1 m) area's under the square-root rule."""
    p = population / TYPICAL_POPULATION
    return (p + b * math.sqrt(p)) / (1 + b)


# a fortnight holding every day type: Monday 18 August 2014, the bank holiday on the 25th
FORTNIGHT = (dt.date(2014, 8, 18), 14)


def _on_duty(staff: StaffGroup) -> np.ndarray:
    """Head-count on duty every 5 minutes of :data:`FORTNIGHT`, as the engine rosters
    ``staff`` (shifts past midnight, day types, changes dated in it, constant counts)."""
    start, days = FORTNIGHT
    every_5_min = np.arange(0, days * MINUTES_PER_DAY, 5.0)
    return rostered_count(shift_blocks(staff, start, days), every_5_min)


def cover_floor(staff: StaffGroup) -> float:
    """The smallest factor on ``staff``'s roster (times its own ``roster_scale``) that
    leaves no time it covers at its own scale without someone on duty (see the module).

    More scale only ever adds people (:func:`~sim111.scenario.staff.scaled_counts`),
    so the floor is found by bisection, to 1e-5, and rounded up.
    """
    need = _on_duty(staff) > 0
    low, high = 0.0, 1.0
    while high - low > 1e-5:
        mid = (low + high) / 2
        scaled = dataclasses.replace(staff, roster_scale=staff.roster_scale * mid)
        covered = bool(((_on_duty(scaled) > 0) | ~need).all())
        low, high = (low, mid) if covered else (mid, high)
    return math.ceil(high * 1e4) / 1e4


HEADER = """\
#:schema ../../docs/sim111-scenario.schema.json
# England in October 2014: its {n} NHS 111 contract areas, each answering its own calls
# (44-46 contracts in 2013-16, domain §8). Written by make_scenarios.py from
# scenarios/data/england-2014-areas.csv (populations: ONS mid-2014 and published contract
# sizes, summing to England's {total:,}; sources per row there and in
# docs/england-areas.md). Every area is the calibrated typical area (demand per head,
# callers, triage, clinical stage, pay) at its own population, with rosters scaled by
# the square-root staffing rule of make_scenarios.py (E): an area of p million people
# gets (p + b sqrt(p)) / (1 + b) times the typical area's staff (advisor_roster_factor,
# clinician_roster_factor: they multiply typical-area's fitted roster_scale), with
# b = {ba:.2f} for advisors and {bc:.2f} for clinicians, the typical area's own square-root
# margins, raised where needed to keep someone on duty at every hour the typical area
# covers (the cover floor, E: three small areas' clinicians). The variants change only
# how areas share work: regional.toml (one virtual centre per region), national.toml
# (one for England), mutual-aid.toml, contingency.toml (a shared 0845 line).
#
# October 2014 was a steady month (domain §7): 32,739 calls a day, 94.7% answered in
# 60 s, 1.0% abandoned after 30 s, 52% of call-backs within 10 min (NHS England, Q).
#
#   sim111 run scenarios/england-2014/apart.toml

extends = "../typical-area.toml"
name = "england-2014-apart"
description = "England, October 2014: {n} contract areas, each answering its own calls"

[run]
start_date = 2014-10-06      # a Monday; no bank holiday that week
days = 7
replications = 5

[sharing]
advisors = "area"            # each area answers its own calls
clinicians = "area"
"""


def area_table(
    row: dict[str, str], b_advisors: float, b_clinicians: float, floors: tuple[float, float]
) -> str:
    """One ``[[areas]]`` table of the scenario file (``floors``: advisors', clinicians')."""
    population = int(row["population"])
    lines = []
    for key, b, floor in (
        ("advisor_roster_factor", b_advisors, floors[0]),
        ("clinician_roster_factor", b_clinicians, floors[1]),
    ):
        rule = factor(population, b)
        if rule >= floor:
            lines.append(f"{key} = {rule:.4f}\n")
        else:  # round-the-clock cover (see the module)
            lines.append(f"{key} = {floor:.4f}  # E: cover floor; the rule gives {rule:.4f}\n")
    return (
        f"\n[[areas]]\n"
        f'name = "{row["area"]}"\n'
        f'label = "{row["name"]}"\n'
        f'region = "{row["region"]}"\n'
        f"population = {population:_}  # {row['population_type']}; run in 2014 by: "
        f"{row['provider_type']} ({row['provider_type_source']})\n" + "".join(lines)
    )


def render() -> str:
    """The text of apart.toml, from the table of areas and the typical area."""
    with TABLE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    total = sum(int(r["population"]) for r in rows)
    typical = load_scenario(TYPICAL)
    b_advisors, b_clinicians = margins(typical)
    floors = (
        cover_floor(typical.advisors),
        max(cover_floor(group) for group in typical.clinicians),
    )
    return HEADER.format(n=len(rows), total=total, ba=b_advisors, bc=b_clinicians) + "".join(
        area_table(r, b_advisors, b_clinicians, floors) for r in rows
    )


def main() -> None:
    """Write apart.toml from the table of areas."""
    text = render()
    (HERE / "apart.toml").write_text(text, encoding="utf-8")
    areas = text.count("[[areas]]")
    floored = text.count("cover floor;")
    sys.stdout.write(f"wrote apart.toml: {areas} areas, {floored} factors raised to the floor\n")


if __name__ == "__main__":
    main()
