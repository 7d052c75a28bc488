"""Request bodies: shapes and values checked at the edge (422 naming the field, nothing written)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, field_validator
from pydantic_core import PydanticCustomError
from uponyaji_events.contracts.empowerment import (
    Barrier,
    Channel,
    EmploymentStatus,
    GoalKind,
    GoalStatus,
    GrantPurpose,
    Housing,
    IncomeSource,
    Milestone,
    ReferralDecision,
    Skill,
)
from uponyaji_events.contracts.empowerment.common import BudgetCode, CourseTitle
from uponyaji_events.text import storable_text

from .domain import hunger


def _text(value: str) -> str:
    storable_text(value)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _day(value: date) -> date:
    if not date(1970, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("must fall between 1970-01-01 and 2100-12-31")
    return value


Day = Annotated[date, AfterValidator(_day)]
Note = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_text)]
Short = Annotated[str, Field(min_length=1, max_length=2_000), AfterValidator(_text)]
Reference = Annotated[
    str,
    Field(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 /.-]*$"),
]
Kes = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="KES, exact")]
PositiveKes = Annotated[
    Decimal, Field(gt=0, max_digits=14, decimal_places=2, description="KES, exact, above 0")
]
Count = Annotated[int, Field(ge=0, le=40)]
Answers = Annotated[
    list[StrictInt | str],
    Field(
        min_length=3,
        max_length=3,
        description="Household Hunger Scale: 3 answers, each "
        "never (0), rarely_or_sometimes (1) or often (2)",
    ),
]


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def _answers(value: list[int | str]) -> list[int | str]:
    try:
        hunger.score(value)
    except hunger.InvalidAnswers as problem:
        raise PydanticCustomError("hunger_answers", str(problem)) from None
    return value


class NeedsBody(Body):
    """A needs assessment of the survivor's household."""

    assessed_on: Day | None = Field(None, description="Default today")
    household_size: int = Field(ge=1, le=40)
    dependants: Count
    earners: Count
    income_sources: list[IncomeSource] = Field(max_length=len(IncomeSource))
    monthly_income_kes: Kes
    housing: Housing
    hunger_answers: Answers
    school_age_children: Count = 0
    children_out_of_school: Count = 0
    debts_kes: Kes = Decimal(0)
    skills: list[Skill] = Field(default_factory=list, max_length=len(Skill))
    barriers: list[Barrier] = Field(default_factory=list, max_length=len(Barrier))
    notes: Note | None = None

    _check = field_validator("hunger_answers")(_answers)


class NeedsCorrectionBody(NeedsBody):
    """A corrected needs assessment superseding the one in the path."""

    reason: Short


class StepBody(Body):
    """A step towards a goal."""

    description: Short


class GoalBody(Body):
    """A livelihood goal with its steps."""

    kind: GoalKind
    description: Short
    target_date: Day
    steps: list[StepBody] = Field(default_factory=list, max_length=30)


class PlanBody(Body):
    """Start the livelihood plan."""

    started_on: Day | None = Field(None, description="Default today")
    goals: list[GoalBody] = Field(min_length=1, max_length=20)


class ProgressBody(Body):
    """A goal's status at a review."""

    goal_id: UUID
    status: GoalStatus
    steps_done: list[UUID] = Field(default_factory=list, max_length=30)


class ReviewBody(Body):
    """A review of the plan."""

    reviewed_on: Day | None = Field(None, description="Default today")
    goals: list[ProgressBody] = Field(min_length=1, max_length=40)
    note: Note | None = None


class GrantBody(Body):
    """Propose a grant."""

    purpose: GrantPurpose
    amount_kes: PositiveKes
    budget_line_id: UUID
    proposed_on: Day | None = Field(None, description="Day of the proposal; default today")
    justification: Note | None = None


class DecisionBody(Body):
    """A programme lead's decision on a proposed grant."""

    decision: str = Field(pattern=r"^(approve|decline)$", description="approve or decline")
    decided_on: Day | None = Field(None, description="Day of the decision; default today")
    reason: Short | None = None


class DisbursementBody(Body):
    """Pay out (part of) an approved grant."""

    amount_kes: PositiveKes
    channel: Channel
    reference: Reference | None = Field(
        None, description="M-Pesa transaction code or bank reference (none for goods in kind)"
    )
    items: Short | None = Field(None, description="What was handed over, for goods in kind")
    disbursed_on: Day | None = Field(None, description="Default today")


class FollowUpBody(Body):
    """A follow-up at 3, 6 or 12 months."""

    milestone: Milestone
    held_on: Day | None = Field(None, description="Default today")
    monthly_income_kes: Kes
    business_operating: bool | None = None
    employment_status: EmploymentStatus
    hunger_answers: Answers
    notes: Note | None = None

    _check = field_validator("hunger_answers")(_answers)


class FollowUpCorrectionBody(FollowUpBody):
    """A corrected follow-up superseding the one in the path."""

    reason: Short


class BudgetLineBody(Body):
    """Open a grants budget line."""

    code: BudgetCode
    period_start: Day
    period_end: Day
    amount_kes: PositiveKes


class CourseBody(Body):
    """Open a training course."""

    title: CourseTitle
    skill: Skill
    starts_on: Day
    sessions_planned: int = Field(ge=1, le=200)


class AttendeeBody(Body):
    """A survivor expected at a session."""

    survivor_id: UUID
    present: bool = True


class SessionBody(Body):
    """A held course session with attendance."""

    held_on: Day | None = Field(None, description="Default today")
    attendance: list[AttendeeBody] = Field(min_length=1, max_length=60)


class CompletionBody(Body):
    """A survivor completed a course."""

    completed_on: Day | None = Field(None, description="Default today")


class ReferralAnswerBody(Body):
    """Accept or decline a referral to empowerment."""

    decision: ReferralDecision
    note: Note | None = None
