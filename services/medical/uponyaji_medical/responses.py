"""What medical's evidence and referral routes answer: response models for its OpenAPI document."""

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
