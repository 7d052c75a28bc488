"""Medical contracts of the medico-legal evaluation: Istanbul Protocol grading, reports, forms.

A signed report carries its content sealed (the canonical JSON the signature covers), the
content's SHA-256, the Ed25519 signature, and the SHA-256 of the PDF rendered from it, so a PDF
shown in court can be checked against the record. Signing keys are per clinician; only their
public halves appear in events.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.medical.common import (
    ADDENDUM,
    CLINICIAN,
    DOCUMENT,
    ENCOUNTER,
    FINDING,
    KEY,
    REPORT,
    SURVIVOR,
    Base64Url,
    Sha256Hex,
    optional,
    survivor_field,
)
from uponyaji_events.contracts.medical.vocab import ConsistencyLevel, FormKind
from uponyaji_events.contracts.types import (
    CountyCode,
    EventPayload,
    SealedValue,
    Timestamp,
    example_sealed,
    examples,
)

_SIG = "A" * 86
_HASH = "0" * 64


class FindingGraded(EventPayload):
    """A physical finding graded against the allegation on the Protocol's five levels."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "finding_id": FINDING,
            "level": "highly_consistent",
        }
    )

    survivor_id: UUID = survivor_field()
    finding_id: UUID = Field(description="The finding graded")
    level: ConsistencyLevel = Field(description="Level of consistency with the allegation")


class PsychologicalEvaluationGraded(EventPayload):
    """The psychological findings as a whole, graded against the allegation."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "level": "consistent",
        }
    )

    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The examination")
    level: ConsistencyLevel = Field(description="Level of consistency with the allegation")


class OverallEvaluationRecorded(EventPayload):
    """The overall evaluation of all findings together, with interpretation and recommendations."""

    model_config = examples(
        {
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "level": "highly_consistent",
            "interpretation": example_sealed("interpretation"),
            "recommendations": example_sealed("recommendations"),
        }
    )

    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The examination")
    level: ConsistencyLevel = Field(description="Overall level of consistency")
    interpretation: SealedValue = Field(description="Interpretation of the findings")
    recommendations: SealedValue = Field(description="Treatment and further examination")


class SigningKeyIssued(EventPayload):
    """A clinician's Ed25519 report-signing key was created (its public half)."""

    model_config = examples(
        {
            "clinician_id": CLINICIAN,
            "key_id": KEY,
            "public_key": "B" * 43,
            "issued_at": "2026-03-04T08:00:00+00:00",
        }
    )

    clinician_id: UUID = Field(description="Whose key")
    key_id: UUID = Field(description="The key's id")
    public_key: Base64Url = Field(description="The raw Ed25519 public key, base64url")
    issued_at: Timestamp = Field(description="When it was created")


class ReportSigned(EventPayload):
    """A medico-legal report was signed by the examining clinician; it is immutable from now on."""

    model_config = examples(
        {
            "report_id": REPORT,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "content": example_sealed("report"),
            "content_sha256": _HASH,
            "pdf_sha256": "1" * 64,
            "signer_id": CLINICIAN,
            "key_id": KEY,
            "signature": _SIG,
            "signed_at": "2026-03-05T09:00:00+00:00",
            "place_county_code": "047",
        }
    )

    report_id: UUID = Field(description="The report (this stream)")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The medico-legal examination reported on")
    content: SealedValue = Field(description="The report's canonical JSON, as signed")
    content_sha256: Sha256Hex = Field(description="SHA-256 of the canonical JSON")
    pdf_sha256: Sha256Hex = Field(description="SHA-256 of the PDF rendered from it")
    signer_id: UUID = Field(description="The signing clinician")
    key_id: UUID = Field(description="The signing key")
    signature: Base64Url = Field(description="Ed25519 signature of the signed statement")
    signed_at: Timestamp = Field(description="When it was signed")
    place_county_code: CountyCode = Field(description="Where it was signed")


class AddendumSigned(EventPayload):
    """A signed addendum to a signed report (corrections and additions never edit the report)."""

    model_config = examples(
        {
            "addendum_id": ADDENDUM,
            "report_id": REPORT,
            "survivor_id": SURVIVOR,
            "content": example_sealed("addendum"),
            "content_sha256": _HASH,
            "pdf_sha256": "2" * 64,
            "signer_id": CLINICIAN,
            "key_id": KEY,
            "signature": _SIG,
            "signed_at": "2026-03-09T09:00:00+00:00",
        }
    )

    addendum_id: UUID = Field(description="The addendum's id")
    report_id: UUID = Field(description="The report it adds to")
    survivor_id: UUID = survivor_field()
    content: SealedValue = Field(description="The addendum's canonical JSON, as signed")
    content_sha256: Sha256Hex = Field(description="SHA-256 of the canonical JSON")
    pdf_sha256: Sha256Hex = Field(description="SHA-256 of the addendum's PDF")
    signer_id: UUID = Field(description="The signing clinician")
    key_id: UUID = Field(description="The signing key")
    signature: Base64Url = Field(description="Ed25519 signature of the signed statement")
    signed_at: Timestamp = Field(description="When it was signed")


class FormIssued(EventPayload):
    """A Kenyan form (P3, MOH 363) was rendered from the record and handed out."""

    model_config = examples(
        {
            "document_id": DOCUMENT,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "form": "p3",
            "pdf_sha256": _HASH,
            "blank_fields": 3,
            "note": None,
        }
    )

    document_id: UUID = Field(description="The issued document's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The examination it reports")
    form: FormKind = Field(description="Which form")
    pdf_sha256: Sha256Hex = Field(description="SHA-256 of the PDF issued")
    blank_fields: int = Field(ge=0, description="Fields left blank because the record lacks them")
    note: SealedValue | None = optional("To whom, for what")
