"""Other services: overflow providers and the rules that send calls to them,
and downstream services that 111 refers patients to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sim111.errors import FieldError
from sim111.scenario.limits import MAX_CLASSES, check_count, check_name
from sim111.scenario.schema import check_kpi_name, exactly_one, spec
from sim111.scenario.staff import StaffGroup
from sim111.units import parse_clock_min
from sim111.vocabulary import DAY_TYPES, DISPOSITIONS


@dataclass(frozen=True)
class Provider(StaffGroup):
    """Another service that takes 111 calls on overflow (NHS Direct 0845, a
    neighbouring 111, GP out-of-hours triage), paid per call.

    It accepts a call unless its queue already holds ``max_queue`` calls or it
    has accepted ``max_calls_per_hour`` in the current clock hour; accepted
    calls wait in its own FIFO queue for its staff. A call it cannot accept
    bounces back to the 111 queue or is lost (counted), as ``when_full`` says.
    """

    name: str = spec("provider", doc="Name used in KPI keys, e.g. 'nhs_direct'.")
    price_per_call_gbp: float = spec(0.0, doc="Fee per call taken.", unit="GBP", ge=0)
    max_queue: int | None = spec(None, doc="Most calls waiting there; unset: no limit.", ge=0)
    max_calls_per_hour: int | None = spec(
        None, doc="Most calls accepted per clock hour; unset: no limit.", ge=0
    )
    when_full: str = spec(
        "bounce", doc="What happens to a call it cannot accept.", choices=("bounce", "lost")
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        check_kpi_name(self.name)


@dataclass(frozen=True)
class OverflowRule:
    """Send a newly offered call to ``provider`` when the 111 queue is long.

    Fires when no advisor is free and the queue holds more than
    ``queue_length_over`` calls, or the expected wait exceeds
    ``expected_wait_over_s`` (queue ahead + 1, times the mean advisor
    handling time, over the advisors on duty) — within the time window and on
    the day types given. Rules are tried in order; the first that fires wins.
    """

    provider: str = spec(doc="Name of a provider in [[providers]].")
    queue_length_over: int | None = spec(None, doc="Queue length threshold.", unit="calls", ge=0)
    expected_wait_over_s: float | None = spec(None, doc="Expected wait threshold.", unit="s", ge=0)
    day_types: tuple[str, ...] = spec(DAY_TYPES, doc="Day types it applies on.", choices=DAY_TYPES)
    start: str = spec("00:00", doc="Applies from 'HH:MM'.")
    end: str = spec("24:00", doc="Applies until 'HH:MM' (before start: past midnight).")

    def __post_init__(self) -> None:
        exactly_one(self, "queue_length_over", "expected_wait_over_s")
        parse_clock_min("start", self.start)
        parse_clock_min("end", self.end)

    @cached_property
    def window_min(self) -> tuple[int, int]:
        """``(start, end)`` in minutes after midnight, parsed once."""
        return parse_clock_min("start", self.start), parse_clock_min("end", self.end)


@dataclass(frozen=True)
class DownstreamClass:
    """An urgency class of a downstream service: its share of cases and target."""

    name: str = spec(doc="Name, e.g. 'urgent'.")
    share: float = spec(doc="Share of the service's cases (normalised).", ge=0)
    target_min: float = spec(doc="Target from referral to being seen.", unit="min", gt=0)

    def __post_init__(self) -> None:
        check_name("name", self.name)


@dataclass(frozen=True)
class DownstreamService(StaffGroup):
    """A service 111 refers patients to, with finite capacity (GP out-of-hours
    base appointments, home visits, telephone consultations, A&E).

    It receives ``share`` of the calls given disposition ``takes`` (shares of
    one disposition may not add up to more than 1). Cases wait in its own queue,
    most urgent class first, then oldest; ``handle_time`` is the consultation.
    """

    name: str = spec("service", doc="Name used in KPI keys, e.g. 'gp_ooh_base'.")
    takes: str = spec("primary_care", doc="Disposition that feeds it.", choices=DISPOSITIONS)
    share: float = spec(1.0, doc="Share of that disposition referred here.", ge=0, le=1)
    classes: tuple[DownstreamClass, ...] = spec(
        default_factory=lambda: (
            DownstreamClass("urgent", 0.3, 120.0),
            DownstreamClass("routine", 0.7, 360.0),
        ),
        doc="Urgency classes, most urgent first (NQR: urgent within 2 h, routine 6 h).",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        check_kpi_name(self.name)
        if not self.classes or sum(c.share for c in self.classes) <= 0:
            raise FieldError("classes", "must list at least one class with share > 0")
        check_count("classes", self.classes, MAX_CLASSES, "classes (records use a byte)")
