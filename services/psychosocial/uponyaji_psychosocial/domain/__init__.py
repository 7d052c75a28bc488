"""The pure domain of psychosocial: state, commands, deciders. No I/O."""

from .commands import (
    AddGoal,
    CorrectAssessment,
    OpenFlag,
    Participant,
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
    contracts,
    decide,
    decide_session,
    new_event,
)
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
    "FlagState",
    "GoalState",
    "IntakeFacts",
    "OpenFlag",
    "Participant",
    "RecordAssessment",
    "RecordSafetyResponse",
    "RecordSession",
    "ReviewGoal",
    "SurvivorCommand",
    "SurvivorState",
    "admissible",
    "contracts",
    "decide",
    "decide_session",
    "evolve",
    "fold",
    "new_event",
]
