"""Several contract areas in one scenario, and how they share work.

A scenario with ``[[areas]]`` simulates each area as the base scenario (the
file's own tables) with the area's table merged over it: its population, its
own demand multipliers or profile, its rosters, provider type and price. The
``[sharing]`` table says who may answer whose calls:

- ``advisors`` / ``clinicians`` = ``"area"``: each area answers its own calls;
  ``"contract"`` (or ``"region"``): areas of one ``contract`` (``region``) form
  one virtual call centre (any advisor, and separately any clinician, of the
  contract may take any of its areas' calls); ``"all"``: one national centre;
- ``prefer_own_area_s``: in a shared pool, advisors answer their own area's
  calls first and another area's only once it has waited this long;
- ``[sharing.mutual_aid]``: an area's call goes to another area's idle
  advisor when its own expected wait exceeds a threshold, for a fee per call;
- ``contingency``: one provider from ``[[providers]]`` (NHS Direct 0845) shared
  by every area, with one roster, queue and price.

Caller patience, redial and the clinical stage behave within each area as in
a single-area run; the rules are in ``docs/areas.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # top imports this module
    from sim111.scenario.top import Scenario

from sim111.errors import FieldError, shown
from sim111.scenario.limits import MAX_LABEL_CHARS, MAX_POPULATION, MAX_ROSTER_SCALE, check_name
from sim111.scenario.merge import merge_data
from sim111.scenario.presets import PROVIDER_TYPES, with_preset
from sim111.scenario.schema import FrozenTable, check_kpi_name, spec

POOLS = ("area", "contract", "region", "all")
# top-level tables an area may set (merged over the base's); the rest are the run's
AREA_TABLES = (
    "demand",
    "callers",
    "triage",
    "clinical",
    "advisors",
    "clinicians",
    "providers",
    "overflow",
    "downstream",
    "costs",
    "targets",
)


@dataclass(frozen=True)
class MutualAid:
    """Mutual aid between areas: a call offered to an area whose expected wait
    exceeds ``after_expected_wait_s`` while another area has an idle advisor is
    answered there (the area with most advisors idle), for ``fee_per_call_gbp``
    paid by the caller's area to the helping one."""

    after_expected_wait_s: float = spec(
        doc="Expected wait (calls ahead + 1, x mean handling time / advisors on duty) "
        "above which a call goes to another area's idle advisor.",
        unit="s",
        ge=0,
    )
    fee_per_call_gbp: float = spec(
        0.0, doc="Paid by the caller's area to the area that answered.", unit="GBP", ge=0
    )


@dataclass(frozen=True)
class Sharing:
    """How the areas of a scenario share work (ignored without ``[[areas]]``)."""

    advisors: str = spec(
        "contract",
        doc="Whose calls an advisor may answer: own area's, any area's of the same "
        "contract or region (one virtual call centre), or any area's (one national centre).",
        choices=POOLS,
    )
    clinicians: str = spec(
        "contract", doc="The same for clinicians (call-backs, warm transfers).", choices=POOLS
    )
    prefer_own_area_s: float = spec(
        0.0,
        doc="In a shared pool, an advisor answers own-area calls first and another "
        "area's only once it has waited this long (0: one queue, oldest call first).",
        unit="s",
        ge=0,
    )
    mutual_aid: MutualAid | None = spec(None, doc="Mutual aid between areas; unset: none.")
    contingency: str | None = spec(
        None,
        doc="A provider in [[providers]] shared by every area (one roster, one queue, "
        "its own price): the national contingency line. Unset: each area has its own.",
    )


@dataclass(frozen=True)
class Area:
    """One contract area: the base scenario with this table merged over it."""

    name: str = spec(doc="Identifier used in KPI keys and tables, e.g. 'isle_of_wight'.")
    label: str = spec("", doc="Name shown in tables and reports (default: the identifier).")
    population: int | None = spec(
        None, doc="People served (sets demand.population).", unit="people", ge=1, le=MAX_POPULATION
    )
    provider_type: str | None = spec(
        None,
        doc="Who runs the area's 111 (a preset over the base, under the area's own keys).",
        choices=PROVIDER_TYPES,
    )
    contract: str | None = spec(
        None, doc="The contract the area belongs to (default: its own name)."
    )
    region: str | None = spec(
        None, doc="The region the area belongs to, for pools by region (default: its contract)."
    )
    advisor_roster_factor: float = spec(
        1.0,
        doc="Multiplies the area's advisor roster_scale (its own or the base's, and any "
        "dated changes): one roster pattern sized for areas of different size.",
        ge=0,
        le=MAX_ROSTER_SCALE,
    )
    clinician_roster_factor: float = spec(
        1.0, doc="The same for every clinician group's roster_scale.", ge=0, le=MAX_ROSTER_SCALE
    )
    demand: FrozenTable | None = spec(None, doc="The area's [demand], over the base's.")
    callers: FrozenTable | None = spec(None, doc="The area's [callers], over the base's.")
    triage: FrozenTable | None = spec(None, doc="The area's [triage], over the base's.")
    clinical: FrozenTable | None = spec(None, doc="The area's [clinical], over the base's.")
    advisors: FrozenTable | None = spec(None, doc="The area's [advisors], over the base's.")
    clinicians: FrozenTable | None = spec(
        None,
        doc="The area's clinician groups (an array replaces the base's; a table "
        "keyed by index changes some).",
    )
    providers: FrozenTable | None = spec(None, doc="The area's [[providers]].")
    overflow: FrozenTable | None = spec(None, doc="The area's [[overflow]] rules.")
    downstream: FrozenTable | None = spec(None, doc="The area's [[downstream]] services.")
    costs: FrozenTable | None = spec(None, doc="The area's [costs] (price, pay), over the base's.")
    targets: FrozenTable | None = spec(None, doc="The area's [targets], over the base's.")

    def __post_init__(self) -> None:
        check_kpi_name(self.name)
        if self.label:
            check_name("label", self.label, MAX_LABEL_CHARS)
        for key in ("contract", "region"):
            value = getattr(self, key)
            if value is not None and not value.isidentifier():
                raise FieldError(key, f"must be letters, digits and _, got {shown(value)}")

    @property
    def contract_name(self) -> str:
        """The contract this area belongs to."""
        return self.contract or self.name

    @property
    def shown(self) -> str:
        """The name shown in tables."""
        return self.label or self.name

    def overlay(self) -> dict[str, object]:
        """The area's tables as data to merge over the base's."""
        out: dict[str, object] = {}
        for key in AREA_TABLES:
            value = getattr(self, key)
            if value is not None:
                out[key] = value.thaw()
        if self.population is not None:
            demand = out.setdefault("demand", {})
            if not isinstance(demand, dict):
                raise FieldError("demand", "must be a table")
            demand["population"] = self.population
        return out


def area_data(base: dict[str, Any], area: Area) -> dict[str, Any]:
    """The scenario data of ``area``: ``base``, the area's provider preset over it, the
    area's own tables over that, then its roster factors (``base`` is not changed)."""
    data = base  # merging copies what it changes; the copy below holds the rest
    if area.provider_type is not None:
        data = with_preset(base, area.provider_type)
        data["provider_type"] = area.provider_type
    data = copy.deepcopy(merge_data(data, area.overlay()))  # it shares the base's tables
    data["name"] = area.name
    scale_rosters(data, area)
    return data


def check_clinician_pools(
    areas: tuple[Area, ...], sharing: Sharing, scenarios: Sequence[Scenario]
) -> None:
    """Areas sharing clinicians need the same clinician groups and call-back classes."""
    first: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for k, (key, area) in enumerate(
        zip(pool_keys(areas, sharing.clinicians), scenarios, strict=True)
    ):
        shape = (  # a freed clinician is matched to calls by class, order and group
            tuple((g.name, g.serves) for g in area.clinicians),
            tuple(p.name for p in area.clinical.priorities),
            area.clinical.discipline,
        )
        seen = first.setdefault(key, (k, shape))
        if seen[1] != shape:
            raise FieldError(
                f"areas.{k}.clinicians",
                f"areas sharing clinicians need the same clinician groups (and classes they "
                f"serve), call-back classes and discipline: {areas[k].name!r} has {shape}, "
                f"{areas[seen[0]].name!r} has {seen[1]}",
            )


def scale_rosters(data: dict[str, Any], area: Area) -> None:
    """Apply the area's roster factors to its merged scenario data (in place)."""
    groups: list[tuple[Any, float]] = [(data.get("advisors"), area.advisor_roster_factor)]
    groups += [(g, area.clinician_roster_factor) for g in data.get("clinicians") or []]
    for group, factor in groups:
        if factor == 1 or not isinstance(group, dict):
            continue
        group["roster_scale"] = group.get("roster_scale", 1.0) * factor
        for change in group.get("staffing_changes") or []:
            if isinstance(change, dict) and "roster_scale" in change:
                change["roster_scale"] *= factor


def pool_keys(areas: tuple[Area, ...], level: str) -> list[str]:
    """For each area, the pool it shares staff in at ``level`` (area, contract, all)."""
    if level == "all":
        return ["all"] * len(areas)
    if level == "contract":
        return [a.contract_name for a in areas]
    if level == "region":
        return [a.region or a.contract_name for a in areas]
    return [a.name for a in areas]
