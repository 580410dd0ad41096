"""Areas that share staff: who answers whose calls in a coupled multi-area run.

Each area keeps its own stages, queues and records (:mod:`sim111.engine.centre`);
sharing lends an idle person of one area's stage to another area's call. The
owner's stage writes the call's records; the lender's stage keeps its
person busy (their time counts as the lender's), and gets them back at the
end of the call (:meth:`~sim111.engine.advisors.AdvisorStage.answer_lent`,
the ``lender`` argument of the clinical stage's attempts and assessments).

- **A pool of advisors** (the areas of one contract, or all areas): with no
  own-area preference it is one virtual queue, oldest call first — a freed
  advisor takes the longest-waiting caller of any area in the pool, and a
  caller finding their own area's advisors busy is answered by the pool area
  with most advisors idle. With ``prefer_own_area_s`` = T, an advisor serves
  their own area's queue first and another's caller only once that caller has
  waited T; a caller still queued after T is answered by an idle advisor of
  another pool area, if any.
- **A pool of clinicians**: one virtual clinical stage. A freed clinician
  takes the caller holding longest for a warm transfer in any pool area, else
  the first call-back in the pool by class (or deadline), then entry time; a
  call needing a clinician borrows an idle one of another pool area when its
  own area has none.
- **Mutual aid**: a caller whose area's expected wait exceeds the threshold
  while no own advisor is idle is answered by the area (any, outside its pool)
  with most advisors idle; the caller's area pays that area a fee per call.

Ties go to the area listed first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sim111.engine.advisors import AdvisorStage
from sim111.engine.callback_queue import CallbackEntry
from sim111.engine.clinical import ClinicalStage
from sim111.engine.outcomes import QUEUED_AT_END
from sim111.engine.overflow import QueueState, expected_wait_s
from sim111.engine.pooling import Lenders, PooledQueue, first_callback, pools_of
from sim111.engine.scheduler import Scheduler
from sim111.scenario import MutualAid
from sim111.units import SECONDS_PER_MIN

INFINITY = math.inf


class AdvisorSharing:
    """Advisor pools and mutual aid between the areas of one coupled run."""

    def __init__(
        self,
        clock: Scheduler,
        stages: Sequence[AdvisorStage],
        pool_keys: Sequence[str],
        prefer_own_area_s: float,
        mutual_aid: MutualAid | None,
        mean_handle_min: Sequence[float],
    ) -> None:
        self.clock = clock
        self.prefer_min = prefer_own_area_s / SECONDS_PER_MIN
        self.aid = mutual_aid
        queues: dict[tuple[int, ...], PooledQueue] = {}
        for k, (stage, pool) in enumerate(zip(stages, pools_of(pool_keys), strict=True)):
            members = [stages[j] for j in pool]
            peers = [s for s in members if s is not stage]
            outsiders = [s for s in stages if s not in members]
            if peers and self.prefer_min == 0:  # one virtual queue: oldest caller first
                queue = queues.setdefault(tuple(pool), PooledQueue(members))
                stage.on_queue = queue.joiner(pool.index(k))
                stage.pool.on_free = self._free_oldest(stage, queue)
            elif peers:
                stage.pool.on_free = self._free_for(stage, peers)
            if peers or (mutual_aid is not None and outsiders):
                stage.lazy_abandonment = False  # sharing reads the live queues
                stage.divert = self._offer_for(
                    stage,
                    Lenders(peers),
                    Lenders(outsiders if mutual_aid else []),
                    stage.divert,
                    mean_handle_min[k],
                )

    def _offer_for(
        self,
        stage: AdvisorStage,
        peers: Lenders[AdvisorStage],
        helpers: Lenders[AdvisorStage],
        overflow: Callable[[int], bool] | None,
        mean_handle_min: float,
    ) -> Callable[[int], bool]:
        """``stage``'s hook for a call finding no own advisor idle: ``True`` if it went."""
        prefer = self.prefer_min
        at, aid = self.clock.at, self.aid

        def offered(call: int) -> bool:
            if peers and prefer == 0 and self._lend(stage, call, peers):
                return True
            if helpers and aid is not None:
                state = QueueState(stage.waiting, stage.pool.on_duty, mean_handle_min, "", 0.0)
                over = expected_wait_s(state) > aid.after_expected_wait_s
                if over and self._lend(stage, call, helpers):
                    return True
            if overflow is not None and overflow(call):
                return True
            if peers and prefer > 0:
                at(stage.arrival[call] + prefer, waited, call)
            return False

        def waited(call: int) -> None:  # still queued after the preference time?
            if stage.outcome[call] == QUEUED_AT_END and self._lend(stage, call, peers):
                stage.waiting -= 1  # it stays in the queue, answered: skipped there

        return offered

    def _lend(self, owner: AdvisorStage, call: int, lenders: Lenders[AdvisorStage]) -> bool:
        lender = lenders.most_idle()
        if lender is None:
            return False
        agent = next(iter(lender.idle))
        del lender.idle[agent]
        owner.answer_lent(call, lender, agent, self.clock.now)
        return True

    def _free_oldest(self, stage: AdvisorStage, queue: PooledQueue) -> Callable[[int], None]:
        """``stage``'s hook for one of its advisors coming free, in a pool with no
        own-area preference: the pool's caller waiting longest, else idle."""
        clock = self.clock

        def free(agent: int) -> None:
            found = queue.pop()
            if found is None:
                stage.idle[agent] = None
                return
            member, call = found
            if member is stage:
                stage.answer(call, agent, clock.now)
            else:
                member.answer_lent(call, stage, agent, clock.now)

        return free

    def _free_for(self, stage: AdvisorStage, peers: list[AdvisorStage]) -> Callable[[int], None]:
        """``stage``'s hook for one of its advisors coming free, in a pool whose advisors
        prefer their own area's callers (``prefer_own_area_s`` > 0)."""
        prefer, clock = self.prefer_min, self.clock

        def free(agent: int) -> None:
            now = clock.now
            if stage.waiting:
                call = stage.next_waiting()
                if call is not None:
                    stage.answer(call, agent, now)
                    return
            best, oldest = None, INFINITY
            for member in peers:
                if member.waiting:
                    head = member.head()
                    if head is not None and member.arrival[head] < oldest:
                        best, oldest = member, member.arrival[head]
            if best is not None and oldest + prefer <= now:
                call = best.next_waiting()
                assert call is not None
                best.answer_lent(call, stage, agent, now)
                return
            stage.idle[agent] = None

        return free


class ClinicianSharing:
    """Clinician pools between the areas of one coupled run (one virtual clinical stage)."""

    def __init__(
        self, clock: Scheduler, stages: Sequence[ClinicalStage], pool_keys: Sequence[str]
    ) -> None:
        self.clock = clock
        callbacks: dict[tuple[int, ...], list[CallbackEntry]] = {}
        for k, (stage, pool) in enumerate(zip(stages, pools_of(pool_keys), strict=True)):
            members = [stages[j] for j in pool]
            peers = [s for s in members if s is not stage]
            if peers:
                stage.borrow = self._borrow_for(Lenders(peers))
                serves_all = [  # by group: does it serve every class in every area?
                    all(g < len(m._serves) and m._serves[g] is None for m in members)
                    for g in range(len(stage._serves))
                ]
                mirror = callbacks.setdefault(tuple(pool), [])
                if any(serves_all):  # else nothing would read the mirror (nor empty it)
                    stage.queue.mirror_to(mirror, pool.index(k))
                stage.pool.on_free = self._free_for(stage, members, mirror, serves_all)

    @staticmethod
    def _borrow_for(
        peers: Lenders[ClinicalStage],
    ) -> Callable[[int], tuple[ClinicalStage, int] | None]:
        def borrow(priority: int) -> tuple[ClinicalStage, int] | None:
            best = peers.most_idle()
            if best is None:
                return None
            agent = best._take_clinician(priority)
            if agent is not None:
                return best, agent
            # groups that serve only some classes: the next peers, most idle first
            for lender in sorted(peers.stages, key=lambda s: -len(s.pool.idle)):
                agent = lender._take_clinician(priority) if lender.pool.idle else None
                if agent is not None:
                    return lender, agent
            return None

        return borrow

    def _free_for(
        self,
        stage: ClinicalStage,
        members: list[ClinicalStage],
        mirror: list[CallbackEntry],
        serves_all: list[bool],
    ) -> Callable[[int], None]:
        """``stage``'s hook for one of its clinicians coming free: the pool's first call.

        The pool's first call-back is the top of ``mirror`` (every member's queue
        entries, :meth:`~sim111.engine.callback_queue.CallbackQueue.mirror_to`) when
        the clinician's group serves every class in every area; else each area's
        first eligible call-back is looked at.
        """
        clock = self.clock
        holdings = [m.holding for m in members]  # the stages' own deques

        def free(agent: int) -> None:
            group = stage.pool.group_of[agent]
            best: tuple[ClinicalStage, int] | None = None
            best_key: tuple[float, ...] = (INFINITY,)
            for member in members if any(holdings) else ():  # a caller holding for a
                if member.holding:  # warm transfer, longest first
                    call = member.peek_holding(group)
                    if call is not None:
                        key = (member.calls.advisor_end_min[call],)
                        if key < best_key:
                            best, best_key = (member, call), key
            if best is not None:
                member, call = best
                member.holding.remove(call)
                member.calls.warm_transfer[call] = True
                member._assess(call, agent, clock.now, stage)
                return
            if serves_all[group]:  # else the pool's first call-back
                best = first_callback(mirror, members)
            else:
                for member in members:
                    if member.queue.live:
                        found = member.peek_callback(group)
                        if found is not None and found[0] < best_key:
                            best, best_key = (member, found[1]), found[0]
            if best is not None:
                member, call = best
                member.queue.remove(call)
                if serves_all[group]:
                    member.queue.peek()  # its own heap, read only here: drop stale entries
                member._attempt(call, agent, stage)
                return
            stage.pool.make_idle(agent)

        return free
