"""Routes of money: budget lines, grant proposals and decisions, disbursements, finance."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from uponyaji_access import Listing
from uponyaji_service import DirectRoute
from uponyaji_service.figures import no_date_ranges, publisher

from .. import programme, queries, views
from .. import responses as answers
from ..handlers import money
from ..schemas import BudgetLineBody, DecisionBody, DisbursementBody, GrantBody
from .deps import (
    BudgetManage,
    BudgetRead,
    DecideGrant,
    DisburseGrant,
    EmDep,
    FinanceRead,
    GrantsRead,
    Record,
    actor,
    written,
)

router = APIRouter(tags=["grants"], route_class=DirectRoute)


class GrantStatus(StrEnum):
    """Which grants to list."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"
    ALL = "all"


@router.post("/budget-lines", status_code=201, response_model=answers.BudgetLineOpened)
async def open_line(
    body: BudgetLineBody, grant: BudgetManage, em: EmDep
) -> answers.BudgetLineOpened:
    """Open a grants budget line for a period (programme leads)."""
    events = await money.open_budget_line(em, body, actor(grant))
    return answers.BudgetLineOpened.model_validate(
        {"budget_line_id": events[0].stream_id, "events": written(events)}
    )


@router.get("/budget-lines", response_model=answers.BudgetLines)
async def lines(grant: BudgetRead, em: EmDep) -> answers.BudgetLines:
    """Budget lines: amount, committed by approvals, disbursed, remaining (KES)."""
    return answers.BudgetLines.model_validate(
        {
            "budget_lines": [
                {
                    "budget_line_id": str(r["budget_line_id"]),
                    "code": r["code"],
                    "period_start": r["period_start"].isoformat(),
                    "period_end": r["period_end"].isoformat(),
                    "amount_kes": views.kes(r["amount"]),
                    "committed_kes": views.kes(r["committed"]),
                    "disbursed_kes": views.kes(r["disbursed"]),
                    "remaining_kes": views.kes(r["amount"] - r["committed"]),
                }
                for r in await queries.budget_lines(em.store.pool)
            ]
        }
    )


@router.post(
    "/survivors/{survivor_id}/grants", status_code=201, response_model=answers.GrantProposed
)
async def propose(
    survivor_id: UUID, body: GrantBody, grant: Record, em: EmDep
) -> answers.GrantProposed:
    """Propose a grant (purpose, KES amount, budget line) for a programme lead to decide."""
    events = await money.propose_grant(
        em, survivor_id, body, actor(grant), grant.principal.staff_id
    )
    return answers.GrantProposed.model_validate(
        {
            "grant_id": events[0].payload["grant_id"],
            "status": "proposed",
            "events": written(events),
        }
    )


@router.post("/grants/{grant_id}/decision", status_code=201, response_model=answers.GrantDecided)
async def decide(
    grant_id: UUID, body: DecisionBody, grant: DecideGrant, em: EmDep
) -> answers.GrantDecided:
    """Approve or decline a proposed grant: 403 on your own proposal, 409 past the budget."""
    assert grant.survivor_id is not None  # the locator found the grant's survivor
    events = await money.decide_grant(
        em, grant.survivor_id, grant_id, body, actor(grant), grant.principal.staff_id
    )
    status = "approved" if events[0].type.endswith("Approved") else "declined"
    return answers.GrantDecided.model_validate(
        {"grant_id": str(grant_id), "status": status, "events": written(events)}
    )


@router.post("/grants/{grant_id}/disbursements", status_code=201, response_model=answers.Disbursed)
async def pay(
    grant_id: UUID, body: DisbursementBody, grant: DisburseGrant, em: EmDep
) -> answers.Disbursed:
    """Record a disbursement (M-Pesa code, bank reference or in kind) within the remainder."""
    assert grant.survivor_id is not None
    events = await money.disburse(em, grant.survivor_id, grant_id, body, actor(grant))
    return answers.Disbursed.model_validate(
        {
            "disbursement_id": events[0].payload["disbursement_id"],
            "amount_kes": events[0].payload["amount_kes"],
            "events": written(events),
        }
    )


@router.get("/grants", response_model=answers.Grants, response_model_exclude_unset=True)
async def list_grants(
    grant: GrantsRead,
    em: EmDep,
    listed: Listing,
    status: GrantStatus = GrantStatus.PROPOSED,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> answers.Grants:
    """Grants by status, oldest first: officers' caseload; leads' without survivor identity."""
    wanted = None if status is GrantStatus.ALL else status.value
    rows = await queries.grants(em.store.pool, grant.caseload_filter(), wanted, limit)
    shown = []
    for r in rows:
        item = {
            "grant_id": str(r["grant_id"]),
            "purpose": r["purpose"],
            "amount_kes": views.kes(r["amount"]),
            "status": r["status"],
            "disbursed_kes": views.kes(r["disbursed"]),
            "budget_code": r["budget_code"],
            "budget_line_id": str(r["budget_line_id"]),
            "county_code": r["county_code"],
            "proposed_by": str(r["proposed_by"]),
            "proposed_on": r["proposed_at"].date().isoformat(),
            "decided_on": r["decided_on"].isoformat() if r["decided_on"] else None,
        }
        if not grant.deidentified:
            item |= {"survivor_id": str(r["survivor_id"]), "case_number": r["case_number"]}
        shown.append(item)
    # A de-identified list names no survivor: its record names none either.
    await listed.filtered(grant, () if grant.deidentified else (r["survivor_id"] for r in rows))
    return answers.Grants.model_validate({"deidentified": grant.deidentified, "grants": shown})


@router.get("/finance", dependencies=[Depends(no_date_ranges)], response_model=answers.Finance)
async def finance(grant: FinanceRead, em: EmDep) -> answers.Finance:
    """KES approved and disbursed per calendar quarter and county, of survivors who consented to
    de-identified reporting: counts randomly rounded to multiples of 5, KES to thousands."""
    pool = em.store.pool
    chosen = await publisher(pool)
    return answers.Finance.model_validate(
        {
            "disclosure": programme.disclosure(chosen),
            "cells": programme.finance(await queries.finance(pool), chosen),
        }
    )
