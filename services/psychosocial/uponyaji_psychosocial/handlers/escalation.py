"""Escalating unanswered risk flags, and delivering the notifications they cause.

Both run on the service's clock (injectable: tests drive a fake one). Each flag is escalated in
its survivor's transaction, so an escalation and a safety response never cross: whichever takes
the survivor's lock first decides, the other sees its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import asyncpg
from uponyaji_events.envelope import Actor
from uponyaji_notify import Channel, Recipients, deliver_pending

from .. import domain
from ..errors import PsychosocialError
from .base import Psychosocial, survivor_tx

ESCALATOR = Actor.system("psychosocial.escalation")


async def escalate_due(ps: Psychosocial, policy: domain.EscalationPolicy) -> int:
    """Record every escalation now due on open flags; return how many were recorded."""
    now = ps.clock()
    rows = await ps.store.pool.fetch(
        "SELECT flag_id, survivor_id FROM risk_flags WHERE status = 'open' "
        "AND escalation_level < 2 AND raised_at <= $1 ORDER BY raised_at",
        now - policy.first,
    )
    recorded = 0
    for row in rows:
        flag_id, survivor_id = UUID(str(row["flag_id"])), UUID(str(row["survivor_id"]))
        try:
            async with survivor_tx(ps, survivor_id, safety=True) as tx:
                flag = tx.state.flags.get(flag_id)
                if flag is None:
                    continue
                events = domain.escalate(flag_id, survivor_id, flag, now, policy)
                if events:
                    recorded += len(await tx.record(events, ESCALATOR))
        except PsychosocialError:
            continue  # erased or merged since: nothing more is recorded about them
    return recorded


async def deliver(
    pool: asyncpg.Pool,
    ps: Psychosocial,
    channel: Channel,
    addresses: Mapping[str, str],
    link_base: str,
    recipients: Recipients | None = None,
) -> int:
    """Hand pending notifications to the channel (e-mail): to people where identity knows their
    address, else to the role mailboxes in `addresses`; return how many went out."""
    return await deliver_pending(
        pool, channel, addresses, ps.clock(), link_base=link_base, recipients=recipients
    )
