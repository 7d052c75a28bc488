"""Intake contracts of the erasure saga (Data Protection Act s.40)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import CASE, REQUEST, SURVIVOR
from uponyaji_events.contracts.types import CaseNumber, EventPayload, example_id, examples
from uponyaji_events.contracts.vocabularies import ServiceName


class ErasureRequested(EventPayload):
    """The data protection officer recorded an erasure request (Data Protection Act s.40)."""

    model_config = examples(
        {
            "request_id": REQUEST,
            "survivor_id": SURVIVOR,
            "case_number": CASE,
            "received_on": "2026-04-01",
            "services": ["intake", "medical", "psychosocial", "empowerment", "reporting"],
        }
    )

    request_id: UUID = Field(description="The request's id (the erasure stream's id)")
    survivor_id: UUID = Field(description="Whose data keys are to be destroyed")
    case_number: CaseNumber = Field(description="The survivor's case number (kept after erasure)")
    received_on: date = Field(description="When the survivor's request was received")
    services: list[ServiceName] = Field(min_length=1, description="Services that must confirm")


class ErasureConfirmation(EventPayload):
    """One service's confirmation that it destroyed its data key."""

    service: ServiceName = Field(description="The confirming service")
    event_id: UUID = Field(description="Its `<service>.DataKeyDestroyed` event")


class ErasureCompleted(EventPayload):
    """Every service confirmed key destruction: sealed data reads as erased everywhere."""

    model_config = examples(
        {
            "request_id": REQUEST,
            "survivor_id": SURVIVOR,
            "confirmations": [{"service": "intake", "event_id": example_id(51)}],
        }
    )

    request_id: UUID = Field(description="The request (this stream)")
    survivor_id: UUID = Field(description="Whose data keys were destroyed")
    confirmations: list[ErasureConfirmation] = Field(description="One per service")
