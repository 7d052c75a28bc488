"""What psychosocial's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field

Number = int | float


class Written(BaseModel):
    """One event a command recorded."""

    type: str
    stream_id: str
    version: int


class SessionLogged(BaseModel):
    """A session was logged."""

    session_id: str
    events: list[Written]


class SessionView(BaseModel):
    """One session as the survivor's record shows it (other participants only counted)."""

    session_id: str
    kind: str
    held_on: str
    duration_minutes: int
    approach: str | None
    place: str | None
    attendance: str
    interpreter: bool
    interpreter_language: str | None
    participants: int
    recorded_by: str
    recorded_at: str | None
    notes_visible: bool
    notes: str | None


class Sessions(BaseModel):
    """A survivor's sessions."""

    sessions: list[SessionView]


class Scored(BaseModel):
    """An assessment was scored and recorded (with the risk flag it raised, if any)."""

    assessment_id: str
    instrument: str
    total: Number
    percentage: int | None
    subscales: dict[str, Number]
    band: str
    flags: list[str]
    risk_flag_id: str | None
    supersedes: str | None
    events: list[Written]


class AssessmentView(BaseModel):
    """One administration with its scores (numbers exact as recorded)."""

    assessment_id: str
    instrument: str
    administered_at: str | None
    responses: list[int]
    total: Number
    percentage: int | None
    subscales: dict[str, Number]
    band: str
    flags: list[str]
    retrospective: bool = Field(
        description="Documented retrospectively: administered before the consent that allows it"
    )
    status: str
    supersedes: str | None
    superseded_by: str | None
    correction_reason: str | None
    recorded_by: str
    recorded_at: str | None


class Assessments(BaseModel):
    """A survivor's assessments."""

    assessments: list[AssessmentView]


class ScorePoint(BaseModel):
    """One administration on a progress series."""

    assessment_id: str
    administered_at: str
    score: Number
    band: str
    case: bool


class ReliableChange(BaseModel):
    """The reliable-change parameters of an instrument."""

    sd: Number
    r: Number
    threshold: float
    source: str


class InstrumentProgress(BaseModel):
    """Progress on one instrument: series, baseline, latest and reliable change."""

    instrument: str
    direction: str
    score_unit: str
    assessments: int
    baseline: ScorePoint
    latest: ScorePoint
    series: list[ScorePoint]
    caseness_cutoff: Number | None
    reliable_change: ReliableChange
    change: Number | None
    rci: float | None
    classification: str | None
    meaningful_improvement: bool | None


class Progress(BaseModel):
    """A survivor's progress per instrument."""

    survivor_id: str
    instruments: list[InstrumentProgress]


class SafetyResponseView(BaseModel):
    """The safety response that resolved a flag."""

    responder_id: str
    actions: list[str]
    referral: str | None
    details: str | None
    responded_at: str | None
    recorded_by: str | None


class RiskFlagView(BaseModel):
    """A risk flag and, once resolved, its safety response."""

    flag_id: str
    survivor_id: str
    case_number: str | None
    assessment_id: str
    reason: str
    item: int | None
    response: int | None
    raised_at: str | None
    raised_by: str
    retrospective: bool = Field(
        description="Raised by an assessment documented retrospectively (administered before "
        "the consent that allows it, recorded after the fact with a reason)"
    )
    status: str
    escalation_level: int
    escalated_at: str | None
    safety_response: SafetyResponseView | None


class RiskFlags(BaseModel):
    """Risk flags."""

    flags: list[RiskFlagView]


class FlagResolved(BaseModel):
    """A risk flag's safety response was recorded."""

    flag_id: str
    status: str
    events: list[Written]


class GoalAdded(BaseModel):
    """A care-plan goal was added."""

    goal_id: str
    events: list[Written]


class GoalReviewed(BaseModel):
    """A care-plan goal was reviewed."""

    goal_id: str
    status: str
    events: list[Written]


class ReviewView(BaseModel):
    """One review of a goal (the note per the counselling_notes rule)."""

    status: str
    reviewed_on: str
    note: str | None
    reviewed_by: str


class GoalView(BaseModel):
    """A care-plan goal with its reviews."""

    goal_id: str
    domain: str
    description: str | None
    target_date: str
    status: str
    added_by: str
    added_at: str | None
    reviews: list[ReviewView]


class CarePlan(BaseModel):
    """A survivor's care plan."""

    survivor_id: str
    goals: list[GoalView]


class NotificationView(BaseModel):
    """One notification: to which role (and team), what, and a link; no identity."""

    notification_id: str
    kind: str
    recipient_role: str
    team: str | None
    subject: str
    text: str
    link: str
    created_at: str


class Notifications(BaseModel):
    """Your notifications, newest first."""

    notifications: list[NotificationView]
