"""The whole scenario (the top level of a scenario file), its cross-checks and overrides."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sim111.errors import FieldError, ScenarioError, shown, shown_text
from sim111.scenario.areas import Area, Sharing, area_data, check_clinician_pools
from sim111.scenario.costs import Costs
from sim111.scenario.demand import Demand
from sim111.scenario.journey import Callers, Clinical, Triage
from sim111.scenario.limits import check_scenario
from sim111.scenario.merge import INDEX
from sim111.scenario.presets import PROVIDER_TYPES, with_provider_type
from sim111.scenario.run import LENGTH_KEYS, RunSettings, set_run_length
from sim111.scenario.schema import build, spec, to_data
from sim111.scenario.services import DownstreamService, OverflowRule, Provider
from sim111.scenario.staff import ClinicianGroup, StaffGroup
from sim111.scenario.targets import Targets
from sim111.scenario.textfile import MAX_NESTING
from sim111.vocabulary import DAY_TYPES, DISPOSITIONS


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: run settings, demand, callers, advisors, clinicians, costs, targets."""

    advisors: StaffGroup = spec(doc="Health advisors (call handlers).")
    name: str = spec("scenario", doc="Name shown in reports; defaults to the file name.")
    description: str = spec("", doc="Free text for reports.")
    run: RunSettings = spec(default_factory=RunSettings, doc="Run settings.")
    demand: Demand = spec(default_factory=Demand, doc="Call arrivals.")
    callers: Callers = spec(default_factory=Callers, doc="Caller behaviour.")
    triage: Triage = spec(default_factory=Triage, doc="Advisor triage and dispositions.")
    clinical: Clinical = spec(default_factory=Clinical, doc="The clinical stage.")
    clinicians: tuple[ClinicianGroup, ...] = spec((), doc="Clinician groups (array of tables).")
    providers: tuple[Provider, ...] = spec((), doc="Overflow providers (array of tables).")
    overflow: tuple[OverflowRule, ...] = spec((), doc="Overflow rules, tried in order.")
    downstream: tuple[DownstreamService, ...] = spec(
        (), doc="Downstream services with finite capacity (array of tables)."
    )
    costs: Costs = spec(default_factory=Costs, doc="Costs and contract price.")
    targets: Targets = spec(default_factory=Targets, doc="KPI targets the tables mark.")
    areas: tuple[Area, ...] = spec(
        (),
        doc="Contract areas, each the scenario above with its own table merged over it "
        "(array of tables); none: one area, the scenario itself.",
    )
    sharing: Sharing = spec(default_factory=Sharing, doc="How the areas share work.")
    provider_type: str | None = spec(
        None,
        doc="Who runs the service: a preset of clinician mix and pay, overheads, warm-transfer "
        "practice and downstream links, merged over the base and under the file's own keys; "
        "as an override, over the scenario before the other overrides (docs/providers.md).",
        choices=PROVIDER_TYPES,
    )

    def __post_init__(self) -> None:
        check_scenario(self)
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names):
            raise FieldError("providers", f"names must be unique, got {names}")
        for k, rule in enumerate(self.overflow):
            if rule.provider not in names:
                raise FieldError(
                    f"overflow.{k}.provider",
                    f"must name a provider in [[providers]] ({', '.join(names) or 'none defined'}),"
                    f" got {shown(rule.provider)}",
                )
        services = [d.name for d in self.downstream]
        if len(set(services)) != len(services):
            raise FieldError("downstream", f"names must be unique, got {services}")
        for disposition in DISPOSITIONS:
            total = sum(d.share for d in self.downstream if d.takes == disposition)
            if total > 1 + 1e-9:
                raise FieldError(
                    "downstream",
                    f"shares of disposition {disposition!r} add up to {total:g}; at most 1",
                )
        needs = max(
            [self.triage.clinical_share] + [self.triage.clinical_share_on(d) for d in DAY_TYPES]
        )
        if needs > 0 and not self.clinicians:
            raise FieldError(
                "clinicians", "must define at least one group when triage.clinical_share > 0"
            )
        classes = {p.name for p in self.clinical.priorities}
        served: set[str] = set()
        for k, group in enumerate(self.clinicians):
            unknown = set(group.serves) - classes
            if unknown:
                raise FieldError(
                    f"clinicians.{k}.serves",
                    f"names unknown classes {sorted(unknown)}; classes are {sorted(classes)}",
                )
            served |= set(group.serves) or classes
        if self.clinicians and served != classes:
            raise FieldError("clinicians", f"no group serves class(es) {sorted(classes - served)}")
        if self.run.warmup_min >= self.run.horizon_min:
            raise FieldError(
                "run.warmup_min",
                f"must be shorter than the run ({self.run.horizon_min:g} min), "
                f"got {self.run.warmup_min:g}",
            )
        self._check_demand_covers_run()
        self._check_backlog(names)
        self._check_areas(names)

    @property
    def overtime_group_index(self) -> int:
        """Index of the clinician group called in on overtime (the first if unnamed)."""
        name = self.clinical.backlog.overtime_group
        return 0 if name is None else [g.name for g in self.clinicians].index(name)

    def _check_backlog(self, providers: list[str]) -> None:
        backlog = self.clinical.backlog
        if backlog.escalate_to is not None and backlog.escalate_to not in providers:
            raise FieldError(
                "clinical.backlog.escalate_to",
                f"must name a provider in [[providers]] ({', '.join(providers) or 'none defined'})"
                f", got {shown(backlog.escalate_to)}",
            )
        groups = [g.name for g in self.clinicians]
        if backlog.overtime_group is not None and backlog.overtime_group not in groups:
            raise FieldError(
                "clinical.backlog.overtime_group",
                f"must name a clinician group ({', '.join(groups) or 'none defined'}), "
                f"got {shown(backlog.overtime_group)}",
            )
        if backlog.overtime and not self.clinicians:
            raise FieldError("clinical.backlog.overtime_max_clinicians", "needs clinicians")

    def _check_areas(self, providers: list[str]) -> None:
        sharing = self.sharing
        if not self.areas:
            if sharing != Sharing():
                raise FieldError("sharing", "needs [[areas]] (several areas to share work)")
            return
        names = [a.name for a in self.areas]
        if len(set(names)) != len(names):
            raise FieldError("areas", f"names must be unique, got {names}")
        if sharing.contingency is not None and sharing.contingency not in providers:
            raise FieldError(
                "sharing.contingency",
                f"must name a provider in [[providers]] ({', '.join(providers) or 'none defined'})"
                f", got {shown(sharing.contingency)}",
            )
        scenarios = self.area_scenarios  # builds (and so checks) every area
        check_clinician_pools(self.areas, self.sharing, scenarios)
        if sharing.contingency is not None:
            national = next(p for p in self.providers if p.name == sharing.contingency)
            for k, area in enumerate(scenarios):
                if national not in area.providers:
                    raise FieldError(
                        f"areas.{k}.providers",
                        f"must keep the contingency provider {shown(sharing.contingency)} as the "
                        "base defines it (one roster, queue and price for every area)",
                    )

    @cached_property
    def area_scenarios(self) -> tuple[Scenario, ...]:
        """Each area as a scenario of its own: this one with the area's table over it."""
        if not self.areas:
            return ()
        base = self.to_data()
        for key in ("areas", "sharing", "description"):
            base.pop(key, None)
        out = []
        for k, area in enumerate(self.areas):
            try:
                out.append(build(Scenario, area_data(base, area)))
            except FieldError as err:
                raise err.under(f"areas.{k}") from None
        return tuple(out)

    def _check_demand_covers_run(self) -> None:
        history = self.demand.history
        missing = self.demand.uncovered_dates(self.run.start_date, self.run.calendar_days)
        if history is None or not missing:
            return
        runs = _date_ranges(missing)
        raise FieldError(
            "demand.history",
            f"{shown(history.file)} covers {history.start_date}..{history.end_date}; run dates "
            f"{runs} are not covered: extend the file, give their 'calls' in "
            "[[demand.dates]], or set fill = 'rule'",
        )

    @property
    def mean_advisor_handle_min(self) -> float:
        """Mean advisor handling time, mixing triaged and untriaged calls by their shares."""
        triage = self.triage
        handle = self.advisors.handle_time.mean_min
        if triage.untriaged_handle_time is not None:
            handle = (
                triage.triaged_share * handle
                + (1 - triage.triaged_share) * triage.untriaged_handle_time.mean_min
            )
        return handle

    def to_data(self) -> dict[str, Any]:
        """The scenario as plain TOML-like data."""
        return to_data(self)

    def with_overrides(self, overrides: dict[str, Any], source: str = "override") -> Scenario:
        """A new scenario with ``{"dotted.key": value}`` applied and validated.

        A ``provider_type`` among the overrides puts that preset over the
        scenario as it is before the other overrides are applied, so they win.
        Raises :class:`ScenarioError` naming the key when a key is unknown or a
        value is not allowed.
        """
        data = self.to_data()
        if "provider_type" in overrides:
            overrides = dict(overrides)
            data = with_provider_type(data, overrides.pop("provider_type"), source)
        lengths = {k: v for k, v in overrides.items() if k in {f"run.{n}" for n in LENGTH_KEYS}}
        if len(lengths) > 1:
            raise ScenarioError(f"{source}: {' and '.join(lengths)} both give the run length")
        for key, value in overrides.items():
            if key == "demand.history.file":
                raise ScenarioError(
                    f"{source}: 'demand.history.file' is read when a scenario file is loaded; "
                    "name the new file in a scenario file (one that extends this one)"
                )
            if key in lengths:  # a new length replaces the old, whichever key gave it
                set_run_length(data.setdefault("run", {}), {key.removeprefix("run."): value})
            else:
                set_dotted(data, key, copy.deepcopy(value), source)  # never the caller's
        return scenario_from_data(data, source)


def _date_ranges(dates: list[dt.date]) -> str:
    """``2015-01-01..2015-01-03, 2015-02-01``: consecutive dates as ranges."""
    parts: list[str] = []
    first = last = dates[0]
    for d in [*dates[1:], None]:
        if d is not None and d == last + dt.timedelta(days=1):
            last = d
            continue
        parts.append(str(first) if first == last else f"{first}..{last}")
        if d is not None:
            first = last = d
    return ", ".join(parts)


def set_dotted(data: dict[str, Any], key: str, value: Any, source: str) -> None:
    """Set ``data[key]`` for a dotted ``key``; list elements by index (``clinicians.0.x``)."""
    parts = key.split(".")
    if len(parts) > MAX_NESTING:
        raise ScenarioError(
            f"{source}: {shown_text(key)} has {len(parts)} parts; a key has at most {MAX_NESTING}"
        )
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            node = node[_list_index(node, part, where, source)]
        else:
            if not isinstance(node, dict):
                raise ScenarioError(f"{source}: '{where}' is not a table")
            node = node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[_list_index(node, last, key, source)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"{source}: '{'.'.join(parts[:-1])}' is not a table")


def _list_index(node: list[Any], part: str, where: str, source: str) -> int:
    """``part`` of a dotted key as an index of ``node``: ASCII digits only (not '²')."""
    if not INDEX.fullmatch(part) or int(part) >= len(node):
        raise ScenarioError(
            f"{source}: {shown(where)} must index the list (0..{len(node) - 1} in digits 0-9)"
        )
    return int(part)


def scenario_from_data(data: dict[str, Any], source: str) -> Scenario:
    """Validate TOML-like ``data`` into a :class:`Scenario`; errors name ``source``."""
    try:
        return build(Scenario, copy.deepcopy(data))
    except FieldError as err:
        key = f"'{err.key}' " if err.key else ""
        raise ScenarioError(f"{source}: {key}{err.message}") from None
