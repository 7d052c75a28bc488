"""The pure domain of psychosocial: state, commands, deciders. No I/O."""

from .commands import (
    AddGoal,
    CorrectAssessment,
    OpenFlag,
    Participant,
    PlanSession,
    RecordAssessment,
    RecordSafetyResponse,
    RecordSession,
    ReviewGoal,
    SurvivorCommand,
)
from .decide import (
    CLOCK_SKEW,
    IntakeFacts,
    admissible,
    consented_before,
    contracts,
    decide,
    decide_session,
    new_event,
)
from .escalation import EscalationPolicy, escalate
from .state import (
    AssessmentState,
    FlagState,
    GoalState,
    SurvivorState,
    evolve,
    fold,
)

__all__ = [
    "CLOCK_SKEW",
    "AddGoal",
    "AssessmentState",
    "CorrectAssessment",
    "EscalationPolicy",
    "FlagState",
    "GoalState",
    "IntakeFacts",
    "OpenFlag",
    "Participant",
    "PlanSession",
    "RecordAssessment",
    "RecordSafetyResponse",
    "RecordSession",
    "ReviewGoal",
    "SurvivorCommand",
    "SurvivorState",
    "admissible",
    "consented_before",
    "contracts",
    "decide",
    "decide_session",
    "escalate",
    "evolve",
    "fold",
    "new_event",
]
