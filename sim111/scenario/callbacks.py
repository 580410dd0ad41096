"""Callers waiting for a clinical call-back, and what the service does about a backlog.

While a caller waits for a call-back (from the end of the advisor call until a
clinician reaches them) their call-back patience may run out; they then ring
111 again, go to A&E, dial 999 or give up (``[clinical.waiting]``). A service
may escalate old call-backs to another provider, call clinicians in on
overtime, or move old call-backs up a priority class (``[clinical.backlog]``).
Everything here is off by default: a scenario without these tables behaves
exactly as before they existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim111.errors import FieldError
from sim111.scenario.distributions import Distribution
from sim111.scenario.limits import MAX_HEADCOUNT
from sim111.scenario.schema import spec

# What a caller does when their call-back patience runs out, in this order
# (the engine's action codes index it).
WAITING_ACTIONS = ("ring_again", "ed", "ambulance", "give_up")


@dataclass(frozen=True)
class WhenPatienceRunsOut:
    """What callers do when they stop waiting for a call-back, as weights (normalised).

    No published figure exists for any of these (docs/domain.md §1, §4): they are
    estimates (E) to sweep (notebooks/05-callback-backlog.ipynb).
    """

    ring_again: float = spec(
        0.60, doc="Ring 111 again: a repeat call from the same caller (E).", ge=0
    )
    ed: float = spec(0.10, doc="Go to A&E themselves (E).", ge=0)
    ambulance: float = spec(0.05, doc="Dial 999 (E).", ge=0)
    give_up: float = spec(
        0.25, doc="Stop waiting: self-care, a pharmacy, their own GP later (E).", ge=0
    )

    def __post_init__(self) -> None:
        if sum(self.weights()) <= 0:
            raise FieldError("", "must have at least one weight > 0")

    def weights(self) -> tuple[float, ...]:
        """Weights in the order of :data:`WAITING_ACTIONS`."""
        return tuple(getattr(self, name) for name in WAITING_ACTIONS)


@dataclass(frozen=True)
class Waiting:
    """Callers waiting for a call-back (``[clinical.waiting]``).

    A caller's call-back patience runs from the end of the advisor call. If no
    clinician has reached them by then (holding, queued, or between unanswered
    attempts) they act as ``then`` says. A repeat call is a new offered call
    from the same caller (same ``caller_id``, ``repeat_of`` the call it chases)
    that queues for an advisor and may be answered, abandoned or redialled.
    Priority classes may set their own patience and shares.
    """

    patience: Distribution = spec(
        default_factory=lambda: Distribution(kind="never"),
        doc="How long callers wait for a call-back before acting; 'never' (default): "
        "they wait however long it takes.",
    )
    then: WhenPatienceRunsOut = spec(
        default_factory=WhenPatienceRunsOut, doc="What they do then (weights)."
    )
    repeat_call_closes_callback: bool = spec(
        True,
        doc="When a repeat call is answered, the pending call-back is closed and the caller "
        "is triaged again (keeping their clinical need and class, so they queue afresh); "
        "false: the call-back keeps its place and the repeat call ends with the advisor.",
    )


@dataclass(frozen=True)
class Backlog:
    """What the service does about a call-back backlog (``[clinical.backlog]``).

    - **Escalation**: a call-back still waiting ``escalate_after_min`` after the
      advisor call, or the longest-waiting ones while more than
      ``escalate_when_queue_over`` wait, go to the provider ``escalate_to``
      (one of ``[[providers]]``: its staff, limits and fee per call). If it
      cannot take one, the age rule tries again ``escalate_retry_min`` later.
    - **Overtime**: while more than ``overtime_when_queue_over`` call-backs
      wait, one more clinician of group ``overtime_group`` is called in for
      ``overtime_block_min``, up to ``overtime_max_clinicians`` at once, paid
      at the group's basic rate x ``overtime_pay_multiplier`` plus on-costs.
    - **Upgrades** (``priority`` discipline): a call-back waiting
      ``upgrade_after_min`` moves up one class, and again after each further
      interval, until it is in the highest class.
    """

    escalate_to: str | None = spec(None, doc="Provider that takes escalated call-backs.")
    escalate_after_min: float | None = spec(
        None, doc="Escalate a call-back still waiting this long.", unit="min", gt=0
    )
    escalate_when_queue_over: int | None = spec(
        None, doc="Escalate the longest-waiting while more than this wait.", unit="calls", ge=0
    )
    escalate_retry_min: float = spec(
        15.0, doc="If the provider is full, try an old call-back again after.", unit="min", gt=0
    )
    overtime_when_queue_over: int | None = spec(
        None, doc="Call a clinician in while more call-backs than this wait.", unit="calls", ge=0
    )
    overtime_max_clinicians: int = spec(
        0, doc="Most clinicians on overtime at once.", ge=0, le=MAX_HEADCOUNT
    )
    overtime_block_min: float = spec(
        120.0, doc="How long a clinician called in stays.", unit="min", gt=0
    )
    overtime_group: str | None = spec(
        None, doc="Clinician group called in (unset: the first group)."
    )
    overtime_pay_multiplier: float = spec(
        1.5, doc="Overtime rate / basic rate (AfC: time and a half; E).", ge=1
    )
    upgrade_after_min: float | None = spec(
        None, doc="A call-back waiting this long moves up a class.", unit="min", gt=0
    )

    def __post_init__(self) -> None:
        rules = (self.escalate_after_min, self.escalate_when_queue_over)
        if self.escalate_to is None and any(r is not None for r in rules):
            raise FieldError("escalate_to", "is required with an escalation threshold")
        if self.escalate_to is not None and all(r is None for r in rules):
            raise FieldError(
                "escalate_to",
                "needs escalate_after_min or escalate_when_queue_over (when to escalate)",
            )
        if (self.overtime_when_queue_over is None) != (self.overtime_max_clinicians == 0):
            raise FieldError(
                "overtime_max_clinicians",
                "and overtime_when_queue_over go together (both set, or neither)",
            )

    @property
    def escalates(self) -> bool:
        """Whether call-backs are ever escalated."""
        return self.escalate_to is not None

    @property
    def overtime(self) -> bool:
        """Whether clinicians are ever called in."""
        return self.overtime_max_clinicians > 0
