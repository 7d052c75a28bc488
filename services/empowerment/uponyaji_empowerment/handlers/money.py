"""Budget lines, grant proposals and decisions, disbursements.

An approval holds the survivor's row lock and then its budget line's row lock (always in that
order, so approvals cannot deadlock); the line's `committed` is read under the lock and raised by
the projection in the same transaction, so two approvals racing past the line cannot both commit.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..errors import DuplicateCode, InvalidCommand, NotFound
from ..schemas import BudgetLineBody, DecisionBody, DisbursementBody, GrantBody
from .base import Empowerment, survivor_tx

_LINE = (
    "SELECT budget_line_id, period_start, period_end, amount, committed FROM budget_lines "
    "WHERE budget_line_id = $1"
)


async def budget(conn: Conn, budget_line_id: UUID, *, lock: bool = False) -> domain.BudgetFacts:
    """A budget line's facts (row-locked for approvals); 404 if there is none."""
    row = await conn.fetchrow(_LINE + (" FOR UPDATE" if lock else ""), budget_line_id)
    if row is None:
        raise NotFound(f"budget_line_id: no budget line {budget_line_id}")
    return domain.BudgetFacts(
        row["budget_line_id"],
        row["period_start"],
        row["period_end"],
        Decimal(row["amount"]),
        Decimal(row["committed"]),
    )


async def open_budget_line(em: Empowerment, body: BudgetLineBody, actor: Actor) -> list[Event]:
    """Open a budget line (its code is unique)."""
    line_id = uuid4()
    command = domain.OpenBudgetLine(
        line_id, body.code, body.period_start, body.period_end, body.amount_kes
    )
    events = domain.decide_budget_line(command)
    try:
        async with em.unit_of_work() as uow:
            return await uow.append("budget_line", line_id, 0, events, actor=actor)
    except asyncpg.UniqueViolationError:
        raise DuplicateCode(f"code: a budget line {body.code} already exists") from None


async def propose_grant(
    em: Empowerment, survivor_id: UUID, body: GrantBody, actor: Actor, proposer: UUID
) -> list[Event]:
    """Propose a grant on a budget line (justification sealed)."""
    grant_id = uuid4()
    async with survivor_tx(em, survivor_id) as tx:
        line = await budget(tx.conn, body.budget_line_id)
        justification = await tx.seal(
            "empowerment.GrantProposed", "justification", body.justification, record=grant_id
        )
        command = domain.ProposeGrant(
            grant_id,
            survivor_id,
            body.purpose,
            body.amount_kes,
            line,
            proposer,
            justification,
            body.proposed_on or em.today(),
            em.today(),
        )
        return await tx.run(command, actor)


async def decide_grant(
    em: Empowerment,
    survivor_id: UUID,
    grant_id: UUID,
    body: DecisionBody,
    actor: Actor,
    decider: UUID,
) -> list[Event]:
    """Approve (within the budget line, under its lock) or decline a proposed grant."""
    approve = body.decision == "approve"
    async with survivor_tx(em, survivor_id) as tx:
        grant = tx.state.grants.get(grant_id)
        line = None
        if approve and grant is not None and grant.proposed_by != decider:
            line = await budget(tx.conn, grant.budget_line_id, lock=True)
        reason = await tx.seal("empowerment.GrantDeclined", "reason", body.reason, record=grant_id)
        if approve and reason is not None:
            raise InvalidCommand("reason: only a declined grant carries a reason")
        command = domain.DecideGrant(
            grant_id,
            survivor_id,
            approve,
            decider,
            line,
            reason,
            body.decided_on or em.today(),
            em.today(),
        )
        return await tx.run(command, actor)


async def disburse(
    em: Empowerment, survivor_id: UUID, grant_id: UUID, body: DisbursementBody, actor: Actor
) -> list[Event]:
    """Record a disbursement within the approved remainder; a reference is used once."""
    event = "empowerment.GrantDisbursed"
    paid = uuid4()  # the disbursement, which its reference and items are bound to
    async with survivor_tx(em, survivor_id) as tx:
        digest = None if body.reference is None else em.references.digest(body.reference)
        used = digest is not None and bool(
            await tx.conn.fetchval(
                "SELECT 1 FROM disbursements WHERE reference_digest = $1", digest
            )
        )
        command = domain.Disburse(
            disbursement_id=paid,
            grant_id=grant_id,
            survivor_id=survivor_id,
            amount_kes=body.amount_kes,
            channel=body.channel,
            reference=await tx.seal(event, "reference", body.reference, record=paid),
            reference_digest=digest,
            items=await tx.seal(event, "items", body.items, record=paid),
            disbursed_on=body.disbursed_on or em.today(),
            reference_used=used,
            today=em.today(),
        )
        return await tx.run(command, actor)
