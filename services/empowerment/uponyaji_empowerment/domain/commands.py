"""Commands: what an officer or a programme lead asks for, with ids and the clock supplied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

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
    Skill,
)
from uponyaji_events.sealing import Sealed


@dataclass(frozen=True, slots=True)
class Household:
    """The facts a needs assessment records (hunger answers as given: labels or 0/1/2)."""

    household_size: int
    dependants: int
    earners: int
    income_sources: tuple[IncomeSource, ...]
    monthly_income_kes: object
    housing: Housing
    hunger_answers: tuple[object, ...]
    school_age_children: int
    children_out_of_school: int
    debts_kes: object
    skills: tuple[Skill, ...]
    barriers: tuple[Barrier, ...]


@dataclass(frozen=True, slots=True)
class AssessNeeds:
    """Record a needs assessment; `supersedes` and `reason` make it a correction."""

    assessment_id: UUID
    survivor_id: UUID
    assessed_on: date
    household: Household
    notes: Sealed | None
    today: date
    supersedes: UUID | None = None
    reason: Sealed | None = None


@dataclass(frozen=True, slots=True)
class NewGoal:
    """A plan goal with its steps (descriptions sealed)."""

    goal_id: UUID
    kind: GoalKind
    description: Sealed
    target_date: date
    steps: tuple[tuple[UUID, Sealed], ...]


@dataclass(frozen=True, slots=True)
class StartPlan:
    """Start the survivor's livelihood plan."""

    plan_id: UUID
    survivor_id: UUID
    started_on: date
    goals: tuple[NewGoal, ...]
    today: date


@dataclass(frozen=True, slots=True)
class AddGoal:
    """Add a goal to the plan."""

    survivor_id: UUID
    goal: NewGoal
    today: date


@dataclass(frozen=True, slots=True)
class Progress:
    """A goal's status at a review and the steps done by then."""

    goal_id: UUID
    status: GoalStatus
    steps_done: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    """Review the plan's goals."""

    survivor_id: UUID
    reviewed_on: date
    goals: tuple[Progress, ...]
    note: Sealed | None
    today: date


@dataclass(frozen=True, slots=True)
class BudgetFacts:
    """A budget line as the grant deciders see it (read under its row lock for approvals)."""

    budget_line_id: UUID
    period_start: date
    period_end: date
    amount: Decimal
    committed: Decimal  # approvals so far

    @property
    def remaining(self) -> Decimal:
        """What approvals may still add."""
        return self.amount - self.committed


@dataclass(frozen=True, slots=True)
class ProposeGrant:
    """Propose a grant on a budget line."""

    grant_id: UUID
    survivor_id: UUID
    purpose: GrantPurpose
    amount_kes: object
    budget: BudgetFacts
    proposed_by: UUID
    justification: Sealed | None
    proposed_on: date
    today: date


@dataclass(frozen=True, slots=True)
class DecideGrant:
    """Approve or decline a proposed grant (the decider is never its proposer)."""

    grant_id: UUID
    survivor_id: UUID
    approve: bool
    decided_by: UUID
    budget: BudgetFacts | None  # locked, for approvals
    reason: Sealed | None
    decided_on: date
    today: date


@dataclass(frozen=True, slots=True)
class Disburse:
    """Pay out (part of) an approved grant; `reference_used`: the digest is already on record."""

    disbursement_id: UUID
    grant_id: UUID
    survivor_id: UUID
    amount_kes: object
    channel: Channel
    reference: Sealed | None
    reference_digest: str | None
    items: Sealed | None
    disbursed_on: date
    reference_used: bool
    today: date


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Record a follow-up; `supersedes` and `reason` make it a correction."""

    follow_up_id: UUID
    survivor_id: UUID
    milestone: Milestone
    held_on: date
    monthly_income_kes: object
    business_operating: bool | None
    employment_status: EmploymentStatus
    hunger_answers: tuple[object, ...]
    notes: Sealed | None
    today: date
    supersedes: UUID | None = None
    reason: Sealed | None = None


@dataclass(frozen=True, slots=True)
class CompleteTraining:
    """Record that the survivor completed a course (attendance counted by the handler)."""

    course_id: UUID
    survivor_id: UUID
    completed_on: date
    sessions_attended: int
    course_started_on: date
    today: date


SurvivorCommand = (
    AssessNeeds
    | StartPlan
    | AddGoal
    | ReviewPlan
    | ProposeGrant
    | DecideGrant
    | Disburse
    | FollowUp
    | CompleteTraining
)
