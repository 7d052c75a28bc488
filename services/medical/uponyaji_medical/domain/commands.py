"""Commands: what a clinician asks for, as the payload to record plus the clock and context.

The payload models are the event contracts (their fields are validated when built); the
deciders check the rules between entries: the encounter exists, a correction supersedes a
current entry with a reason, a code is in the shipped ICD-11 subset, a time is not in the future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from uponyaji_events.contracts import medical as m

EntryPayload = (
    m.HistoryRecorded
    | m.FindingDocumented
    | m.PsychologicalFindingsRecorded
    | m.DiagnosisRecorded
    | m.TreatmentRecorded
)
GradePayload = m.FindingGraded | m.PsychologicalEvaluationGraded | m.OverallEvaluationRecorded
CarePayload = (
    m.SpecialistReferralMade
    | m.SpecialistReferralOutcomeRecorded
    | m.FollowUpScheduled
    | m.FollowUpAttendanceRecorded
    | m.FormIssued
)


@dataclass(frozen=True, slots=True)
class OpenEncounter:
    """Open an encounter (date, facility, clinicians, who was present, the survivor's choices)."""

    payload: m.EncounterOpened
    now: datetime
    consent_since: datetime | None = None  # when the medical_examination consent was given


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """Record (or correct, when the payload `supersedes` an entry) a record entry."""

    payload: EntryPayload
    known_photos: frozenset[UUID] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Grade:
    """Grade a finding or the psychological findings, or record the overall evaluation."""

    payload: GradePayload


@dataclass(frozen=True, slots=True)
class RecordCare:
    """Specialist referrals and outcomes, follow-ups and attendance, forms issued."""

    payload: CarePayload
    today: date


RecordCommand = OpenEncounter | RecordEntry | Grade | RecordCare
