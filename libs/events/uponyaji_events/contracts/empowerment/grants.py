"""Empowerment contracts of money: budget lines, grants proposed and decided, disbursements.

Amounts are exact KES decimal strings. A payment reference (an M-Pesa transaction code or a bank
reference) can lead to a person, so it is sealed; its keyed digest lets the service refuse a
reference used twice.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.empowerment.common import (
    BUDGET,
    DISBURSEMENT,
    GRANT,
    LEAD,
    OFFICER,
    SURVIVOR,
    BudgetCode,
    Channel,
    Digest,
    GrantPurpose,
    Kes,
    optional,
)
from uponyaji_events.contracts.types import EventPayload, SealedValue, example_sealed, examples


class BudgetLineOpened(EventPayload):
    """A programme lead opened a grants budget line for a period."""

    model_config = examples(
        {
            "budget_line_id": BUDGET,
            "code": "EMP-GRANTS-2026-Q2",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "amount_kes": "1500000.00",
        }
    )

    budget_line_id: UUID = Field(description="The budget line (the budget_line stream's id)")
    code: BudgetCode = Field(description="Its code in the organisation's accounts")
    period_start: date = Field(description="First day of the period")
    period_end: date = Field(description="Last day of the period")
    amount_kes: Kes = Field(description="What approvals on this line may add up to, KES")


class GrantProposed(EventPayload):
    """An empowerment officer proposed a grant for a survivor."""

    model_config = examples(
        {
            "grant_id": GRANT,
            "survivor_id": SURVIVOR,
            "purpose": "tools_and_equipment",
            "amount_kes": "25000.00",
            "budget_line_id": BUDGET,
            "proposed_by": OFFICER,
            "proposed_on": "2026-04-08",
            "justification": example_sealed("justification"),
        }
    )

    grant_id: UUID = Field(description="The grant's id")
    survivor_id: UUID = Field(description="The survivor (the survivor stream's id)")
    purpose: GrantPurpose = Field(description="What it pays for")
    amount_kes: Kes = Field(description="Amount proposed, KES")
    budget_line_id: UUID = Field(description="The budget line it would draw on")
    proposed_by: UUID = Field(description="The proposing officer (staff id)")
    proposed_on: date = Field(description="Day of the proposal")
    justification: SealedValue | None = optional("Why, in the officer's words")


class GrantApproved(EventPayload):
    """A programme lead approved a proposed grant (never the person who proposed it)."""

    model_config = examples(
        {
            "grant_id": GRANT,
            "survivor_id": SURVIVOR,
            "amount_kes": "25000.00",
            "budget_line_id": BUDGET,
            "approved_by": LEAD,
            "approved_on": "2026-04-10",
        }
    )

    grant_id: UUID = Field(description="The grant")
    survivor_id: UUID = Field(description="The survivor")
    amount_kes: Kes = Field(description="Amount approved, KES (drawn on the budget line)")
    budget_line_id: UUID = Field(description="The budget line it draws on")
    approved_by: UUID = Field(description="The approving programme lead (staff id)")
    approved_on: date = Field(description="Day of approval")


class GrantDeclined(EventPayload):
    """A programme lead declined a proposed grant."""

    model_config = examples(
        {
            "grant_id": GRANT,
            "survivor_id": SURVIVOR,
            "declined_by": LEAD,
            "declined_on": "2026-04-10",
            "reason": example_sealed("declined"),
        }
    )

    grant_id: UUID = Field(description="The grant")
    survivor_id: UUID = Field(description="The survivor")
    declined_by: UUID = Field(description="The declining programme lead (staff id)")
    declined_on: date = Field(description="Day of the decision")
    reason: SealedValue | None = optional("Why it was declined")


class GrantDisbursed(EventPayload):
    """Money (or goods) of an approved grant reached the survivor."""

    model_config = examples(
        {
            "disbursement_id": DISBURSEMENT,
            "grant_id": GRANT,
            "survivor_id": SURVIVOR,
            "amount_kes": "15000.00",
            "channel": "mpesa",
            "reference": example_sealed("mpesa"),
            "reference_digest": "0" * 64,
            "disbursed_on": "2026-04-12",
        }
    )

    disbursement_id: UUID = Field(description="The disbursement's id")
    grant_id: UUID = Field(description="The grant it pays out")
    survivor_id: UUID = Field(description="The survivor")
    amount_kes: Kes = Field(description="Amount (or value of goods), KES")
    channel: Channel = Field(description="M-Pesa, bank transfer or in kind")
    reference: SealedValue | None = optional(
        "M-Pesa transaction code or bank reference (none for goods in kind)"
    )
    reference_digest: Digest | None = optional("Keyed digest of the normalised reference")
    items: SealedValue | None = optional("What was handed over, for goods in kind")
    disbursed_on: date = Field(description="Day the money or goods were handed over")
