"""Empowerment contracts of livelihood plans: goals with steps, target dates and reviews."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.empowerment.common import (
    GOAL,
    PLAN,
    STEP,
    SURVIVOR,
    GoalKind,
    GoalStatus,
    optional,
)
from uponyaji_events.contracts.types import EventPayload, SealedValue, example_sealed, examples


class PlanStep(EventPayload):
    """One step towards a goal."""

    step_id: UUID = Field(description="The step's id")
    description: SealedValue = Field(description="What is to be done")


class PlanGoal(EventPayload):
    """One goal of a livelihood plan."""

    goal_id: UUID = Field(description="The goal's id")
    kind: GoalKind = Field(description="What the goal aims at")
    description: SealedValue = Field(description="The goal in the survivor's words")
    target_date: date = Field(description="When it should be reached")
    steps: list[PlanStep] = Field(default_factory=list, description="Steps towards it")


_GOAL = {
    "goal_id": GOAL,
    "kind": "business_restore",
    "description": example_sealed("goal"),
    "target_date": "2026-09-30",
    "steps": [{"step_id": STEP, "description": example_sealed("step")}],
}


class LivelihoodPlanStarted(EventPayload):
    """A survivor's livelihood plan started, with its first goals."""

    model_config = examples(
        {"plan_id": PLAN, "survivor_id": SURVIVOR, "started_on": "2026-03-09", "goals": [_GOAL]}
    )

    plan_id: UUID = Field(description="The plan's id")
    survivor_id: UUID = Field(description="The survivor (the survivor stream's id)")
    started_on: date = Field(description="When the plan started (anchors the follow-ups)")
    goals: list[PlanGoal] = Field(min_length=1, description="The plan's goals")


class LivelihoodGoalAdded(EventPayload):
    """A goal was added to a survivor's livelihood plan."""

    model_config = examples({"plan_id": PLAN, "survivor_id": SURVIVOR, "goal": _GOAL})

    plan_id: UUID = Field(description="The plan")
    survivor_id: UUID = Field(description="The survivor")
    goal: PlanGoal = Field(description="The new goal")


class GoalProgress(EventPayload):
    """A goal's status at a review, and which of its steps are done."""

    goal_id: UUID = Field(description="The goal")
    status: GoalStatus = Field(description="Its status now")
    steps_done: list[UUID] = Field(default_factory=list, description="Steps done by now")


class LivelihoodPlanReviewed(EventPayload):
    """A survivor's livelihood plan was reviewed: each goal's status and steps done."""

    model_config = examples(
        {
            "plan_id": PLAN,
            "survivor_id": SURVIVOR,
            "reviewed_on": "2026-05-04",
            "goals": [{"goal_id": GOAL, "status": "in_progress", "steps_done": [STEP]}],
            "note": example_sealed("review"),
        }
    )

    plan_id: UUID = Field(description="The plan")
    survivor_id: UUID = Field(description="The survivor")
    reviewed_on: date = Field(description="Day of the review")
    goals: list[GoalProgress] = Field(min_length=1, description="Goals reviewed")
    note: SealedValue | None = optional("The officer's note")
