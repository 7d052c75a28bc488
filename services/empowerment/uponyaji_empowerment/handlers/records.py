"""Needs assessments, livelihood plans and follow-ups of one survivor (their stream)."""

from __future__ import annotations

from uuid import UUID, uuid4

from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..schemas import (
    FollowUpBody,
    FollowUpCorrectionBody,
    GoalBody,
    NeedsBody,
    NeedsCorrectionBody,
    PlanBody,
    ReviewBody,
)
from .base import Empowerment, Tx, survivor_tx

NEEDS, NEEDS_FIXED = "empowerment.NeedsAssessed", "empowerment.NeedsAssessmentCorrected"
FOLLOW, FOLLOW_FIXED = "empowerment.FollowUpRecorded", "empowerment.FollowUpCorrected"


async def assess_needs(
    em: Empowerment,
    survivor_id: UUID,
    body: NeedsBody,
    actor: Actor,
    supersedes: UUID | None = None,
) -> list[Event]:
    """Record a needs assessment (a correction when `supersedes` is given, with its reason)."""
    assessment_id = uuid4()
    async with survivor_tx(em, survivor_id) as tx:
        event = NEEDS if supersedes is None else NEEDS_FIXED
        reason = None
        if isinstance(body, NeedsCorrectionBody):
            reason = await tx.sealed(event, "reason", body.reason, record=assessment_id)
        household = domain.Household(
            household_size=body.household_size,
            dependants=body.dependants,
            earners=body.earners,
            income_sources=tuple(body.income_sources),
            monthly_income_kes=body.monthly_income_kes,
            housing=body.housing,
            hunger_answers=tuple(body.hunger_answers),
            school_age_children=body.school_age_children,
            children_out_of_school=body.children_out_of_school,
            debts_kes=body.debts_kes,
            skills=tuple(body.skills),
            barriers=tuple(body.barriers),
        )
        command = domain.AssessNeeds(
            assessment_id=assessment_id,
            survivor_id=survivor_id,
            assessed_on=body.assessed_on or em.today(),
            household=household,
            notes=await tx.seal(event, "notes", body.notes, record=assessment_id),
            today=em.today(),
            supersedes=supersedes,
            reason=reason,
        )
        return await tx.run(command, actor)


async def _goal(tx: Tx, event: str, prefix: str, body: GoalBody) -> domain.NewGoal:
    # A goal's description is bound to the goal, each step's to the step.
    ids = [uuid4() for _ in body.steps]
    steps = tuple(
        [
            (i, await tx.sealed(event, f"{prefix}steps[].description", s.description, record=i))
            for i, s in zip(ids, body.steps, strict=True)
        ]
    )
    goal_id = uuid4()
    return domain.NewGoal(
        goal_id=goal_id,
        kind=body.kind,
        description=await tx.sealed(
            event, f"{prefix}description", body.description, record=goal_id
        ),
        target_date=body.target_date,
        steps=steps,
    )


async def start_plan(
    em: Empowerment, survivor_id: UUID, body: PlanBody, actor: Actor
) -> list[Event]:
    """Start the survivor's livelihood plan with its goals and steps (texts sealed)."""
    event = "empowerment.LivelihoodPlanStarted"
    async with survivor_tx(em, survivor_id) as tx:
        goals = tuple([await _goal(tx, event, "goals[].", g) for g in body.goals])
        command = domain.StartPlan(
            uuid4(), survivor_id, body.started_on or em.today(), goals, em.today()
        )
        return await tx.run(command, actor)


async def add_goal(em: Empowerment, survivor_id: UUID, body: GoalBody, actor: Actor) -> list[Event]:
    """Add a goal to the survivor's plan."""
    async with survivor_tx(em, survivor_id) as tx:
        goal = await _goal(tx, "empowerment.LivelihoodGoalAdded", "goal.", body)
        return await tx.run(domain.AddGoal(survivor_id, goal, em.today()), actor)


async def review_plan(
    em: Empowerment, survivor_id: UUID, body: ReviewBody, actor: Actor
) -> list[Event]:
    """Review the plan: each goal's status and the steps done."""
    async with survivor_tx(em, survivor_id) as tx:
        progress = tuple(
            domain.Progress(g.goal_id, g.status, tuple(g.steps_done)) for g in body.goals
        )
        # The note is bound to the plan (without one the command is refused below).
        plan = tx.state.plan.plan_id if tx.state.plan is not None else survivor_id
        note = await tx.seal("empowerment.LivelihoodPlanReviewed", "note", body.note, record=plan)
        command = domain.ReviewPlan(
            survivor_id, body.reviewed_on or em.today(), progress, note, em.today()
        )
        return await tx.run(command, actor)


async def record_follow_up(
    em: Empowerment,
    survivor_id: UUID,
    body: FollowUpBody,
    actor: Actor,
    supersedes: UUID | None = None,
) -> list[Event]:
    """Record a follow-up (a correction when `supersedes` is given, with its reason)."""
    follow_up_id = uuid4()
    async with survivor_tx(em, survivor_id) as tx:
        event = FOLLOW if supersedes is None else FOLLOW_FIXED
        reason = None
        if isinstance(body, FollowUpCorrectionBody):
            reason = await tx.sealed(event, "reason", body.reason, record=follow_up_id)
        command = domain.FollowUp(
            follow_up_id=follow_up_id,
            survivor_id=survivor_id,
            milestone=body.milestone,
            held_on=body.held_on or em.today(),
            monthly_income_kes=body.monthly_income_kes,
            business_operating=body.business_operating,
            employment_status=body.employment_status,
            hunger_answers=tuple(body.hunger_answers),
            notes=await tx.seal(event, "notes", body.notes, record=follow_up_id),
            today=em.today(),
            supersedes=supersedes,
            reason=reason,
        )
        return await tx.run(command, actor)
