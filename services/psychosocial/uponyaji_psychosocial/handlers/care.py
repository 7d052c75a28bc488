"""Safety responses to risk flags, and care-plan goals with their reviews."""

from __future__ import annotations

from uuid import UUID, uuid4

from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..schemas import GoalBody, ReviewBody, SafetyResponseBody
from .base import Psychosocial, run, survivor_tx


async def respond_to_flag(
    ps: Psychosocial,
    survivor_id: UUID,
    flag_id: UUID,
    body: SafetyResponseBody,
    actor: Actor,
    responder_id: UUID,
) -> list[Event]:
    """Record the safety response that resolves a risk flag (even for a closed case)."""
    now = ps.clock()
    async with survivor_tx(ps, survivor_id, safety=True) as tx:
        details = await tx.seal(
            "psychosocial.SafetyResponseRecorded", "details", body.details, record=flag_id
        )
        command = domain.RecordSafetyResponse(
            flag_id=flag_id,
            survivor_id=survivor_id,
            responder_id=responder_id,
            actions=tuple(body.actions),
            referral=body.referral,
            details=details,
            responded_at=body.responded_at or now,
            now=now,
        )
        return await run(tx, command, actor)


async def add_goal(
    ps: Psychosocial, survivor_id: UUID, body: GoalBody, actor: Actor
) -> list[Event]:
    """Add a goal to the survivor's care plan (description sealed)."""
    goal_id = uuid4()
    async with survivor_tx(ps, survivor_id) as tx:
        description = await tx.seal(
            "psychosocial.CarePlanGoalAdded", "description", body.description, record=goal_id
        )
        assert description is not None
        command = domain.AddGoal(
            goal_id=goal_id,
            survivor_id=survivor_id,
            domain=body.domain,
            description=description,
            target_date=body.target_date,
        )
        return await run(tx, command, actor)


async def review_goal(
    ps: Psychosocial, survivor_id: UUID, goal_id: UUID, body: ReviewBody, actor: Actor
) -> list[Event]:
    """Review a care-plan goal: its status now, and an optional sealed note."""
    async with survivor_tx(ps, survivor_id) as tx:
        note = await tx.seal("psychosocial.CarePlanGoalReviewed", "note", body.note, record=goal_id)
        command = domain.ReviewGoal(
            goal_id=goal_id,
            survivor_id=survivor_id,
            status=body.status,
            reviewed_on=body.reviewed_on or ps.today(),
            note=note,
            today=ps.today(),
        )
        return await run(tx, command, actor)
