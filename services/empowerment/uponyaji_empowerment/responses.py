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


class BudgetLineOpened(BaseModel):
    """A grants budget line was opened."""

    budget_line_id: str
    events: list[Written]


class GrantProposed(BaseModel):
    """A grant was proposed for a programme lead to decide."""

    grant_id: str
    status: str
    events: list[Written]


class GrantDecided(BaseModel):
    """A grant was approved or declined."""

    grant_id: str
    status: str
    events: list[Written]


class Disbursed(BaseModel):
    """A disbursement was recorded (amount as an exact decimal string, KES)."""

    disbursement_id: str
    amount_kes: str
    events: list[Written]


class ReferralAnswered(BaseModel):
    """A referral was accepted or declined."""

    referral_id: str
    decision: str
    events: list[Written]


class CourseOpened(BaseModel):
    """A training course was opened."""

    course_id: str
    events: list[Written]


class SessionHeld(BaseModel):
    """A course session was recorded with its attendance."""

    session_id: str
    events: list[Written]


class BudgetLine(BaseModel):
    """A budget line: amount, committed by approvals, disbursed, remaining (KES, exact text)."""

    budget_line_id: str
    code: str
    period_start: str
    period_end: str
    amount_kes: str | None
    committed_kes: str | None
    disbursed_kes: str | None
    remaining_kes: str | None


class BudgetLines(BaseModel):
    """The grants budget lines."""

    budget_lines: list[BudgetLine]


class Course(BaseModel):
    """A course with sessions held, survivors enrolled and completions (counts only)."""

    course_id: str
    title: str
    skill: str
    starts_on: str
    sessions_planned: int
    sessions_held: int
    enrolled: int
    completed: int


class Courses(BaseModel):
    """Training courses."""

    courses: list[Course]


class FollowUpDue(BaseModel):
    """A follow-up not yet held, with its due date."""

    survivor_id: str
    case_number: str | None
    milestone: str
    due_on: str
    overdue: bool


class FollowUpsDue(BaseModel):
    """Follow-ups due."""

    follow_ups: list[FollowUpDue]


class Referral(BaseModel):
    """Intake's referral to empowerment."""

    referral_id: str
    survivor_id: str
    case_number: str | None
    urgency: str
    status: str
    referred_at: str
    answered_on: str | None


class Referrals(BaseModel):
    """Intake's referrals to empowerment on the caller's caseload."""

    referrals: list[Referral]
