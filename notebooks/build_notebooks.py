"""Write the example notebooks (outputs empty).

    python notebooks/build_notebooks.py && ruff format notebooks


The notebooks are generated so that they stay small, reviewable and free of outputs;
edit the cells here and re-run. CI executes them with nbmake.
"""

from pathlib import Path

import nbformat as nbf


def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    n.metadata["language_info"] = {"name": "python"}
    n.cells = [
        nbf.v4.new_markdown_cell(c[1]) if c[0] == "md" else nbf.v4.new_code_cell(c[1])
        for c in cells
    ]
    return n


quick = nb(
    [
        (
            "md",
            """# sim111 quick start

Run the default scenario — a 1 m-population NHS 111 area for one ordinary week — read the
result frames, and plot the day. Settings are small so the notebook runs in seconds; raise
`REPLICATIONS` for tighter intervals.""",
        ),
        (
            "code",
            """import matplotlib.pyplot as plt

from sim111 import load_scenario, run_experiment

REPLICATIONS = 5
scenario = load_scenario("../scenarios/typical-area.toml")
result = run_experiment(scenario, replications=REPLICATIONS, seed=1)
result.summary.loc[
    ["calls_offered", "answered_within_60s", "abandoned_after_30s", "callback_within_10min",
     "cost_per_call_gbp"]
]""",
        ),
        (
            "md",
            """`result.kpis` has one row per replication; `result.intervals` one row per replication and
half-hour. Everything is a pandas frame.""",
        ),
        (
            "code",
            """result.kpis[["replication", "calls_offered", "answered_within_60s", "cost_per_call_gbp"]]""",
        ),
        (
            "code",
            """by_time = result.intervals.groupby("interval_start")[
    ["calls_offered", "advisors_on_duty", "advisors_busy", "answered_within_60s"]
].mean()
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
top.plot(by_time.index, by_time["calls_offered"], label="calls offered per half-hour")
top.plot(by_time.index, by_time["advisors_on_duty"], label="advisors on duty")
top.plot(by_time.index, by_time["advisors_busy"], label="advisors busy")
top.legend()
top.set_ylabel("calls / people")
bottom.plot(by_time.index, by_time["answered_within_60s"], label="answered within 60 s")
bottom.axhline(0.95, color="red", linestyle="--", label="NHS target 95%")
bottom.set_ylabel("fraction")
bottom.legend()
fig.suptitle(f"{scenario.name}: mean of {REPLICATIONS} replications")
fig.tight_layout()""",
        ),
        (
            "md",
            """How many replications would pin the service level down to ±0.5 percentage points?""",
        ),
        (
            "code",
            """from sim111.experiments.analysis import replications_needed

replications_needed(result.kpis["answered_within_60s"], half_width=0.005)""",
        ),
    ]
)

sweep = nb(
    [
        (
            "md",
            """# Staffing × demand surge: a service-level surface

Sweep the health advisor roster (every shift scaled 0.8–1.2) against demand surges of
0–40% on the typical area. Every point meets the same callers (common random numbers), so
the surface is smooth and differences come from the parameters. Small settings; raise
`REPLICATIONS` and `DAYS` for a real study, and pass `client=distributed.Client(...)` to run
on a Dask cluster.""",
        ),
        (
            "code",
            """import matplotlib.pyplot as plt

from sim111 import load_scenario, run_sweep

REPLICATIONS, DAYS = 3, 3
scenario = load_scenario("../scenarios/typical-area.toml").with_overrides({"run.days": DAYS})
grid = {
    "advisors.roster_scale": [0.8, 0.9, 1.0, 1.1, 1.2],
    "demand.scale": [1.0, 1.2, 1.4],
}
result = run_sweep(scenario, grid, replications=REPLICATIONS, seed=2013, workers=2)
wide = result.wide_summary()
wide[["advisors.roster_scale", "demand.scale", "answered_within_60s", "abandoned_after_30s",
      "cost_per_call_gbp"]]""",
        ),
        (
            "code",
            """surface = wide.pivot(index="advisors.roster_scale", columns="demand.scale",
                     values="answered_within_60s")
fig, ax = plt.subplots(figsize=(7, 4))
image = ax.imshow(surface.to_numpy(), origin="lower", aspect="auto", vmin=0.5, vmax=1.0,
                  cmap="RdYlGn")
ax.set_xticks(range(len(surface.columns)), [f"+{(d - 1):.0%}" for d in surface.columns])
ax.set_yticks(range(len(surface.index)), [f"{s:.0%}" for s in surface.index])
ax.set_xlabel("demand surge")
ax.set_ylabel("advisor roster (share of the priced roster)")
for i in range(surface.shape[0]):
    for j in range(surface.shape[1]):
        ax.text(j, i, f"{surface.iat[i, j]:.0%}", ha="center", va="center")
fig.colorbar(image, label="answered within 60 s")
ax.set_title("Service level: staffing against demand")
fig.tight_layout()""",
        ),
        ("md", """Which rosters hold the 95% target at each surge, and at what cost per call?"""),
        (
            "code",
            """ok = wide[wide["answered_within_60s"] >= 0.95]
ok.groupby("demand.scale").first()[["advisors.roster_scale", "cost_per_call_gbp"]]""",
        ),
    ]
)

easter = nb(
    [
        (
            "md",
            """# Easter 2013: what staffing would have held?

Thursday 28 March – Tuesday 2 April 2013: Good Friday and Easter Monday are bank holidays,
and at go-live calls ran longer than priced (about 9 minutes an episode in the pilots,
14–18 at go-live; docs/domain.md §1). We take the typical area, move it to Easter 2013,
lengthen the advisor and clinician calls, and compare the roster as priced with one that
`sim111.planning.staffing.staff` finds for the same conditions. Small settings.""",
        ),
        (
            "code",
            """import datetime as dt

import matplotlib.pyplot as plt

from sim111 import load_scenario, run_experiment
from sim111.planning.staffing import StaffingTargets, staff

REPLICATIONS = 3
base = load_scenario("../scenarios/typical-area.toml")
easter = base.with_overrides(
    {
        "name": "easter-2013",
        "run.start_date": dt.date(2013, 3, 28),
        "run.days": 6,
        "advisors.handle_time.mean_min": 14.0,  # go-live calls ran longer than priced (E)
        "clinicians.0.handle_time.mean_min": 22.0,
    }
)
as_priced = run_experiment(easter, replications=REPLICATIONS, seed=29)
as_priced.summary.loc[["answered_within_60s", "abandoned_after_30s", "callback_within_10min",
                       "max_callback_min", "cost_per_call_gbp"]]""",
        ),
        (
            "md",
            """Calls and abandonments per day (mean over replications): the bank holidays carry the
weekend's daytime peak on top of a bank-holiday volume.""",
        ),
        (
            "code",
            """daily = as_priced.intervals.assign(day=lambda f: f["interval_start"].dt.date)
per_day = (
    daily.groupby(["replication", "day"])[["calls_offered", "calls_abandoned"]].sum()
    .groupby("day").mean()
)
per_day["abandoned share"] = per_day["calls_abandoned"] / per_day["calls_offered"]
per_day.round(3)""",
        ),
        (
            "code",
            """found = staff(easter, StaffingTargets(replications=REPLICATIONS, max_iterations=3))
print("targets met:", found.met, "after", found.iterations, "iteration(s)", found.note)
found.result.summary.loc[["answered_within_60s", "abandoned_after_30s", "callback_within_10min",
                          "paid_advisor_hours", "paid_clinician_hours", "cost_per_call_gbp"]]""",
        ),
        (
            "code",
            """fig, ax = plt.subplots(figsize=(10, 4))
for label, result in (("roster as priced", as_priced), ("staffed for Easter", found.result)):
    series = result.intervals.groupby("interval_start")["advisors_on_duty"].mean()
    ax.plot(series.index, series, label=label)
ax.set_ylabel("health advisors on duty")
ax.set_title("Easter 2013: advisors on duty")
ax.legend()
fig.tight_layout()""",
        ),
    ]
)


calibration = nb(
    [
        (
            "md",
            """# Calibrating to data: fit-demand → calibrate → back-test

A scenario is only as good as its fit to the service it describes. This notebook takes
the three steps a researcher would with their own data, on the data shipped with sim111:

1. **fit-demand**: day-of-week, month and bank-holiday multipliers, the level and the
   overdispersion from a history of calls per day (`scenarios/data/example-history.csv`,
   two years drawn from the model itself: a synthetic stand-in for your own history);
2. **calibrate**: fit the advisor and clinician rosters and caller patience to the
   published NHS 111 months of 2014–15 (`scenarios/data/nhs111-england-2014-15.csv`);
3. **back-test**: the fitted scenario against each month, with confidence intervals.

Settings are small so the notebook runs in CI in under a minute; the README gives the
full-size commands (`sim111 fit-demand`, `sim111 calibrate`, `sim111 backtest`).""",
        ),
        (
            "code",
            """import tempfile
from pathlib import Path

from sim111 import load_scenario
from sim111.calibration.backtest import backtest, percent_points
from sim111.calibration.calibrate import calibrate
from sim111.calibration.demand_fit import fit_demand
from sim111.calibration.demand_report import fit_figure, fit_table, fragment_toml
from sim111.calibration.observed import read_observed
from sim111.calibration.parameters import parse_vary
from sim111.calibration.report import backtest_figure
from sim111.scenario.history import read_history

DATA = Path("../scenarios/data")
WORKERS = 2""",
        ),
        ("md", "## 1. Fit demand to a history of calls per day"),
        (
            "code",
            """history = read_history(DATA / "example-history.csv")
fit = fit_demand(history, population=1_000_000)
print(fit_table(fit))""",
        ),
        ("code", "fit_figure(fit);"),
        (
            "md",
            """The fit is a scenario fragment: save it with `extends` pointing at a base scenario and
load it like any other (here the base is the shipped default).""",
        ),
        (
            "code",
            """folder = Path(tempfile.mkdtemp())
base_path = Path("../scenarios/typical-area.toml").resolve()
(folder / "fitted-demand.toml").write_text(fragment_toml(fit, extends=str(base_path)))
with_demand = load_scenario(folder / "fitted-demand.toml")
with_demand.demand.day_multipliers""",
        ),
        ("md", "## 2. Calibrate rosters and patience to published months"),
        (
            "code",
            """observed = read_observed(DATA / "nhs111-england-2014-15.csv")
observed.table[["period_start", "calls_offered", "answered_within_60s_pct",
                "abandoned_after_30s_pct", "callback_within_10min_pct"]]""",
        ),
        (
            "md",
            """Start from the area as it was planned — rosters at 1.0 (the Erlang-A plan) and the
25-minute patience of 2021–22 callers — and let calibration find what reproduces 2014–15.
Each design point simulates every month in full at its published calls per head, with
common random numbers. (The shipped default was fitted the same way at full size: 3
stages of 20 points, 3 replications, all seven months.)""",
        ),
        (
            "code",
            """start = load_scenario(base_path).with_overrides(
    {"advisors.roster_scale": 1.0, "clinicians.0.roster_scale": 1.0,
     "callers.patience.mean_min": 25.0}
)
full_months = observed.select(["2014-04", "2014-10", "2015-04", "2015-06"])
parameters = [
    parse_vary(start, "advisors.roster_scale=0.5:1.2"),
    parse_vary(start, "callers.patience.mean_min=4:30"),
]
result = calibrate(
    start, full_months, parameters, replications=2, stages=2, points_per_stage=10,
    final_replications=3, kpis=["answered_within_60s", "abandoned_after_30s"],
    workers=WORKERS,
)
result.estimates""",
        ),
        (
            "md",
            """## 3. Back-test the fitted scenario

Only the advisor side was fitted here, so call-backs within 10 min (clinician roster
left at the plan's 1.0) miss by 20–35 points; the shipped default also fits
`clinicians.0.roster_scale` to them.""",
        ),
        ("code", "percent_points(result.fit.table).round(2)"),
        ("code", "backtest_figure(result.fit);"),
        (
            "md",
            """The same back-test of the shipped default, on every published month (including
those with only call-backs within 10 min published):""",
        ),
        (
            "code",
            """default = backtest(load_scenario(base_path), observed, 3, workers=WORKERS)
percent_points(default.table).round(2)""",
        ),
    ]
)

backlog = nb(
    [
        (
            "md",
            """# Callers who stop waiting for a call-back: sweeping the estimates

At the 2013 go-live, press reports told of callers promised a clinical call-back that did
not come ringing 111 again, adding to the queue that was failing (README, "The call-back
feedback loop"). sim111 models this
(`[clinical.waiting]`, docs/callbacks.md): a caller's **call-back patience** runs from the
end of the advisor call, and when it runs out they **ring 111 again** (a repeat call that
queues for an advisor), go to A&E, dial 999 or give up.

Nothing published says how long callers wait for a promised call-back or what they do
then, so every default is an **estimate (E)**: in `scenarios/typical-area.toml`, patience
is lognormal with mean 240 min (SD 180) for the "soon" and "routine" classes and 60 min
(SD 45) for "urgent"; 60% of those who run out ring again (50% of urgent callers). This
notebook sweeps the two that matter most on Easter 2013 — how long callers wait, and how
many ring again — and shows what each does to the KPIs.

Small settings so it runs in the tests (Thursday to Saturday, 2 replications, a 3 × 3
grid); raise `DAYS` to 6 and `REPLICATIONS` to 10 or more before reading numbers off it.""",
        ),
        (
            "code",
            """import matplotlib.pyplot as plt

from sim111 import load_scenario, run_experiment, run_sweep
from sim111.outputs.plots import callback_backlog

REPLICATIONS, DAYS, SEED, WORKERS = 2, 3, 2013, 2
PATIENCE_SCALES = [0.5, 1.0, 2.0]  # x every class's call-back patience (mean and SD)
RING_AGAIN_SCALES = [0.5, 1.0, 2.0]  # x every class's ring-again weight

easter = load_scenario("../scenarios/easter-2013.toml").with_overrides({"run.days": DAYS})
waiting = easter.clinical.waiting
urgent = easter.clinical.priorities[0]  # the only class with its own patience and shares
waiting.patience, waiting.then, urgent.callback_patience, urgent.when_patience_runs_out""",
        ),
        (
            "md",
            """Each point scales the patience of every class together (mean and SD, so the shape of
the lognormal stays the same) and the ring-again weight of every class together, with
the other weights (A&E, 999, give up) fixed: the weights are normalised, so doubling
the ring-again weight takes the share who ring again from 60% to 75% (urgent: 50% to
67%), and halving it to 43% (33%). Every point meets the same callers (common random
numbers).""",
        ),
        (
            "code",
            """def point(patience, ring_again):
    return {
        "clinical.waiting.patience.mean_min": waiting.patience.mean_min * patience,
        "clinical.waiting.patience.sd_min": waiting.patience.sd_min * patience,
        "clinical.priorities.0.callback_patience.mean_min": (
            urgent.callback_patience.mean_min * patience
        ),
        "clinical.priorities.0.callback_patience.sd_min": urgent.callback_patience.sd_min * patience,
        "clinical.waiting.then.ring_again": waiting.then.ring_again * ring_again,
        "clinical.priorities.0.when_patience_runs_out.ring_again": (
            urgent.when_patience_runs_out.ring_again * ring_again
        ),
    }


points = [point(p, r) for p in PATIENCE_SCALES for r in RING_AGAIN_SCALES]
result = run_sweep(easter, points, replications=REPLICATIONS, seed=SEED, workers=WORKERS)
then = waiting.then
wide = result.wide_summary().assign(
    patience_mean_min=lambda f: f["clinical.waiting.patience.mean_min"],
    urgent_patience_mean_min=lambda f: f["clinical.priorities.0.callback_patience.mean_min"],
    ring_again_share=lambda f: f["clinical.waiting.then.ring_again"]
    / (f["clinical.waiting.then.ring_again"] + then.ed + then.ambulance + then.give_up),
)
KPIS = ["repeat_calls", "callbacks_abandoned", "answered_within_60s", "max_callback_min"]
wide[["patience_mean_min", "urgent_patience_mean_min", "ring_again_share", *KPIS]].round(3)""",
        ),
        (
            "code",
            """TITLES = {
    "repeat_calls": "repeat calls (of offered)",
    "callbacks_abandoned": "call-backs abandoned (of call-backs)",
    "answered_within_60s": "answered within 60 s (of answered)",
    "max_callback_min": "longest call-back wait (h)",
}
fig, axes = plt.subplots(2, 2, figsize=(10, 7))
for ax, kpi in zip(axes.flat, KPIS, strict=True):
    surface = wide.pivot(index="patience_mean_min", columns="ring_again_share", values=kpi)
    hours = kpi == "max_callback_min"
    values = surface.to_numpy() / 60 if hours else surface.to_numpy()
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(surface.columns)), [f"{s:.0%}" for s in surface.columns])
    ax.set_yticks(range(len(surface.index)), [f"{m:g}" for m in surface.index])
    ax.set_xlabel("share who ring 111 again (soon, routine)")
    ax.set_ylabel("patience, mean min (soon, routine)")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = f"{values[i, j]:.1f}" if hours else f"{values[i, j]:.1%}"
            dark = image.norm(values[i, j]) < 0.6  # light text on the dark cells
            ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
    ax.set_title(TITLES[kpi])
fig.suptitle(f"Easter 2013, Thu-Sat: call-back patience x ring-again share ({REPLICATIONS} replications)")
fig.tight_layout()""",
        ),
        (
            "md",
            """How to read it:

- **Repeat calls** rise with the share who ring again and fall as callers wait longer
  (fewer run out of patience before a clinician reaches them). They are a few percent
  of calls offered, but they arrive when the service is least able to take them: on
  the bank-holiday afternoons when the call-back queue is longest.
- **Call-backs abandoned** (the caller stopped waiting: rang again and was triaged
  afresh, went to A&E, dialled 999 or gave up) is set mostly by patience.
- **Answered within 60 s** falls as repeat calls rise: each repeat call takes an
  advisor from a new caller. This is the loop: more callers waiting for an advisor
  abandon and redial, and repeat callers triaged again rejoin the call-back queue at
  the back.
- **The longest call-back wait** (callers reached by a clinician) is a maximum over two
  short replications: noisy. Patient callers wait longer for it; impatient ones leave
  the queue instead, so the longest waits shorten — not because the service improved.

Which of these cells is right is unknown; that is why they are estimates. A planner
should check that a decision (a roster, an escalation rule) holds across the grid, not
only at the default.""",
        ),
        (
            "md",
            """## The feedback loop over the weekend

`callback_backlog` draws calls awaiting a clinician, calls abandoned waiting for an
advisor and repeat calls per hour over the run's dates, with bank holidays shaded. Here
the scenario as it is against callers who wait quietly however long it takes (patience
off): they never ring again or go elsewhere, so the call-back queue grows without limit,
but the advisors are spared the repeat calls. The README's figure is the full six days
(`docs/figures/feedback_loop.py`).""",
        ),
        (
            "code",
            """never = {"kind": "never"}
quietly = easter.with_overrides(
    {"clinical.waiting.patience": never, "clinical.priorities.0.callback_patience": never}
)
runs = [
    run_experiment(s, REPLICATIONS, SEED, keep_records=True, workers=WORKERS)
    for s in (quietly, easter)
]
callback_backlog(*runs, labels=["wait quietly (patience off)", "ring again (as the scenario is)"])""",
        ),
        (
            "code",
            """runs[1].summary.loc[
    ["repeat_calls", "callbacks_abandoned", "callback_gave_up", "callback_went_to_ed",
     "callback_dialled_999", "self_referral_cost_gbp"],
    ["mean", "ci_low", "ci_high"],
]""",
        ),
    ]
)

areas = nb(
    [
        (
            "md",
            """# Several contract areas: England in 2014, apart and pooled

England's 44 NHS 111 areas of 2014 (`scenarios/england-2014/`, docs/areas.md): every area's
KPIs as a pandas frame, the spread between areas that the national figure hides, the
structures compared on the same callers, and the cost per call of staffing each contract
to the targets against its size. Settings are small (two days, two replications) so the
notebook runs in under a minute; raise them for the numbers in docs/areas.md.""",
        ),
        (
            "code",
            """import matplotlib.pyplot as plt

from sim111 import load_scenario, run_experiment
from sim111.experiments.compare import compare
from sim111.outputs.areas import area_means
from sim111.outputs.contracts import economies_of_scale
from sim111.planning.contracts import plan_structure, plans_frame, structure_totals
from sim111.planning.staffing import StaffingTargets

DAYS, REPLICATIONS, WORKERS = 2, 2, 2
folder = "../scenarios/england-2014"
apart = load_scenario(f"{folder}/apart.toml").with_overrides({"run.days": DAYS})
result = run_experiment(apart, replications=REPLICATIONS, seed=1, workers=WORKERS)
result.summary.loc[
    ["calls_offered", "answered_within_60s", "abandoned_after_30s",
     "worst_area.answered_within_60s", "areas_missing.answered_within_60s", "cost_per_call_gbp"],
    ["mean", "ci_low", "ci_high"],
]""",
        ),
        (
            "md",
            """Every area's KPIs are in the summary as `area.<name>.<key>`; `area_means` makes them one
row per area. Small areas answer fewer calls within 60 s and cost more per call.""",
        ),
        (
            "code",
            """by_area = area_means(result)
by_area[["population", "answered_within_60s", "abandoned_after_30s", "cost_per_call_gbp"]]
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(by_area["population"] / 1e6, by_area["answered_within_60s"])
ax.axhline(0.95, color="grey", linestyle="--")
ax.set_xscale("log")
ax.set_xlabel("area population (millions)")
ax.set_ylabel("answered within 60 s")
by_area.sort_values("answered_within_60s").head(5)[["population", "answered_within_60s"]]""",
        ),
        (
            "md",
            """The same staff and callers, pooled by region or nationally: `compare` pairs the
structures replication by replication (each area draws from its own random streams).""",
        ),
        (
            "code",
            """structures = [apart] + [
    load_scenario(f"{folder}/{name}.toml").with_overrides({"run.days": DAYS})
    for name in ("regional", "national")
]
comparison = compare(structures, REPLICATIONS, seed=1, workers=WORKERS)
diffs = comparison.differences
diffs[diffs["kpi"].isin(["answered_within_60s", "worst_area.answered_within_60s",
                         "callback_within_10min"])][["scenario", "kpi", "mean", "ci_low", "ci_high"]]""",
        ),
        (
            "md",
            """What each structure needs: every contract staffed, as one virtual centre, with the
cheapest advisor roster meeting 95% within 60 s and 5% abandoned (`sim111 contracts`).""",
        ),
        (
            "code",
            """targets = StaffingTargets(replications=REPLICATIONS, max_iterations=3)
plans = []
for structure in ("region", "all"):
    plans += plan_structure(apart, structure, targets, workers=WORKERS)
frame = plans_frame(plans)
structure_totals(frame)[["structure", "contracts", "mean_advisors_on_duty", "cost_per_call_gbp"]]""",
        ),
        (
            "code",
            """economies_of_scale(frame)""",
        ),
    ]
)

roster = nb(
    [
        (
            "md",
            """# Choosing a roster: the best of three, with a stated chance of being right

Three advisor rosters for the typical area — every shift scaled by 0.9, 1.0 and 1.1 —
and two questions: which answers the most calls within 60 s, and which costs least per
answered call? `select_best` answers each with the KN procedure (Kim & Nelson 2001, "A
fully sequential procedure for indifference-zone selection in simulation", ACM TOMACS
11(3)): if the best roster is at least `delta` better than the others, it is chosen with
probability at least `1 - alpha`. Every roster meets the same callers in replication `j`
(common random numbers), so the paired differences, not each roster's own noise, decide.
Short runs (2 days, 5 first-stage replications) keep the notebook quick; a real study would
use weeks and `n0` of 10 or more.""",
        ),
        (
            "code",
            """from sim111 import load_scenario, select_best

DAYS, N0 = 2, 5
base = load_scenario("../scenarios/typical-area.toml").with_overrides({"run.days": DAYS})
rosters = [
    base.with_overrides({"advisors.roster_scale": s, "name": f"roster x{s:.1f}"})
    for s in (0.9, 1.0, 1.1)
]""",
        ),
        (
            "md",
            """Highest share answered within 60 s, with an indifference zone of half a percentage
point: differences smaller than that are not worth telling apart.""",
        ),
        (
            "code",
            """service = select_best(rosters, "answered_within_60s", delta=0.005, alpha=0.05, n0=N0, seed=1)
print(f"{service.procedure}: {service.best_name}, certified: {service.certified}, "
      f"{service.replications_run} replications run")
service.table""",
        ),
        (
            "md",
            """Lowest cost per answered call, telling apart differences of 10p or more. The
direction (lower is better) comes from the KPI.""",
        ),
        (
            "code",
            """cost = select_best(rosters, "cost_per_call_gbp", delta=0.10, alpha=0.05, n0=N0, seed=1)
print(f"{cost.procedure}: {cost.best_name}, certified: {cost.certified}, "
      f"{cost.replications_run} replications run")
cost.table""",
        ),
        (
            "md",
            """The two answers pull apart: more advisors answer faster and cost more per call. The
95% intervals of neighbouring rosters may overlap and KN still tells them apart: under common
random numbers the difference between two rosters varies far less than either does alone.
`eliminated_at` is the number of replications after which a roster was dropped, and
`eliminated_by` the roster then ahead of it by more than KN's margin. `certified` is False
only if `max_replications` ran out first; the best sample mean is returned then, without the
guarantee.""",
        ),
    ]
)

out = Path(__file__).resolve().parent
for name, n in (
    ("01-quickstart.ipynb", quick),
    ("02-staffing-sweep.ipynb", sweep),
    ("03-easter-2013.ipynb", easter),
    ("04-calibration.ipynb", calibration),
    ("05-callback-backlog.ipynb", backlog),
    ("06-contract-areas.ipynb", areas),
    ("07-choosing-a-roster.ipynb", roster),
):
    nbf.write(n, out / name)
