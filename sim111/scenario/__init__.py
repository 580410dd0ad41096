"""What is simulated: frozen, validated scenario data, read from TOML files.

``schema`` turns field declarations into validation, conversion and docs;
``loading`` reads files (``extends`` chains, where each key came from); the
dataclasses are split by topic (``run``, ``demand``, ``journey``, ``staff``,
``services``, ``costs``, ``targets``) and gathered by ``top.Scenario``.

>>> from sim111.scenario import load_scenario
>>> scenario = load_scenario("scenarios/typical-area.toml").with_overrides({"run.days": 7})
"""

from sim111.scenario.areas import Area, MutualAid, Sharing
from sim111.scenario.callbacks import (
    WAITING_ACTIONS,
    Backlog,
    Waiting,
    WhenPatienceRunsOut,
)
from sim111.scenario.costs import Costs, DownstreamCosts, Penalty
from sim111.scenario.demand import (
    HOURLY_WEEKDAY_PCT,
    HOURLY_WEEKEND_PCT,
    MONTH_MULTIPLIERS_2014_15,
    DayMultipliers,
    Demand,
    DemandDate,
    HourlyProfile,
)
from sim111.scenario.distributions import Distribution
from sim111.scenario.history import DemandHistory, read_history
from sim111.scenario.journey import (
    Callers,
    Clinical,
    DayTypeShares,
    DispositionMix,
    PriorityClass,
    Triage,
)
from sim111.scenario.loading import load_scenario
from sim111.scenario.run import RunSettings
from sim111.scenario.services import DownstreamClass, DownstreamService, OverflowRule, Provider
from sim111.scenario.staff import ClinicianGroup, Pay, Shift, StaffGroup, StaffingChange
from sim111.scenario.top import Scenario, scenario_from_data
from sim111.units import MINUTES_PER_DAY
from sim111.vocabulary import DAY_TYPES, DISPOSITIONS

__all__ = [
    "DAY_TYPES",
    "DISPOSITIONS",
    "HOURLY_WEEKDAY_PCT",
    "HOURLY_WEEKEND_PCT",
    "MINUTES_PER_DAY",
    "MONTH_MULTIPLIERS_2014_15",
    "WAITING_ACTIONS",
    "Area",
    "Backlog",
    "Callers",
    "Clinical",
    "ClinicianGroup",
    "Costs",
    "DayMultipliers",
    "DayTypeShares",
    "Demand",
    "DemandDate",
    "DemandHistory",
    "DispositionMix",
    "Distribution",
    "DownstreamClass",
    "DownstreamCosts",
    "DownstreamService",
    "HourlyProfile",
    "MutualAid",
    "OverflowRule",
    "Pay",
    "Penalty",
    "PriorityClass",
    "Provider",
    "RunSettings",
    "Scenario",
    "Sharing",
    "Shift",
    "StaffGroup",
    "StaffingChange",
    "Triage",
    "Waiting",
    "WhenPatienceRunsOut",
    "load_scenario",
    "read_history",
    "scenario_from_data",
]
