"""Commands: what a counsellor asks for, with ids and the clock supplied (deciders stay pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from uponyaji_events.contracts.psychosocial import (
    Attendance,
    CareDomain,
    GoalStatus,
    SafetyAction,
    SafetyReferral,
    SessionKind,
    SessionPlace,
    TherapyApproach,
)
from uponyaji_events.sealing import Sealed


@dataclass(frozen=True, slots=True)
class Participant:
    """A survivor in a session, with notes already sealed under their key."""

    survivor_id: UUID
    attendance: Attendance
    notes: Sealed | None = None


@dataclass(frozen=True, slots=True)
class OpenFlag:
    """A participant's risk flag without a safety response, and the day it was raised."""

    survivor_id: UUID
    flag_id: UUID
    raised_on: date


@dataclass(frozen=True, slots=True)
class RecordSession:
    """Log a session (the first participant is the survivor the request is about)."""

    session_id: UUID
    kind: SessionKind
    held_on: date
    duration_minutes: int
    approach: TherapyApproach
    place: SessionPlace
    participants: tuple[Participant, ...]
    today: date
    interpreter: bool = False
    interpreter_language: str | None = None
    open_flags: tuple[OpenFlag, ...] = ()
    retrospective_reason: Sealed | None = None  # documented after the fact, before consent


@dataclass(frozen=True, slots=True)
class RecordAssessment:
    """Score and record an administration; `flag_id` names a risk flag if one is raised."""

    assessment_id: UUID
    survivor_id: UUID
    instrument: str
    responses: tuple[object, ...]
    administered_at: datetime
    now: datetime
    flag_id: UUID
    retrospective_reason: Sealed | None = None  # documented after the fact, before consent


@dataclass(frozen=True, slots=True)
class CorrectAssessment:
    """Record a corrected administration superseding a current one, with a sealed reason."""

    assessment_id: UUID
    survivor_id: UUID
    supersedes: UUID
    instrument: str
    responses: tuple[object, ...]
    administered_at: datetime | None  # None: as the superseded one
    reason: Sealed
    now: datetime
    flag_id: UUID


@dataclass(frozen=True, slots=True)
class RecordSafetyResponse:
    """Record who did what about a risk flag, and any referral: the flag is resolved."""

    flag_id: UUID
    survivor_id: UUID
    responder_id: UUID
    actions: tuple[SafetyAction, ...]
    referral: SafetyReferral
    details: Sealed | None
    responded_at: datetime
    now: datetime


@dataclass(frozen=True, slots=True)
class AddGoal:
    """Add a care-plan goal."""

    goal_id: UUID
    survivor_id: UUID
    domain: CareDomain
    description: Sealed
    target_date: date


@dataclass(frozen=True, slots=True)
class ReviewGoal:
    """Review a care-plan goal: its status now, and an optional sealed note."""

    goal_id: UUID
    survivor_id: UUID
    status: GoalStatus
    reviewed_on: date
    note: Sealed | None
    today: date


@dataclass(frozen=True, slots=True)
class PlanSession:
    """Plan the next session with the survivor (None: no next session planned any more)."""

    survivor_id: UUID
    planned_on: date | None
    today: date


SurvivorCommand = (
    RecordAssessment | CorrectAssessment | RecordSafetyResponse | AddGoal | ReviewGoal | PlanSession
)
