"""Event contracts of empowerment: needs, livelihood plans, money, trainings, follow-ups.

Free text (notes, goal and step descriptions, justifications, reasons) and payment references
are sealed under the survivor's data key; amounts are exact KES decimal strings; everything else
is a vocabulary, a date, a count or an id. Rules between fields (earners within the household,
the hunger score matching its answers, a disbursement within the approved remainder) are the
service's deciders' to enforce.
"""

from __future__ import annotations

from uponyaji_events.contracts.empowerment.common import (
    SERVICE,
    Barrier,
    Channel,
    EmploymentStatus,
    GoalKind,
    GoalStatus,
    GrantPurpose,
    Housing,
    HungerAnswer,
    HungerCategory,
    IncomeSource,
    Milestone,
    Skill,
)
from uponyaji_events.contracts.empowerment.followups import FollowUpCorrected, FollowUpRecorded
from uponyaji_events.contracts.empowerment.grants import (
    BudgetLineOpened,
    GrantApproved,
    GrantDeclined,
    GrantDisbursed,
    GrantProposed,
)
from uponyaji_events.contracts.empowerment.needs import NeedsAssessed, NeedsAssessmentCorrected
from uponyaji_events.contracts.empowerment.plans import (
    GoalProgress,
    LivelihoodGoalAdded,
    LivelihoodPlanReviewed,
    LivelihoodPlanStarted,
    PlanGoal,
    PlanStep,
)
from uponyaji_events.contracts.empowerment.trainings import (
    Attendee,
    CourseOpened,
    CourseSessionHeld,
    TrainingCompleted,
)
from uponyaji_events.contracts.referrals import (
    ReferralAnswered,
    ReferralDecision,
    register_receiver,
)
from uponyaji_events.contracts.registry import ContractRegistry

SURVIVOR_EVENTS = (
    NeedsAssessed,
    NeedsAssessmentCorrected,
    LivelihoodPlanStarted,
    LivelihoodGoalAdded,
    LivelihoodPlanReviewed,
    GrantProposed,
    GrantApproved,
    GrantDeclined,
    GrantDisbursed,
    TrainingCompleted,
    FollowUpRecorded,
    FollowUpCorrected,
)


def register(registry: ContractRegistry) -> None:
    """Register empowerment's event contracts."""
    for model in SURVIVOR_EVENTS:
        registry.register(model, service=SERVICE, stream_type="survivor")
    registry.register(BudgetLineOpened, service=SERVICE, stream_type="budget_line")
    registry.register(CourseOpened, service=SERVICE, stream_type="course")
    registry.register(CourseSessionHeld, service=SERVICE, stream_type="course")
    register_receiver(registry, SERVICE)


__all__ = [
    "SERVICE",
    "Attendee",
    "Barrier",
    "BudgetLineOpened",
    "Channel",
    "CourseOpened",
    "CourseSessionHeld",
    "EmploymentStatus",
    "FollowUpCorrected",
    "FollowUpRecorded",
    "GoalKind",
    "GoalProgress",
    "GoalStatus",
    "GrantApproved",
    "GrantDeclined",
    "GrantDisbursed",
    "GrantProposed",
    "GrantPurpose",
    "Housing",
    "HungerAnswer",
    "HungerCategory",
    "IncomeSource",
    "LivelihoodGoalAdded",
    "LivelihoodPlanReviewed",
    "LivelihoodPlanStarted",
    "Milestone",
    "NeedsAssessed",
    "NeedsAssessmentCorrected",
    "PlanGoal",
    "PlanStep",
    "ReferralAnswered",
    "ReferralDecision",
    "Skill",
    "TrainingCompleted",
    "register",
]
