"""Intake contracts of the caseload: assignment, closure and reopening."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.intake.common import SURVIVOR, TEAM, WORKER, optional, survivor_field
from uponyaji_events.contracts.types import EventPayload, SealedValue, example_sealed, examples
from uponyaji_events.contracts.vocabularies import ClosureReason


class CaseAssigned(EventPayload):
    """A case was assigned (or reassigned) to a team and a lead case worker."""

    model_config = examples(
        {"survivor_id": SURVIVOR, "team_id": TEAM, "lead_case_worker_id": WORKER}
    )

    survivor_id: UUID = survivor_field()
    team_id: UUID = Field(description="The team holding the caseload")
    lead_case_worker_id: UUID | None = Field(default=None, description="Lead case worker (staff)")


class CaseClosed(EventPayload):
    """A case was closed with a reason."""

    model_config = examples({"survivor_id": SURVIVOR, "reason": "goals_met"})

    survivor_id: UUID = survivor_field()
    reason: ClosureReason = Field(description="Why the case was closed")
    note: SealedValue | None = optional("Closing note")


class CaseReopened(EventPayload):
    """A closed case was reopened."""

    model_config = examples({"survivor_id": SURVIVOR, "reason": example_sealed("reopen")})

    survivor_id: UUID = survivor_field()
    reason: SealedValue = Field(description="Why the case was reopened")
