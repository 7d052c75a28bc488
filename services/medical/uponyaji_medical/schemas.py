"""Request bodies: typed, unknown fields refused, vocabularies enforced (422 naming the field).

Free-text fields are plain strings here; the handlers seal them under the survivor's key before
anything is recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts.types import CountyCode, LanguageCode
from uponyaji_events.contracts.vocabularies import Gender, TortureMethod
from uponyaji_events.text import StorableText

Text = Annotated[str, Field(min_length=1, max_length=20_000), StorableText]
Short = Annotated[str, Field(min_length=1, max_length=2_000), StorableText]


class Body(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class Correction(Body):
    """A correction names the entry it supersedes and why."""

    supersedes: UUID | None = Field(None, description="The entry this corrects")
    reason: Short | None = Field(None, description="Why (required with supersedes)")


class Present(Body):
    """Someone present during the encounter."""

    role: m.PresentRole
    gender: Gender | None = None
    language: LanguageCode | None = None


class EncounterBody(Body):
    """An encounter: when, where, who examined, who was present, the survivor's choices."""

    kind: m.EncounterKind
    occurred_at: AwareDatetime
    county_code: CountyCode
    facility: Short
    clinician_ids: list[UUID] = Field(default_factory=list, description="Default: the caller")
    present: list[Present] = Field(default_factory=list, max_length=10)
    examiner_gender_requested: m.GenderChoice = m.GenderChoice.NO_PREFERENCE
    interpreter_gender_requested: m.GenderChoice = m.GenderChoice.NO_PREFERENCE
    examiner_gender_honoured: bool = True
    restrictions: Short | None = None
    limited_by_survivor: bool = False
    limitation: Short | None = None
    retrospective_reason: Short | None = Field(
        None, description="Documenting an encounter that took place before consent was recorded"
    )


class HistoryBody(Correction):
    """The allegation, symptoms then and now, relevant medical history."""

    encounter_id: UUID
    allegation: Text
    symptoms_acute: Text | None = None
    symptoms_current: Text | None = None
    medical_history: Text | None = None
    methods: list[TortureMethod] = Field(default_factory=list)


class Position(Body):
    """A mark on the body diagram: view, and x, y in thousandths from the top-left."""

    view: m.DiagramView
    x: int = Field(ge=0, le=1000)
    y: int = Field(ge=0, le=1000)


class FindingBody(Correction):
    """A physical finding in one body region."""

    encounter_id: UUID
    region: m.BodyRegion
    lesion: m.LesionType
    length_mm: int | None = Field(None, ge=0, le=2000)
    width_mm: int | None = Field(None, ge=0, le=2000)
    shape: m.LesionShape
    colour: m.LesionColour
    estimated_age: m.LesionAge
    position: Position
    description: Text | None = None
    photo_ids: list[UUID] = Field(default_factory=list, max_length=50)


class PsychologicalBody(Correction):
    """The psychological history and examination, summarised."""

    encounter_id: UUID
    summary: Text


class DiagnosisBody(Correction):
    """An ICD-11 coded diagnosis from the shipped subset (GET /icd11 lists it)."""

    encounter_id: UUID
    code: str = Field(pattern=r"^[0-9A-Z]{4}(\.[0-9A-Z]{1,3})?$")
    note: Short | None = None


class TreatmentBody(Correction):
    """Treatment: medication with dose and duration, procedure, physiotherapy, dental, surgery."""

    encounter_id: UUID
    kind: m.TreatmentKind
    details: Short
    duration_days: int | None = Field(None, ge=0, le=3650)


class GradeBody(Body):
    """A level of consistency on the Istanbul Protocol's five-level scale."""

    level: m.ConsistencyLevel


class OverallBody(GradeBody):
    """The overall evaluation of all findings together."""

    interpretation: Text
    recommendations: Text


class SpecialistBody(Body):
    """A referral to a specialist."""

    encounter_id: UUID
    specialty: m.Specialty
    reason: Short | None = None


class OutcomeBody(Body):
    """What came of a specialist referral."""

    outcome: m.SpecialistOutcome
    note: Short | None = None


class FollowUpBody(Body):
    """A follow-up appointment."""

    encounter_id: UUID
    due_on: date


class AttendanceBody(Body):
    """Whether a follow-up was kept."""

    attendance: m.Attendance


class SignBody(Body):
    """Sign the report of a medico-legal examination (with a fresh TOTP step-up proof)."""

    encounter_id: UUID
    qualifications: Short
    county_code: CountyCode
    truthful: bool = Field(description="I confirm the statement of truthfulness")
    step_up: str = Field(min_length=1, max_length=4096, description="identity's step-up proof")


class AddendumBody(Body):
    """A signed addendum to a signed report."""

    text: Text
    step_up: str = Field(min_length=1, max_length=4096)


class SampleBody(Body):
    """A physical sample, described only (never uploaded)."""

    encounter_id: UUID | None = None
    description: Short
    location: m.CustodyLocation = m.CustodyLocation.CLINIC_EVIDENCE_SAFE


class HandOverBody(Body):
    """A custody hand-over."""

    from_holder_id: UUID
    to_holder_id: UUID
    from_location: m.CustodyLocation
    to_location: m.CustodyLocation
    reason: Short
    at: datetime | None = None


class DecisionBody(Body):
    """Accept or decline a referral from intake."""

    decision: m.ReferralDecision
    note: Short | None = None


class FormBody(Body):
    """Which examination a form reports."""

    encounter_id: UUID
