"""Intake contracts of consent: granted and withdrawn, one scope at a time."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import SURVIVOR, optional, survivor_field
from uponyaji_events.contracts.types import (
    EventPayload,
    LanguageCode,
    SealedValue,
    Timestamp,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import (
    ConsentMethod,
    ConsentParty,
    ConsentScope,
    GuardianRelationship,
)

_CONSENT: dict[str, Any] = {
    "survivor_id": SURVIVOR,
    "scope": "medical_examination",
    "method": "thumbprint",
    "party": "survivor",
    "witness": example_sealed("witness"),
    "language": "sw",
    "at": "2026-03-02T07:30:00+00:00",
}


class ConsentGranted(EventPayload):
    """A survivor (or someone acting for them) granted consent for one scope."""

    model_config = examples(_CONSENT)

    survivor_id: UUID = survivor_field()
    scope: ConsentScope = Field(description="What the consent covers")
    method: ConsentMethod = Field(description="How consent was given")
    party: ConsentParty = Field(description="Who gave consent")
    witness: SealedValue | None = optional("Witness's name, if any")
    language: LanguageCode = Field(description="Language the consent was explained in (BCP 47)")
    at: Timestamp = Field(description="When consent was given (may precede recording)")
    guardian_name: SealedValue | None = optional("For a minor: the consenting guardian's name")
    guardian_relationship: GuardianRelationship | None = Field(
        default=None, description="For a minor: how the guardian is related to them"
    )
    child_assent: bool | None = Field(
        default=None, description="For a minor: whether the child's own assent was recorded"
    )


class ConsentWithdrawn(EventPayload):
    """A survivor (or someone acting for them) withdrew consent for one scope."""

    model_config = examples({**_CONSENT, "method": "verbal", "reason": example_sealed("why")})

    survivor_id: UUID = survivor_field()
    scope: ConsentScope = Field(description="What is no longer consented to")
    method: ConsentMethod = Field(description="How consent was withdrawn")
    party: ConsentParty = Field(description="Who withdrew consent")
    witness: SealedValue | None = optional("Witness's name, if any")
    language: LanguageCode = Field(description="Language of the withdrawal (BCP 47)")
    at: Timestamp = Field(description="When consent was withdrawn (may precede recording)")
    reason: SealedValue | None = optional("Reason, if the survivor gave one")
