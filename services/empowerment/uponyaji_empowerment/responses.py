"""What empowerment's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from typing import Any

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


class GrantListed(BaseModel):
    """One grant in a list; survivor and case number only when the list is not de-identified."""

    grant_id: str
    purpose: str
    amount_kes: str | None
    status: str
    disbursed_kes: str | None
    budget_code: str | None
    budget_line_id: str
    county_code: str | None
    proposed_by: str
    proposed_on: str
    decided_on: str | None
    survivor_id: str | None = None
    case_number: str | None = None


class Grants(BaseModel):
    """Grants by status, oldest first."""

    deidentified: bool
    grants: list[GrantListed]


class Disclosure(BaseModel):
    """How the figures are published: the method and the rounding base."""

    method: str
    rounding_base: int


class FinanceCell(BaseModel):
    """KES approved and disbursed in one county and quarter (counts rounded, totals withheld
    below twice the base)."""

    county_code: str | None
    quarter: str
    grants_approved: int
    approved_kes: str | None
    survivors_paid: int
    disbursed_kes: str | None


class Finance(BaseModel):
    """Programme finance per county and quarter."""

    disclosure: Disclosure
    cells: list[FinanceCell]


class Survival(BaseModel):
    """Businesses operating of those asked at one milestone (rate withheld below twice the base)."""

    operating: int
    asked: int
    rate: float | None


class Outcomes(BaseModel):
    """Programme outcomes over the survivors counted, each count rounded."""

    deidentified: bool
    disclosure: Disclosure
    survivors_followed_up: int
    median_income_change_kes: str | None
    hunger_change: dict[str, int]
    business_survival: dict[str, Survival]
    survivors_trained: int
    categories: list[str]


class NeedsView(BaseModel):
    """One needs assessment (notes and reason per the notes rule)."""

    assessment_id: str
    assessed_on: str | None
    status: str
    household_size: int
    dependants: int
    earners: int
    income_sources: list[str]
    monthly_income_kes: str | None
    housing: str
    hunger_answers: list[Any]
    hunger_score: int
    hunger_category: str
    school_age_children: int | None
    children_out_of_school: int | None
    debts_kes: str | None
    skills: list[str]
    barriers: list[str]
    notes: str | None
    supersedes: str | None
    superseded_by: str | None
    reason: str | None
    recorded_by: str
    recorded_at: str | None


class StepView(BaseModel):
    """One step towards a goal."""

    step_id: str
    done: bool
    description: str | None


class GoalView(BaseModel):
    """One livelihood goal with its steps."""

    goal_id: str
    kind: str
    status: str
    description: str | None
    target_date: str | None
    steps: list[StepView]


class PlanReviewView(BaseModel):
    """One plan review."""

    reviewed_on: str | None
    goals: Any
    note: str | None
    reviewed_by: str


class PlanView(BaseModel):
    """The livelihood plan with its goals, steps and reviews."""

    plan_id: str
    started_on: str | None
    goals: list[GoalView]
    reviews: list[PlanReviewView]


class DisbursementView(BaseModel):
    """One disbursement (reference and items per the notes rule)."""

    disbursement_id: str
    amount_kes: str | None
    channel: str
    disbursed_on: str | None
    reference: str | None
    items: str | None


class GrantView(BaseModel):
    """A grant with its disbursements."""

    grant_id: str
    purpose: str
    amount_kes: str | None
    status: str
    budget_line_id: str
    budget_code: str | None
    proposed_by: str
    proposed_at: str | None
    justification: str | None
    decided_by: str | None
    decided_on: str | None
    decline_reason: str | None
    disbursed_kes: str | None
    remainder_kes: str | None
    disbursements: list[DisbursementView]


class TrainingView(BaseModel):
    """A course the survivor is enrolled on, with attendance."""

    course_id: str
    title: str
    skill: str
    starts_on: str | None
    sessions_planned: int | None
    sessions_attended: int | None
    completed_on: str | None


class FollowUpView(BaseModel):
    """One follow-up (notes and reason per the notes rule)."""

    follow_up_id: str
    milestone: str
    status: str
    due_on: str | None
    held_on: str | None
    monthly_income_kes: str | None
    business_operating: bool | None
    employment_status: str
    hunger_answers: list[Any]
    hunger_score: int
    hunger_category: str
    notes: str | None
    supersedes: str | None
    reason: str | None


class ScheduleItem(BaseModel):
    """One of the three follow-ups: due day, held, overdue."""

    milestone: str
    due_on: str
    held: bool
    overdue: bool


class OutcomePoint(BaseModel):
    """A needs assessment or follow-up as outcomes show it."""

    on: str
    milestone: str | None
    monthly_income_kes: str
    hunger_category: str


class SurvivorOutcomes(BaseModel):
    """Baseline against the latest follow-up: income, hunger and business."""

    baseline: OutcomePoint | None
    latest: OutcomePoint | None
    income_change_kes: str | None
    hunger_change: str | None
    business_operating_at_6_months: bool | None
    business_operating_at_12_months: bool | None


class EmpowermentRecord(BaseModel):
    """A survivor's whole empowerment record."""

    survivor_id: str
    case_number: str | None
    notes_visible: bool
    needs_assessments: list[NeedsView]
    plan: PlanView | None
    grants: list[GrantView]
    trainings: list[TrainingView]
    follow_ups: list[FollowUpView]
    follow_up_schedule: list[ScheduleItem]
    outcomes: SurvivorOutcomes
