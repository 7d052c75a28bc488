"""What medical's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Written(BaseModel):
    """One event a command recorded."""

    type: str
    stream_id: str
    version: int


class Uploaded(BaseModel):
    """An evidence file was stored and its capture recorded."""

    evidence_id: str
    sha256: str
    media_type: str
    captured_at: str | None
    events: list[Written]


class EvidenceRecorded(BaseModel):
    """A sample was described or a custody hand-over recorded."""

    evidence_id: str
    events: list[Written]


class Custody(BaseModel):
    """An item's chain of custody, step by step (each step: its event's fields and who, when)."""

    evidence_id: str
    custody: list[dict[str, Any]]


class PendingReferrals(BaseModel):
    """Referrals to medical not yet answered."""

    referrals: list[dict[str, Any]]


class ReferralDecided(BaseModel):
    """A referral was accepted or declined."""

    referral_id: str
    decision: str
    events: list[Written]


class Icd11Code(BaseModel):
    """One ICD-11 code the service accepts."""

    code: str
    title: str
    kind: str


class Icd11Subset(BaseModel):
    """The ICD-11 codes this service accepts, with titles."""

    codes: list[Icd11Code]


class ReportVerification(BaseModel):
    """Whether a PDF (by its SHA-256) is a signed report or addendum, and the signature check."""

    report_id: str
    matches: bool
    matched: str | None
    signer_id: str
    signed_at: str
    content_sha256: str
    signature_valid: bool
    addenda: list[dict[str, Any]]


class SpecialistReferral(BaseModel):
    """A referral to a specialist and, once recorded, what came of it (the latest outcome)."""

    specialist_referral_id: str
    encounter_id: str
    specialty: str
    reason: str | None
    referred_by: str
    referred_at: str
    outcome: str | None
    outcome_note: str | None
    outcome_by: str | None
    outcome_at: str | None


class SpecialistReferrals(BaseModel):
    """A survivor's referrals to specialists, oldest first."""

    survivor_id: str
    specialist_referrals: list[SpecialistReferral]


class FollowUp(BaseModel):
    """A follow-up appointment and, once recorded, whether it was kept."""

    follow_up_id: str
    encounter_id: str
    due_on: str
    overdue: bool
    booked_by: str
    booked_at: str
    attendance: str | None
    attendance_by: str | None
    attendance_at: str | None


class FollowUps(BaseModel):
    """A survivor's follow-up appointments, oldest first."""

    survivor_id: str
    follow_ups: list[FollowUp]


class BookedFollowUp(FollowUp):
    """A follow-up in the clinic's appointment book, with whose it is."""

    survivor_id: str
    case_number: str


class AppointmentBook(BaseModel):
    """The follow-ups due in a range of days on the caller's caseload, by day then case number,
    and those due before it whose attendance was never recorded."""

    first_day: str
    last_day: str
    follow_ups: list[BookedFollowUp]
    unrecorded: list[BookedFollowUp]


class Refused(BaseModel):
    """A refusal: the error's kind and what was wrong."""

    error: str
    detail: str


class EncounterView(BaseModel, extra="allow"):
    """An encounter: when it was recorded and its kind and time; the rest of what was recorded
    at opening (unsealed) only for those who may read clinical notes."""

    encounter_id: str
    recorded_at: str
    kind: str
    occurred_at: str


class EntryView(BaseModel, extra="allow"):
    """A record entry: its type, what was recorded (fields per type, unsealed), grade, status
    and correction link."""

    type: str
    grade: str | None
    status: str | None
    superseded_by: str | None
    recorded_by: str
    recorded_at: str | None


class EvaluationView(BaseModel):
    """An examination's psychological and overall grading."""

    encounter_id: str
    psychological_level: str | None
    overall_level: str | None
    interpretation: str | None
    recommendations: str | None


class EvidenceView(BaseModel):
    """An evidence item's metadata (never its file)."""

    evidence_id: str
    kind: str
    encounter_id: str | None
    media_type: str | None
    size_bytes: int | None
    sha256: str | None
    captured_at: str | None
    identifying: bool
    scale_present: bool
    description: str | None
    holder_id: str
    location: str
    integrity_alarm: bool
    recorded_at: str | None


class MedicalRecord(BaseModel):
    """A survivor's medical record; entries, evaluations and evidence per the field rules."""

    survivor_id: str
    case_number: str | None
    encounters: list[EncounterView]
    entries: list[EntryView]
    evaluations: list[EvaluationView]
    reports: list[dict[str, Any]]
    evidence: list[EvidenceView]
    forms: list[dict[str, Any]]


class Examination(BaseModel):
    """That an examination took place: when, what kind, its overall evaluation."""

    encounter_id: str
    kind: str
    occurred_on: str
    overall_evaluation: str | None


class MedicalSummary(BaseModel):
    """Examinations and reports signed: no findings, no notes."""

    survivor_id: str
    examinations: list[Examination]
    reports_signed: int


class Disclosure(BaseModel):
    """How the figures are published: the method and the rounding base."""

    method: str
    rounding_base: int


class Aggregates(BaseModel):
    """Programme figures, each count randomly rounded to a multiple of the base."""

    disclosure: Disclosure
    examinations: dict[str, int]
    overall_levels: dict[str, int]
    reports_signed: int
    reports_with_addenda: int
    median_days_intake_to_signed_report: float | None


class MissingSection(BaseModel):
    """A section the report still lacks."""

    section: str
    title: str


class ReportDraft(BaseModel):
    """The report as it would be assembled now, and what it still lacks."""

    content: dict[str, Any]
    missing: list[MissingSection]
