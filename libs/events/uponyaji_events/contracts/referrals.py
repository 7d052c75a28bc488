"""One answer to an intake referral that any receiving service emits: accepted or declined.

The receiving service appends `<service>.ReferralAnswered` to a `referral` stream whose id is the
referral's; intake can turn it into `intake.ReferralStatusChanged` (with `source_event_id`).
Each receiving service registers the same model under its own name (`register_receiver`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.registry import ContractRegistry
from uponyaji_events.contracts.types import (
    EventPayload,
    SealedValue,
    example_id,
    example_sealed,
    examples,
)


class ReferralDecision(StrEnum):
    """What the receiving service answered."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


class ReferralAnswered(EventPayload):
    """The receiving service accepted or declined an intake referral."""

    model_config = examples(
        {
            "referral_id": example_id(21),
            "survivor_id": example_id(1),
            "decision": "accepted",
            "answered_on": "2026-03-03",
            "answered_by": example_id(101),
            "note": example_sealed("referral_answer"),
        }
    )

    referral_id: UUID = Field(description="Intake's referral (this stream's id)")
    survivor_id: UUID = Field(description="The survivor referred")
    decision: ReferralDecision = Field(description="Accepted or declined")
    answered_on: date = Field(description="Day of the answer")
    answered_by: UUID = Field(description="Who answered (staff id)")
    note: SealedValue | None = Field(default=None, description="Note for the referring team")


def register_receiver(registry: ContractRegistry, service: str) -> None:
    """Register `<service>.ReferralAnswered` on the `referral` stream type."""
    registry.register(ReferralAnswered, service=service, stream_type="referral")
