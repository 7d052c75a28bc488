"""What empowerment's survivor-record commands answer: response models for its OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel


class Written(BaseModel):
    """One event a command recorded."""

    type: str
    stream_id: str
    version: int


class NeedsAssessed(BaseModel):
    """A needs assessment was recorded, with its Household Hunger Scale result."""

    assessment_id: str
    hunger_score: int
    hunger_category: str
    events: list[Written]


class NeedsCorrected(BaseModel):
    """A needs assessment was superseded by a corrected one."""

    assessment_id: str
    supersedes: str
    hunger_category: str
    events: list[Written]


class PlanStarted(BaseModel):
    """A livelihood plan was started: its goals and, per goal, its steps."""

    plan_id: str
    goal_ids: list[str]
    step_ids: list[list[str]]
    events: list[Written]


class GoalAdded(BaseModel):
    """A goal was added to the plan."""

    goal_id: str
    events: list[Written]


class Recorded(BaseModel):
    """What a command recorded."""

    events: list[Written]


class FollowedUp(BaseModel):
    """A follow-up was recorded."""

    follow_up_id: str
    due_on: str
    hunger_category: str
    events: list[Written]


class FollowUpCorrected(BaseModel):
    """A follow-up was superseded by a corrected one."""

    follow_up_id: str
    supersedes: str
    events: list[Written]


class TrainingCompleted(BaseModel):
    """A course completion was recorded."""

    sessions_attended: int
    events: list[Written]
