"""Routes about one survivor: needs, plan, follow-ups, trainings completed, the whole record."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from uponyaji_service import DirectRoute

from .. import queries, views
from .. import responses as answers
from .. import responses as r
from ..handlers import records
from ..handlers.trainings import complete_training
from ..schemas import (
    CompletionBody,
    FollowUpBody,
    FollowUpCorrectionBody,
    GoalBody,
    NeedsBody,
    NeedsCorrectionBody,
    PlanBody,
    ReviewBody,
)
from .deps import EmDep, Read, Record, actor, written

router = APIRouter(tags=["survivors"], route_class=DirectRoute)
PATH = "/survivors/{survivor_id}"


@router.post(PATH + "/needs-assessments", status_code=201, response_model=r.NeedsAssessed)
async def assess(survivor_id: UUID, body: NeedsBody, grant: Record, em: EmDep) -> r.NeedsAssessed:
    """Record a needs assessment: household, income (KES), Household Hunger Scale, barriers."""
    events = await records.assess_needs(em, survivor_id, body, actor(grant))
    p = events[0].payload
    return r.NeedsAssessed.model_validate(
        {
            "assessment_id": p["assessment_id"],
            "hunger_score": p["hunger_score"],
            "hunger_category": p["hunger_category"],
            "events": written(events),
        }
    )


@router.post(
    PATH + "/needs-assessments/{assessment_id}/correction",
    status_code=201,
    response_model=r.NeedsCorrected,
)
async def correct_needs(
    survivor_id: UUID, assessment_id: UUID, body: NeedsCorrectionBody, grant: Record, em: EmDep
) -> r.NeedsCorrected:
    """Correct a needs assessment: a new one supersedes it, with a reason (history kept)."""
    events = await records.assess_needs(em, survivor_id, body, actor(grant), assessment_id)
    p = events[0].payload
    return r.NeedsCorrected.model_validate(
        {
            "assessment_id": p["assessment_id"],
            "supersedes": str(assessment_id),
            "hunger_category": p["hunger_category"],
            "events": written(events),
        }
    )


@router.post(PATH + "/plan", status_code=201, response_model=r.PlanStarted)
async def start_plan(survivor_id: UUID, body: PlanBody, grant: Record, em: EmDep) -> r.PlanStarted:
    """Start the livelihood plan: goals (business, employment, skill, education, savings)."""
    events = await records.start_plan(em, survivor_id, body, actor(grant))
    p = events[0].payload
    return r.PlanStarted.model_validate(
        {
            "plan_id": p["plan_id"],
            "goal_ids": [g["goal_id"] for g in p["goals"]],
            "step_ids": [[s["step_id"] for s in g["steps"]] for g in p["goals"]],
            "events": written(events),
        }
    )


@router.post(PATH + "/plan/goals", status_code=201, response_model=r.GoalAdded)
async def add_goal(survivor_id: UUID, body: GoalBody, grant: Record, em: EmDep) -> r.GoalAdded:
    """Add a goal to the plan."""
    events = await records.add_goal(em, survivor_id, body, actor(grant))
    return r.GoalAdded.model_validate(
        {"goal_id": events[0].payload["goal"]["goal_id"], "events": written(events)}
    )


@router.post(PATH + "/plan/reviews", status_code=201, response_model=r.Recorded)
async def review_plan(survivor_id: UUID, body: ReviewBody, grant: Record, em: EmDep) -> r.Recorded:
    """Review the plan: each goal's status and the steps done."""
    return r.Recorded.model_validate(
        {"events": written(await records.review_plan(em, survivor_id, body, actor(grant)))}
    )


@router.post(PATH + "/follow-ups", status_code=201, response_model=r.FollowedUp)
async def follow_up(
    survivor_id: UUID, body: FollowUpBody, grant: Record, em: EmDep
) -> r.FollowedUp:
    """Record the 3, 6 or 12-month follow-up: income, business, work, hunger scale."""
    events = await records.record_follow_up(em, survivor_id, body, actor(grant))
    p = events[0].payload
    return r.FollowedUp.model_validate(
        {
            "follow_up_id": p["follow_up_id"],
            "due_on": p["due_on"],
            "hunger_category": p["hunger_category"],
            "events": written(events),
        }
    )


@router.post(
    PATH + "/follow-ups/{follow_up_id}/correction",
    status_code=201,
    response_model=r.FollowUpCorrected,
)
async def correct_follow_up(
    survivor_id: UUID, follow_up_id: UUID, body: FollowUpCorrectionBody, grant: Record, em: EmDep
) -> r.FollowUpCorrected:
    """Correct a follow-up: a new one supersedes it, with a reason (history kept)."""
    events = await records.record_follow_up(em, survivor_id, body, actor(grant), follow_up_id)
    return r.FollowUpCorrected.model_validate(
        {
            "follow_up_id": events[0].payload["follow_up_id"],
            "supersedes": str(follow_up_id),
            "events": written(events),
        }
    )


@router.post(
    PATH + "/trainings/{course_id}/completion", status_code=201, response_model=r.TrainingCompleted
)
async def complete(
    survivor_id: UUID, course_id: UUID, body: CompletionBody, grant: Record, em: EmDep
) -> r.TrainingCompleted:
    """Record that the survivor completed a course (sessions attended counted)."""
    events = await complete_training(em, survivor_id, course_id, body, actor(grant))
    return r.TrainingCompleted.model_validate(
        {"sessions_attended": events[0].payload["sessions_attended"], "events": written(events)}
    )


@router.get(PATH + "/empowerment", response_model=answers.EmpowermentRecord)
async def read_record(survivor_id: UUID, grant: Read, em: EmDep) -> answers.EmpowermentRecord:
    """The survivor's empowerment record: needs, plan, grants, trainings, follow-ups, outcomes.

    Notes, descriptions and payment references per the empowerment_notes field rule.
    """
    found = await queries.record(em.store.pool, survivor_id)
    survivor = found["survivor"]
    read = views.Reader(
        em.keys.sealer,
        survivor_id,
        erased=bool(survivor and survivor["erased"]),
        visible=grant.sees("empowerment_notes"),
    )
    return answers.EmpowermentRecord.model_validate(
        await views.record(survivor_id, found, read, em.today())
    )
