"""What the service costs and earns: on-costs, overheads, price, penalties."""

from __future__ import annotations

from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.kpi_keys import DOWNSTREAM_PREFIX, PER_CLASS_PREFIX, PROVIDER_PREFIX, penalty_kpis
from sim111.scenario.limits import unknown_kpi
from sim111.scenario.schema import spec


@dataclass(frozen=True)
class DownstreamCosts:
    """NHS system cost of each disposition (2013/14 reference costs; docs/domain.md §5)."""

    ambulance: float = spec(216.0, doc="Ambulance call-out.", unit="GBP", ge=0)
    ed: float = spec(114.0, doc="A&E attendance, not admitted.", unit="GBP", ge=0)
    primary_care: float = spec(69.0, doc="GP out-of-hours case.", unit="GBP", ge=0)
    other_service: float = spec(67.0, doc="Urgent care centre or similar.", unit="GBP", ge=0)
    pharmacy: float = spec(0.0, doc="Community pharmacy consultation.", unit="GBP", ge=0)
    self_care: float = spec(0.0, doc="Self-care advice.", unit="GBP", ge=0)


@dataclass(frozen=True)
class Penalty:
    """A contract penalty charged when a KPI misses its threshold over the run."""

    kpi: str = spec(doc="KPI key, e.g. 'answered_within_60s'.")
    threshold: float = spec(doc="Value the KPI must reach (or stay under).")
    amount_gbp: float = spec(doc="Charged per run in which the KPI misses.", unit="GBP", ge=0)
    higher_is_better: bool = spec(True, doc="Whether the KPI must be >= (else <=) threshold.")

    def __post_init__(self) -> None:
        named = (PER_CLASS_PREFIX, PROVIDER_PREFIX, DOWNSTREAM_PREFIX)  # checked by the scenario
        if self.kpi not in penalty_kpis() and not self.kpi.startswith(named):
            raise FieldError("kpi", unknown_kpi(self.kpi, penalty_kpis()))


@dataclass(frozen=True)
class Costs:
    """On-costs, shrinkage, overheads, the contract price and penalties.

    Staff cost of a rostered hour = basic rate x (1 + unsocial-hours uplift)
    x (1 + `on_cost_share`) / (1 - `shrinkage`): roster counts are people on
    the phones, and shrinkage (leave, training, sickness, breaks) is paid time
    off them. Overheads are a share of direct staff cost. Revenue is
    `price_per_call_gbp` per answered call, or a block payment of
    `price_per_head_per_year_gbp` x population, pro rata for the run.
    """

    paid_hours_per_year: float = spec(1955.0, doc="Paid hours a year (D).", unit="h", gt=0)
    on_cost_share: float = spec(0.0, doc="Employer NI and pension, share of pay.", ge=0)
    shrinkage: float = spec(0.0, doc="Share of paid time not on the phones.", ge=0, lt=1)
    overhead_share: float = spec(0.0, doc="Overheads as a share of direct staff cost.", ge=0)
    price_per_call_gbp: float | None = spec(
        None, doc="Contract price per answered call.", unit="GBP", ge=0
    )
    price_per_head_per_year_gbp: float | None = spec(
        None, doc="Block contract price per head of population a year.", unit="GBP", ge=0
    )
    downstream: DownstreamCosts = spec(
        default_factory=DownstreamCosts, doc="System cost per disposition (reported apart)."
    )
    penalties: tuple[Penalty, ...] = spec((), doc="KPI penalties (array of tables).")

    def __post_init__(self) -> None:
        if self.price_per_call_gbp is not None and self.price_per_head_per_year_gbp is not None:
            raise FieldError(
                "price_per_call_gbp", "and 'price_per_head_per_year_gbp' cannot both be given"
            )
