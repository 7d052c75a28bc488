"""Event contracts of medical: the clinical record, Istanbul Protocol evaluations, signed reports,
evidence with its chain of custody, and answers to intake's referrals.

Streams: `survivor` (the clinical record and its grading), `report` (signatures and addenda),
`clinician` (signing keys), `evidence` (capture, custody, access), `referral` (answers), and the
kernel's `erasure` and `audit`.
"""

from __future__ import annotations

from pydantic import BaseModel

from uponyaji_events.contracts.medical.common import SERVICE
from uponyaji_events.contracts.medical.evidence import (
    EvidenceAccessed,
    EvidenceCaptured,
    EvidenceHandedOver,
    EvidenceIntegrityAlarm,
    ReferralAccepted,
    ReferralDeclined,
)
from uponyaji_events.contracts.medical.medico_legal import (
    AddendumSigned,
    FindingGraded,
    FormIssued,
    OverallEvaluationRecorded,
    PsychologicalEvaluationGraded,
    ReportSigned,
    SigningKeyIssued,
)
from uponyaji_events.contracts.medical.record import (
    DiagnosisRecorded,
    DiagramPosition,
    EncounterOpened,
    FindingDocumented,
    FollowUpAttendanceRecorded,
    FollowUpScheduled,
    HistoryRecorded,
    PresentPerson,
    PsychologicalFindingsRecorded,
    SpecialistReferralMade,
    SpecialistReferralOutcomeRecorded,
    TreatmentRecorded,
)
from uponyaji_events.contracts.medical.vocab import (
    Attendance,
    BodyRegion,
    ConsistencyLevel,
    CustodyLocation,
    DiagramView,
    EncounterKind,
    EvidenceKind,
    FormKind,
    GenderChoice,
    LesionAge,
    LesionColour,
    LesionShape,
    LesionType,
    MediaType,
    PresentRole,
    ReferralDecision,
    SpecialistOutcome,
    Specialty,
    TreatmentKind,
)
from uponyaji_events.contracts.registry import ContractRegistry

STREAMS: dict[type[BaseModel], str] = {
    EncounterOpened: "survivor",
    HistoryRecorded: "survivor",
    FindingDocumented: "survivor",
    PsychologicalFindingsRecorded: "survivor",
    DiagnosisRecorded: "survivor",
    TreatmentRecorded: "survivor",
    SpecialistReferralMade: "survivor",
    SpecialistReferralOutcomeRecorded: "survivor",
    FollowUpScheduled: "survivor",
    FollowUpAttendanceRecorded: "survivor",
    FindingGraded: "survivor",
    PsychologicalEvaluationGraded: "survivor",
    OverallEvaluationRecorded: "survivor",
    FormIssued: "survivor",
    SigningKeyIssued: "clinician",
    ReportSigned: "report",
    AddendumSigned: "report",
    EvidenceCaptured: "evidence",
    EvidenceHandedOver: "evidence",
    EvidenceAccessed: "evidence",
    EvidenceIntegrityAlarm: "evidence",
    ReferralAccepted: "referral",
    ReferralDeclined: "referral",
}


def register(registry: ContractRegistry) -> None:
    """Register medical's event contracts."""
    for model, stream_type in STREAMS.items():
        registry.register(model, service=SERVICE, stream_type=stream_type)


__all__ = [
    "SERVICE",
    "STREAMS",
    "AddendumSigned",
    "Attendance",
    "BodyRegion",
    "ConsistencyLevel",
    "CustodyLocation",
    "DiagnosisRecorded",
    "DiagramPosition",
    "DiagramView",
    "EncounterKind",
    "EncounterOpened",
    "EvidenceAccessed",
    "EvidenceCaptured",
    "EvidenceHandedOver",
    "EvidenceIntegrityAlarm",
    "EvidenceKind",
    "FindingDocumented",
    "FindingGraded",
    "FollowUpAttendanceRecorded",
    "FollowUpScheduled",
    "FormIssued",
    "FormKind",
    "GenderChoice",
    "HistoryRecorded",
    "LesionAge",
    "LesionColour",
    "LesionShape",
    "LesionType",
    "MediaType",
    "OverallEvaluationRecorded",
    "PresentPerson",
    "PresentRole",
    "PsychologicalEvaluationGraded",
    "PsychologicalFindingsRecorded",
    "ReferralAccepted",
    "ReferralDecision",
    "ReferralDeclined",
    "ReportSigned",
    "SigningKeyIssued",
    "SpecialistOutcome",
    "SpecialistReferralMade",
    "SpecialistReferralOutcomeRecorded",
    "Specialty",
    "TreatmentKind",
    "TreatmentRecorded",
    "register",
]
