"""Event contracts of psychosocial: sessions, assessments, risk flags and care plans.

Counselling notes and every free-text value (goal descriptions, review notes, safety-response
details, correction reasons) are sealed under the survivor's data key (docs/sealing.md). Scores
are exact decimal strings (a mean such as 2.4375 never passes through a float); the item
responses are kept, so every score can be recomputed. The vocabularies are psychosocial's own.
Rules between fields (an individual session has one participant, a correction supersedes a
current assessment of the same survivor) are the service's deciders' to enforce.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from uponyaji_events.contracts.registry import ContractRegistry
from uponyaji_events.contracts.types import (
    EventPayload,
    LanguageCode,
    SealedValue,
    Timestamp,
    example_id,
    example_sealed,
    examples,
)

SERVICE = "psychosocial"
SURVIVOR, OTHER = example_id(1), example_id(2)
SESSION, ASSESSMENT, CORRECTED = example_id(61), example_id(62), example_id(63)
FLAG, GOAL = example_id(64), example_id(65)

# An exact decimal score: a sum, or a mean of up to 4 decimals (k/16 and k/25 are exact).
ScoreText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,2})(\.[0-9]{1,4})?$")]


class SessionKind(StrEnum):
    """Who took part in a counselling session."""

    INDIVIDUAL = "individual"
    GROUP = "group"
    FAMILY = "family"
    COUPLE = "couple"


class TherapyApproach(StrEnum):
    """The therapeutic approach of a session."""

    TRAUMA_FOCUSED_CBT = "trauma_focused_cbt"
    NARRATIVE_EXPOSURE_THERAPY = "narrative_exposure_therapy"
    EMDR = "emdr"
    SUPPORTIVE_COUNSELLING = "supportive_counselling"
    PSYCHOEDUCATION = "psychoeducation"
    OTHER = "other"


class Attendance(StrEnum):
    """Whether a participant attended a planned session."""

    ATTENDED = "attended"
    MISSED = "missed"
    CANCELLED = "cancelled"


class SessionPlace(StrEnum):
    """Where a session took place."""

    OFFICE = "office"
    OUTREACH = "outreach"
    PHONE = "phone"


class InstrumentCode(StrEnum):
    """Standardised instruments (their published short names)."""

    PHQ_9 = "PHQ-9"
    GAD_7 = "GAD-7"
    PCL_5 = "PCL-5"
    HSCL_25 = "HSCL-25"
    HTQ_IV = "HTQ-IV"
    WHO_5 = "WHO-5"
    K10 = "K10"


class SeverityBand(StrEnum):
    """Score bands of every instrument."""

    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"
    BELOW_THRESHOLD = "below_threshold"
    PROBABLE_PTSD = "probable_ptsd"
    SIGNIFICANT_DISTRESS = "significant_distress"
    LIKELY_DEPRESSION = "likely_depression"
    POOR_WELLBEING = "poor_wellbeing"
    ADEQUATE_WELLBEING = "adequate_wellbeing"
    LOW = "low"
    HIGH = "high"
    VERY_HIGH = "very_high"


class AssessmentFlag(StrEnum):
    """Cut-offs and rules an administration met."""

    SELF_HARM_RISK = "self_harm_risk"
    PROBABLE_MAJOR_DEPRESSION = "probable_major_depression"
    REFER_FOR_EVALUATION = "refer_for_evaluation"
    PROBABLE_PTSD = "probable_ptsd"
    PROVISIONAL_PTSD_DIAGNOSIS = "provisional_ptsd_diagnosis"
    SIGNIFICANT_DISTRESS = "significant_distress"
    SIGNIFICANT_DEPRESSION = "significant_depression"
    POOR_WELLBEING = "poor_wellbeing"
    LIKELY_DEPRESSION = "likely_depression"
    HIGH_DISTRESS = "high_distress"


class SubscaleName(StrEnum):
    """Subscales: PCL-5 clusters B–E, HSCL-25 anxiety and depression."""

    B = "B"
    C = "C"
    D = "D"
    E = "E"
    ANXIETY = "anxiety"
    DEPRESSION = "depression"


class RiskReason(StrEnum):
    """Why a risk flag was raised."""

    PHQ9_ITEM9 = "phq9_item9"  # thoughts of being better off dead or of self-harm
    HSCL25_ITEM20 = "hscl25_item20"  # thoughts of ending one's life (rated above 1)


class SafetyAction(StrEnum):
    """What was done in response to a risk flag."""

    RISK_ASSESSED = "risk_assessed"
    SAFETY_PLAN = "safety_plan"
    MEANS_SAFETY_COUNSELLING = "means_safety_counselling"
    TRUSTED_PERSON_INVOLVED = "trusted_person_involved"
    SUPERVISOR_CONSULTED = "supervisor_consulted"
    EMERGENCY_SERVICES = "emergency_services"
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled"
    OTHER = "other"


class SafetyReferral(StrEnum):
    """Where the survivor was referred after a risk flag, if anywhere."""

    NONE = "none"
    PSYCHIATRIC_ASSESSMENT = "psychiatric_assessment"
    EMERGENCY_CARE = "emergency_care"
    MEDICAL = "medical"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health"
    OTHER = "other"


class CareDomain(StrEnum):
    """The domain of a care-plan goal."""

    SYMPTOMS = "symptoms"
    DAILY_FUNCTIONING = "daily_functioning"
    RELATIONSHIPS = "relationships"
    SAFETY = "safety"
    LIVELIHOOD = "livelihood"


class GoalStatus(StrEnum):
    """A care-plan goal's status at a review."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PARTIALLY_ACHIEVED = "partially_achieved"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    DISCONTINUED = "discontinued"


class SessionParticipant(EventPayload):
    """One survivor's part in a session: attendance and notes sealed under their own key."""

    survivor_id: UUID = Field(description="The participating survivor")
    attendance: Attendance = Field(description="Attended, missed or cancelled")
    notes: SealedValue | None = Field(default=None, description="Counselling notes")


class SessionRecorded(EventPayload):
    """A counselling session was logged (one or more survivors)."""

    model_config = examples(
        {
            "session_id": SESSION,
            "kind": "individual",
            "held_on": "2026-03-10",
            "duration_minutes": 50,
            "approach": "narrative_exposure_therapy",
            "place": "office",
            "interpreter": True,
            "interpreter_language": "sw",
            "participants": [
                {
                    "survivor_id": SURVIVOR,
                    "attendance": "attended",
                    "notes": example_sealed("notes"),
                }
            ],
        }
    )

    session_id: UUID = Field(description="The session's id (the session stream's id)")
    kind: SessionKind = Field(description="Individual, group, family or couple")
    held_on: date = Field(description="Date of the session")
    duration_minutes: int = Field(ge=1, le=600, description="Length in minutes")
    approach: TherapyApproach = Field(description="Therapeutic approach")
    place: SessionPlace = Field(description="Office, outreach or phone")
    interpreter: bool = Field(default=False, description="Whether an interpreter took part")
    interpreter_language: LanguageCode | None = Field(
        default=None, description="Language interpreted into (BCP 47), if any"
    )
    retrospective_reason: SealedValue | None = Field(
        default=None,
        description="Set when the session is documented retrospectively, dated before the "
        "consent that allows it: why (counselling notes)",
    )
    participants: list[SessionParticipant] = Field(
        min_length=1, description="Survivors in the session"
    )


class SubscaleScore(EventPayload):
    """One subscale's score."""

    name: SubscaleName = Field(description="Subscale (PCL-5 cluster or HSCL-25 part)")
    score: ScoreText = Field(description="Exact score: a sum, or a mean")


_ASSESSMENT: dict[str, Any] = {
    "assessment_id": ASSESSMENT,
    "survivor_id": SURVIVOR,
    "instrument": "PHQ-9",
    "responses": [3, 0, 1, 2, 0, 0, 1, 0, 3],
    "administered_at": "2026-03-10T07:30:00+00:00",
    "total": "10",
    "percentage": None,
    "subscales": [],
    "band": "moderate",
    "flags": ["probable_major_depression", "self_harm_risk"],
    "caseness_cutoff": "10",
}


class _Assessment(EventPayload):
    """Fields of a scored administration."""

    assessment_id: UUID = Field(description="This administration's id")
    survivor_id: UUID = Field(description="The survivor (the survivor stream's id)")
    instrument: InstrumentCode = Field(description="Which instrument")
    responses: list[Annotated[int, Field(ge=0, le=5)]] = Field(
        min_length=1, max_length=25, description="Item responses in item order"
    )
    administered_at: Timestamp = Field(description="When the instrument was administered")
    total: ScoreText = Field(description="Total: the sum, or the mean (HSCL-25, HTQ-IV)")
    percentage: int | None = Field(default=None, ge=0, le=100, description="WHO-5: raw score × 4")
    subscales: list[SubscaleScore] = Field(default_factory=list, description="Subscale scores")
    band: SeverityBand = Field(description="Severity band of the score")
    flags: list[AssessmentFlag] = Field(default_factory=list, description="Cut-offs met")
    caseness_cutoff: ScoreText = Field(description="The caseness cut-off in force (e.g. PCL-5)")


class AssessmentRecorded(_Assessment):
    """A standardised instrument was administered and scored."""

    model_config = examples(_ASSESSMENT)

    retrospective_reason: SealedValue | None = Field(
        default=None,
        description="Set when documented retrospectively, administered before the consent "
        "that allows it: why",
    )


class AssessmentCorrected(_Assessment):
    """A corrected administration that supersedes an earlier one."""

    model_config = examples(
        {
            **_ASSESSMENT,
            "assessment_id": CORRECTED,
            "supersedes": ASSESSMENT,
            "reason": example_sealed("correction"),
        }
    )

    supersedes: UUID = Field(description="The assessment this one replaces")
    reason: SealedValue = Field(description="Why it was corrected")


class RiskFlagRaised(EventPayload):
    """A risk signal (PHQ-9 item 9 above 0, HSCL-25 item 20 above 1): open until answered."""

    model_config = examples(
        {
            "flag_id": FLAG,
            "survivor_id": SURVIVOR,
            "assessment_id": ASSESSMENT,
            "reason": "phq9_item9",
            "item": 9,
            "response": 3,
            "raised_at": "2026-03-10T07:30:00+00:00",
        }
    )

    flag_id: UUID = Field(description="The flag's id")
    survivor_id: UUID = Field(description="The survivor")
    assessment_id: UUID = Field(description="The administration that raised it")
    reason: RiskReason = Field(description="Which signal")
    item: int = Field(ge=1, le=25, description="The item number")
    response: int = Field(ge=1, le=5, description="The response to that item")
    raised_at: Timestamp = Field(description="When the signal was given (administered_at)")


class EscalationRole(StrEnum):
    """Who an unanswered risk flag is escalated to."""

    CLINICAL_SUPERVISOR = "clinical_supervisor"
    PROGRAMME_LEAD = "programme_lead"


class RiskFlagEscalated(EventPayload):
    """A risk flag had no safety response within the configured time: escalated one level."""

    model_config = examples(
        {
            "flag_id": FLAG,
            "survivor_id": SURVIVOR,
            "level": 1,
            "to_role": "clinical_supervisor",
            "after_hours": 24,
            "escalated_at": "2026-03-11T07:30:00+00:00",
        }
    )

    flag_id: UUID = Field(description="The flag still open")
    survivor_id: UUID = Field(description="The survivor")
    level: int = Field(ge=1, le=2, description="1: first escalation, 2: second")
    to_role: EscalationRole = Field(description="The role the escalation goes to")
    after_hours: int = Field(ge=1, description="Hours without a safety response that triggered it")
    escalated_at: Timestamp = Field(description="When it was escalated")


class SafetyResponseRecorded(EventPayload):
    """The safety response to a risk flag was recorded: the flag is resolved."""

    model_config = examples(
        {
            "flag_id": FLAG,
            "survivor_id": SURVIVOR,
            "responder_id": example_id(101),
            "actions": ["risk_assessed", "safety_plan"],
            "referral": "psychiatric_assessment",
            "details": example_sealed("safety"),
            "responded_at": "2026-03-10T08:00:00+00:00",
        }
    )

    flag_id: UUID = Field(description="The flag resolved")
    survivor_id: UUID = Field(description="The survivor")
    responder_id: UUID = Field(description="Who responded (staff)")
    actions: list[SafetyAction] = Field(min_length=1, description="What was done")
    referral: SafetyReferral = Field(description="Where the survivor was referred, if anywhere")
    details: SealedValue | None = Field(default=None, description="What was done, in words")
    responded_at: Timestamp = Field(description="When the response was made")


class CarePlanGoalAdded(EventPayload):
    """A goal was added to a survivor's care plan."""

    model_config = examples(
        {
            "goal_id": GOAL,
            "survivor_id": SURVIVOR,
            "domain": "daily_functioning",
            "description": example_sealed("goal"),
            "target_date": "2026-06-30",
        }
    )

    goal_id: UUID = Field(description="The goal's id")
    survivor_id: UUID = Field(description="The survivor")
    domain: CareDomain = Field(description="Domain of the goal")
    description: SealedValue = Field(description="The goal, in words")
    target_date: date = Field(description="When it should be reached")


class CarePlanGoalReviewed(EventPayload):
    """A care-plan goal was reviewed and given a status."""

    model_config = examples(
        {
            "goal_id": GOAL,
            "survivor_id": SURVIVOR,
            "status": "in_progress",
            "reviewed_on": "2026-04-15",
            "note": example_sealed("review"),
        }
    )

    goal_id: UUID = Field(description="The goal reviewed")
    survivor_id: UUID = Field(description="The survivor")
    status: GoalStatus = Field(description="Status at this review")
    reviewed_on: date = Field(description="Date of the review")
    note: SealedValue | None = Field(default=None, description="Review note (counselling notes)")


class SessionPlanned(EventPayload):
    """The next session with a survivor was planned (or, with no date, no longer is)."""

    model_config = examples({"survivor_id": SURVIVOR, "planned_on": "2026-03-17"})

    survivor_id: UUID = Field(description="The survivor")
    planned_on: date | None = Field(
        description="Day of the next session (East Africa Time); null: none planned any more"
    )


def register(registry: ContractRegistry) -> None:
    """Register psychosocial's event contracts."""
    registry.register(SessionRecorded, service=SERVICE, stream_type="session")
    for model in (
        AssessmentRecorded,
        AssessmentCorrected,
        RiskFlagRaised,
        RiskFlagEscalated,
        SafetyResponseRecorded,
        CarePlanGoalAdded,
        CarePlanGoalReviewed,
        SessionPlanned,
    ):
        registry.register(model, service=SERVICE, stream_type="survivor")
