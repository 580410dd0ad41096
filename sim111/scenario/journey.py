"""The caller's journey: patience and redial, triage, dispositions, the clinical stage."""

from __future__ import annotations

from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.scenario.callbacks import Backlog, Waiting, WhenPatienceRunsOut
from sim111.scenario.distributions import Distribution, check_ends
from sim111.scenario.limits import (
    MAX_CALLBACK_ATTEMPTS,
    MAX_CLASSES,
    MAX_REDIALS,
    check_count,
    check_name,
)
from sim111.scenario.schema import spec
from sim111.vocabulary import DISPOSITIONS


@dataclass(frozen=True)
class Callers:
    """How long callers will wait."""

    patience: Distribution = spec(
        default_factory=lambda: Distribution(mean_min=25.0),
        doc="Time a caller is prepared to wait for an answer (kind 'never': no one hangs up).",
    )
    quick_hangup_share: float = spec(
        0.0,
        doc="Share of callers who hang up within quick_hangup_max_s whatever the wait.",
        ge=0,
        le=1,
    )
    quick_hangup_max_s: float = spec(
        60.0, doc="Quick hang-ups wait uniformly up to this long.", unit="s", gt=0
    )
    redial_probability: float = spec(
        0.0,
        doc="Chance that a caller who abandons calls again. A caller redials at most "
        f"{MAX_REDIALS} times: after that abandonment they give up (even at 1).",
        ge=0,
        le=1,
    )
    redial_delay: Distribution = spec(
        default_factory=lambda: Distribution(mean_min=10.0),
        doc="Time from abandoning to calling again.",
    )

    def __post_init__(self) -> None:
        check_ends("redial_delay", self.redial_delay)


@dataclass(frozen=True)
class DispositionMix:
    """Where calls are sent, as weights (normalised to sum to 1)."""

    ambulance: float = spec(0.10, doc="999 ambulance dispatch.", ge=0)
    ed: float = spec(0.08, doc="Emergency department (A&E).", ge=0)
    primary_care: float = spec(0.63, doc="GP, GP out-of-hours, primary care.", ge=0)
    other_service: float = spec(0.04, doc="Another service (dental, mental health...).", ge=0)
    pharmacy: float = spec(0.0, doc="Community pharmacy.", ge=0)
    self_care: float = spec(0.15, doc="Home care advice; no referral.", ge=0)

    def __post_init__(self) -> None:
        if sum(self.weights()) <= 0:
            raise FieldError("", "must have at least one weight > 0")

    def weights(self) -> tuple[float, ...]:
        """Weights in the order of :data:`DISPOSITIONS`."""
        return tuple(getattr(self, name) for name in DISPOSITIONS)


@dataclass(frozen=True)
class DayTypeShares:
    """A share per day type; unset entries fall back to the general share."""

    weekday: float | None = spec(None, doc="Monday to Friday.", ge=0, le=1)
    saturday: float | None = spec(None, doc="Saturday.", ge=0, le=1)
    sunday: float | None = spec(None, doc="Sunday.", ge=0, le=1)
    bank_holiday: float | None = spec(None, doc="England bank holiday.", ge=0, le=1)


@dataclass(frozen=True)
class Triage:
    """What the health advisor does with an answered call.

    A share of answered calls is triaged with NHS Pathways (the rest are, e.g.,
    information calls, closed with no disposition). ``clinical_share`` of all
    answered calls need clinical input; the other triaged calls get a
    disposition from the advisor. Defaults switch the clinical stage off.
    """

    triaged_share: float = spec(1.0, doc="Share of answered calls triaged.", ge=0, le=1)
    untriaged_handle_time: Distribution | None = spec(
        None, doc="Advisor time for calls not triaged (advisors.handle_time is for triaged)."
    )
    clinical_share: float = spec(
        0.0, doc="Share of answered calls needing clinical input.", ge=0, le=1
    )
    clinical_share_by_day_type: DayTypeShares = spec(
        default_factory=DayTypeShares, doc="clinical_share for particular day types."
    )
    disposition: DispositionMix = spec(
        default_factory=DispositionMix,
        doc="Dispositions given by advisors (2015 triaged-call mix, docs/domain.md §4).",
    )

    def __post_init__(self) -> None:
        check_ends("untriaged_handle_time", self.untriaged_handle_time)
        if self.triaged_share < 1 and self.untriaged_handle_time is None:
            raise FieldError("untriaged_handle_time", "is required when triaged_share < 1")
        shares = [self.clinical_share] + [
            v for v in vars(self.clinical_share_by_day_type).values() if v is not None
        ]
        if max(shares) > self.triaged_share:
            raise FieldError(
                "clinical_share",
                f"must not exceed triaged_share ({self.triaged_share:g}): only triaged "
                f"calls reach a clinician, got {max(shares):g}",
            )

    def clinical_share_on(self, day_type: str) -> float:
        """The clinical share for calls arriving on ``day_type``."""
        value = getattr(self.clinical_share_by_day_type, day_type)
        return self.clinical_share if value is None else value


@dataclass(frozen=True)
class PriorityClass:
    """A clinical priority: its share of clinical calls and call-back target."""

    name: str = spec(doc="Name, e.g. 'urgent'.")
    share: float = spec(doc="Share of calls needing clinical input (normalised).", ge=0)
    target_min: float = spec(
        doc="Call-back target from the end of the advisor call.", unit="min", gt=0
    )
    warm_transfer: bool = spec(
        True, doc="Whether these calls are put through live when a clinician is free."
    )
    callback_patience: Distribution | None = spec(
        None, doc="This class's call-back patience (unset: clinical.waiting.patience)."
    )
    when_patience_runs_out: WhenPatienceRunsOut | None = spec(
        None, doc="What this class's callers do then (unset: clinical.waiting.then)."
    )

    def __post_init__(self) -> None:
        check_name("name", self.name)


def _default_priorities() -> tuple[PriorityClass, ...]:
    return (
        PriorityClass("urgent", 0.38, 20.0, True),
        PriorityClass("soon", 0.37, 60.0, False),
        PriorityClass("routine", 0.25, 120.0, False),
    )


@dataclass(frozen=True)
class Clinical:
    """The clinical stage: warm transfer, the call-back queue and its attempts.

    Clinicians take live (warm-transfer) callers first, then call-backs in
    order of ``discipline``: ``priority`` serves the highest class first and
    the longest-waiting within it; ``deadline`` serves the earliest
    (end of advisor call + class target) first.
    """

    priorities: tuple[PriorityClass, ...] = spec(
        default_factory=_default_priorities,
        doc="Priority classes, highest first.",
    )
    discipline: str = spec("priority", doc="Call-back order.", choices=("priority", "deadline"))
    warm_transfer_hold_max_min: float = spec(
        0.0,
        doc="How long a warm-transfer caller holds for a clinician before becoming a call-back.",
        unit="min",
        ge=0,
    )
    callback_no_answer_share: float = spec(
        0.10, doc="Chance a call-back attempt is not answered (E).", ge=0, lt=1
    )
    callback_retry_delay_min: float = spec(
        15.0, doc="Wait before trying an unanswered call-back again.", unit="min", ge=0
    )
    callback_max_attempts: int = spec(
        3, doc="Attempts before giving up.", ge=1, le=MAX_CALLBACK_ATTEMPTS
    )
    callback_no_answer_min: float = spec(
        2.0, doc="Clinician time spent on an unanswered attempt.", unit="min", ge=0
    )
    disposition: DispositionMix = spec(
        default_factory=lambda: DispositionMix(
            ambulance=0.05,
            ed=0.06,
            primary_care=0.49,
            other_service=0.05,
            pharmacy=0.05,
            self_care=0.30,
        ),
        doc="Dispositions given by clinicians (more self-care, less 999/A&E; E).",
    )
    waiting: Waiting = spec(
        default_factory=Waiting, doc="Callers waiting for a call-back: patience, what they do."
    )
    backlog: Backlog = spec(
        default_factory=Backlog, doc="What the service does about a call-back backlog."
    )

    def __post_init__(self) -> None:
        if not self.priorities:
            raise FieldError("priorities", "must list at least one class")
        check_count("priorities", self.priorities, MAX_CLASSES, "classes (records use a byte)")
        names = [p.name for p in self.priorities]
        if len(set(names)) != len(names):
            raise FieldError("priorities", f"names must be unique, got {names}")
        if sum(p.share for p in self.priorities) <= 0:
            raise FieldError("priorities", "must have at least one share > 0")
        if self.backlog.upgrade_after_min is not None and self.discipline != "priority":
            raise FieldError("backlog.upgrade_after_min", "applies to discipline = 'priority' only")

    def callback_patience(self, priority: int) -> Distribution:
        """Call-back patience of class ``priority`` (its own, else the general one)."""
        own = self.priorities[priority].callback_patience
        return self.waiting.patience if own is None else own

    def waiting_actions(self, priority: int) -> WhenPatienceRunsOut:
        """What class ``priority``'s callers do when their patience runs out."""
        own = self.priorities[priority].when_patience_runs_out
        return self.waiting.then if own is None else own

    @property
    def callers_may_stop_waiting(self) -> bool:
        """Whether any class's call-back patience can run out."""
        return any(self.callback_patience(k).kind != "never" for k in range(len(self.priorities)))
