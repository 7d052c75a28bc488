"""A survivor's psychosocial state, folded from their stream: assessments, risk flags, goals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from uponyaji_events.folding import EventLike, Folder, as_day, as_time, as_uuid, event_name

CLOSED_GOAL = frozenset({"achieved", "discontinued"})


@dataclass(frozen=True, slots=True)
class AssessmentState:
    """An administration: which instrument, when, and whether a correction replaced it."""

    instrument: str
    administered_at: datetime
    superseded_by: UUID | None = None
    signalled: bool = False  # it, or an assessment it corrects, raised a risk flag


@dataclass(frozen=True, slots=True)
class FlagState:
    """A risk flag: what raised it, when, and whether a safety response resolved it."""

    assessment_id: UUID
    raised_at: datetime
    resolved: bool = False
    escalation: int = 0  # the last escalation level reached (0: none)


@dataclass(frozen=True, slots=True)
class GoalState:
    """A care-plan goal and its latest status."""

    domain: str
    target_date: date
    status: str = "not_started"

    @property
    def closed(self) -> bool:
        """Achieved or discontinued: no further reviews."""
        return self.status in CLOSED_GOAL


@dataclass(frozen=True, slots=True)
class SurvivorState:
    """Everything the survivor stream's deciders need."""

    version: int = 0
    assessments: Mapping[UUID, AssessmentState] = field(default_factory=dict)
    flags: Mapping[UUID, FlagState] = field(default_factory=dict)
    goals: Mapping[UUID, GoalState] = field(default_factory=dict)

    def open_flags_of(self, assessment_id: UUID) -> list[UUID]:
        """Unresolved flags raised by an assessment."""
        return [
            flag_id
            for flag_id, flag in self.flags.items()
            if flag.assessment_id == assessment_id and not flag.resolved
        ]


def evolve(state: SurvivorState, event: EventLike) -> SurvivorState:
    """The state after one event of the survivor stream (other event types only count)."""
    p, name = event.payload, event_name(event)
    state = replace(state, version=state.version + 1)
    if name in ("AssessmentRecorded", "AssessmentCorrected"):
        assessments = dict(state.assessments)
        new_id = as_uuid(p["assessment_id"])
        new = AssessmentState(p["instrument"], as_time(p["administered_at"]))
        if name == "AssessmentCorrected":
            old_id = as_uuid(p["supersedes"])
            old = assessments[old_id]
            assessments[old_id] = replace(old, superseded_by=new_id)
            new = replace(new, signalled=old.signalled)
        assessments[new_id] = new
        return replace(state, assessments=assessments)
    if name == "RiskFlagRaised":
        assessment_id = as_uuid(p["assessment_id"])
        flag = FlagState(assessment_id, as_time(p["raised_at"]))
        assessments = dict(state.assessments)
        if assessment_id in assessments:
            assessments[assessment_id] = replace(assessments[assessment_id], signalled=True)
        flags = {**state.flags, as_uuid(p["flag_id"]): flag}
        return replace(state, flags=flags, assessments=assessments)
    if name == "SafetyResponseRecorded":
        flag_id = as_uuid(p["flag_id"])
        return replace(
            state, flags={**state.flags, flag_id: replace(state.flags[flag_id], resolved=True)}
        )
    if name == "RiskFlagEscalated":
        flag_id = as_uuid(p["flag_id"])
        flag = replace(state.flags[flag_id], escalation=int(p["level"]))
        return replace(state, flags={**state.flags, flag_id: flag})
    if name == "CarePlanGoalAdded":
        goal = GoalState(p["domain"], as_day(p["target_date"]))
        return replace(state, goals={**state.goals, as_uuid(p["goal_id"]): goal})
    if name == "CarePlanGoalReviewed":
        goal_id = as_uuid(p["goal_id"])
        goal = replace(state.goals[goal_id], status=p["status"])
        return replace(state, goals={**state.goals, goal_id: goal})
    return state


# The state after a run of events (from a state already folded, else from the start).
fold = Folder(SurvivorState, evolve)
