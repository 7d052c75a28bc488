"""Intake contracts of referrals to services or external providers."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import INCIDENT, REFERRAL, SURVIVOR, optional
from uponyaji_events.contracts.types import (
    EventPayload,
    SealedValue,
    example_id,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import ReferralStatus, ReferralTarget, Urgency


class ReferralMade(EventPayload):
    """A survivor was referred to a service or an external provider."""

    model_config = examples(
        {
            "referral_id": REFERRAL,
            "survivor_id": SURVIVOR,
            "target": "medical",
            "urgency": "urgent",
            "reason": example_sealed("referral_reason"),
            "incident_ids": [INCIDENT],
        }
    )

    referral_id: UUID = Field(description="The referral's id (the referral stream's id)")
    survivor_id: UUID = Field(description="The survivor referred")
    target: ReferralTarget = Field(description="Where to")
    urgency: Urgency = Field(description="How soon")
    external_provider: SealedValue | None = optional("The provider, when target is external")
    reason: SealedValue | None = optional("Why, for the receiving team")
    incident_ids: list[UUID] = Field(default_factory=list, description="Incidents it concerns")


class ReferralStatusChanged(EventPayload):
    """A referral's status changed, following the receiving service's answer."""

    model_config = examples(
        {
            "referral_id": REFERRAL,
            "survivor_id": SURVIVOR,
            "status": "accepted",
            "source_event_id": example_id(41),
        }
    )

    referral_id: UUID = Field(description="The referral (this stream)")
    survivor_id: UUID = Field(description="The survivor referred")
    status: ReferralStatus = Field(description="The new status")
    note: SealedValue | None = optional("Note from the receiving team")
    source_event_id: UUID | None = Field(
        default=None, description="The receiving service's event that caused the change"
    )
