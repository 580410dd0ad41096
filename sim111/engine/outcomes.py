"""How a call's journey ended (or where it was when the run ended): the ``outcome`` codes.

Every offered call has exactly one outcome:

- ``abandoned``: the caller hung up before an advisor answered;
- ``queued_at_end`` / ``with_advisor_at_end``: still waiting for, or talking to,
  an advisor when the run ended;
- ``closed_no_triage``: answered, not triaged (information, wrong number...);
- ``closed_by_advisor``: triaged and given a disposition by the advisor;
- ``awaiting_clinician_at_end`` / ``with_clinician_at_end``: in the clinical
  stage (holding, queued for a call-back, or being assessed) at the end;
- ``closed_by_clinician``: assessed by a clinician and given a disposition;
- ``callback_failed``: every call-back attempt went unanswered;
- ``lost_at_overflow``: sent to an overflow provider that was full and drops calls;
- ``queued_at_provider_at_end`` / ``with_provider_at_end`` / ``closed_by_provider``:
  taken by an overflow provider (``provider`` says which), or a call-back
  escalated to one (``escalated_min`` says when);
- waiting for a call-back, the caller's patience ran out and they
  ``callback_gave_up``, ``callback_left_for_ed`` (went to A&E),
  ``callback_left_for_999`` (dialled 999), or rang 111 again and the call-back
  was closed when that repeat call was answered: ``callback_replaced``.

Codes are only ever added at the end, so a code keeps its meaning.

The codes are small integers (an ``int8`` column) indexing :data:`OUTCOMES`.
"""

from __future__ import annotations

from collections.abc import Callable

OUTCOMES = (
    "abandoned",
    "queued_at_end",
    "with_advisor_at_end",
    "closed_no_triage",
    "closed_by_advisor",
    "awaiting_clinician_at_end",
    "with_clinician_at_end",
    "closed_by_clinician",
    "callback_failed",
    "lost_at_overflow",
    "queued_at_provider_at_end",
    "with_provider_at_end",
    "closed_by_provider",
    "callback_replaced",
    "callback_gave_up",
    "callback_left_for_ed",
    "callback_left_for_999",
)
(
    ABANDONED,
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    CLOSED_NO_TRIAGE,
    CLOSED_BY_ADVISOR,
    AWAITING_CLINICIAN_AT_END,
    WITH_CLINICIAN_AT_END,
    CLOSED_BY_CLINICIAN,
    CALLBACK_FAILED,
    LOST_AT_OVERFLOW,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
    CLOSED_BY_PROVIDER,
    CALLBACK_REPLACED,
    CALLBACK_GAVE_UP,
    CALLBACK_LEFT_FOR_ED,
    CALLBACK_LEFT_FOR_999,
) = range(len(OUTCOMES))
# how a caller who stopped waiting for a call-back left, by action code
# (sim111.scenario.WAITING_ACTIONS: ring_again, ed, ambulance, give_up)
LEFT_CALLBACK = (CALLBACK_REPLACED, CALLBACK_LEFT_FOR_ED, CALLBACK_LEFT_FOR_999, CALLBACK_GAVE_UP)
IN_SYSTEM_AT_END = (
    QUEUED_AT_END,
    WITH_ADVISOR_AT_END,
    AWAITING_CLINICIAN_AT_END,
    WITH_CLINICIAN_AT_END,
    QUEUED_AT_PROVIDER_AT_END,
    WITH_PROVIDER_AT_END,
)
NO_DISPOSITION = -1
NO_PRIORITY = -1

# The route that ends a journey, handed to each stage by the centre:
# close(call, time_min, outcome code, disposition code).
Close = Callable[[int, float, int, int], None]
