"""Medical contracts of evidence and its chain of custody, and of answers to intake's referrals.

Files are hashed (SHA-256) at capture; the hash in `EvidenceCaptured` is the one every later
retrieval re-checks. Every hand-over and every access is an event on the item's stream.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.medical.common import (
    CLINICIAN,
    ENCOUNTER,
    EVIDENCE,
    OTHER_CLINICIAN,
    REFERRAL,
    SURVIVOR,
    Sha256Hex,
    optional,
    survivor_field,
)
from uponyaji_events.contracts.medical.vocab import CustodyLocation, EvidenceKind, MediaType
from uponyaji_events.contracts.types import (
    EventPayload,
    SealedValue,
    Timestamp,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import AccessOutcome

_HASH = "a" * 64


class EvidenceCaptured(EventPayload):
    """An evidence item was captured: a file hashed and stored, or a physical sample described."""

    model_config = examples(
        {
            "evidence_id": EVIDENCE,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "kind": "photograph",
            "media_type": "image/jpeg",
            "size_bytes": 2048000,
            "sha256": _HASH,
            "captured_at": "2026-03-04T07:40:00+00:00",
            "identifying": False,
            "scale_present": True,
            "description": example_sealed("photo"),
            "holder_id": CLINICIAN,
            "location": "medical_record_store",
        }
    )

    evidence_id: UUID = Field(description="The item (this stream)")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID | None = optional("The encounter it was captured in")
    kind: EvidenceKind = Field(description="Photograph, X-ray, scan, document or physical sample")
    media_type: MediaType | None = optional("The file's type; null for a physical sample")
    size_bytes: int | None = Field(default=None, ge=0, description="The file's size")
    sha256: Sha256Hex | None = optional("SHA-256 of the file as captured; null for a sample")
    captured_at: Timestamp | None = optional("Capture time from the file's metadata, if any")
    identifying: bool = Field(description="The first photograph identifying the person")
    scale_present: bool = Field(description="A scale is visible (close-ups)")
    description: SealedValue | None = optional("What it shows or what the sample is")
    holder_id: UUID = Field(description="Who holds it now")
    location: CustodyLocation = Field(description="Where it is kept")


class EvidenceHandedOver(EventPayload):
    """An evidence item changed hands: who gave it to whom, from where to where, and why."""

    model_config = examples(
        {
            "evidence_id": EVIDENCE,
            "survivor_id": SURVIVOR,
            "from_holder_id": CLINICIAN,
            "to_holder_id": OTHER_CLINICIAN,
            "from_location": "medical_record_store",
            "to_location": "legal_team",
            "reason": example_sealed("why"),
            "at": "2026-03-06T10:00:00+00:00",
        }
    )

    evidence_id: UUID = Field(description="The item")
    survivor_id: UUID = survivor_field()
    from_holder_id: UUID = Field(description="Who handed it over (its holder until now)")
    to_holder_id: UUID = Field(description="Who received it")
    from_location: CustodyLocation = Field(description="Where from")
    to_location: CustodyLocation = Field(description="Where to")
    reason: SealedValue = Field(description="Why")
    at: Timestamp = Field(description="When")


class EvidenceAccessed(EventPayload):
    """Someone retrieved an evidence item's file (the original or a stripped derivative)."""

    model_config = examples(
        {
            "evidence_id": EVIDENCE,
            "survivor_id": SURVIVOR,
            "by_id": CLINICIAN,
            "derivative": True,
            "outcome": "allowed",
            "at": "2026-03-06T10:05:00+00:00",
        }
    )

    evidence_id: UUID = Field(description="The item")
    survivor_id: UUID = survivor_field()
    by_id: UUID = Field(description="Who retrieved it")
    derivative: bool = Field(description="A derivative with location and device data stripped")
    outcome: AccessOutcome = Field(description="Served (allowed) or refused")
    at: Timestamp = Field(description="When")


class EvidenceIntegrityAlarm(EventPayload):
    """A retrieval found the stored file's hash differs from the captured one: not served."""

    model_config = examples(
        {
            "evidence_id": EVIDENCE,
            "survivor_id": SURVIVOR,
            "expected_sha256": _HASH,
            "found_sha256": "b" * 64,
            "at": "2026-03-06T10:05:00+00:00",
        }
    )

    evidence_id: UUID = Field(description="The item")
    survivor_id: UUID = survivor_field()
    expected_sha256: Sha256Hex = Field(description="The hash at capture")
    found_sha256: Sha256Hex | None = Field(description="The hash found; null if unreadable")
    at: Timestamp = Field(description="When it was found")


class ReferralAccepted(EventPayload):
    """Medical accepted a referral from intake (intake's referral status follows)."""

    model_config = examples(
        {
            "referral_id": REFERRAL,
            "survivor_id": SURVIVOR,
            "note": None,
        }
    )

    referral_id: UUID = Field(description="Intake's referral (this stream)")
    survivor_id: UUID = survivor_field()
    note: SealedValue | None = optional("Note to the referring team")


class ReferralDeclined(EventPayload):
    """Medical declined a referral from intake, with a reason (intake's referral status follows)."""

    model_config = examples(
        {
            "referral_id": REFERRAL,
            "survivor_id": SURVIVOR,
            "note": example_sealed("why"),
        }
    )

    referral_id: UUID = Field(description="Intake's referral (this stream)")
    survivor_id: UUID = survivor_field()
    note: SealedValue | None = optional("Why it was declined")
