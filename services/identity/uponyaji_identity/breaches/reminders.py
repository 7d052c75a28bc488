"""Breach reminders delivered: queued as they fall due and e-mailed to the data protection
officers (their work addresses from identity's own accounts; the role mailbox only when none has
one). The text names the breach's reference and links to it; never a survivor or the summary."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
from uponyaji_notify import Channel, SmtpChannel, deliver_pending
from uponyaji_service import Running

from .. import queries
from ..context import Identity
from ..settings import Settings
from . import register

log = logging.getLogger("uponyaji.identity.breaches")


class OwnDirectory:
    """Staff addresses read from identity's own accounts (a `Recipients` without HTTP)."""

    def __init__(self, ctx: Identity) -> None:
        self.ctx = ctx

    async def addresses(
        self, staff: Sequence[UUID], role: str | None, team: str | None
    ) -> list[str]:
        """Active staff named, and those holding `role` (on `team`), that have an address."""
        found = await queries.addresses(
            self.ctx,
            staff_ids=list(staff),
            role=role,
            team=None if team is None else UUID(team),
        )
        return [a.email for a in found]


def channel(settings: Settings) -> SmtpChannel | None:
    """The e-mail channel, when an SMTP relay is configured."""
    return settings.smtp_channel()


async def remind(ctx: Identity, now: datetime, smtp: Channel | None) -> int:
    """Queue the reminders now due and, with a channel, e-mail every one not yet delivered;
    return how many were delivered."""
    await register.queue_reminders(ctx.pool, now)
    if smtp is None:
        return 0
    settings = ctx.settings
    return await deliver_pending(
        ctx.pool,
        smtp,
        settings.notify_addresses,
        now,
        link_base=settings.link_base,
        recipients=OwnDirectory(ctx),
    )


async def run(running: Running[Settings, Identity]) -> None:
    """Every `reminder_check_seconds`: queue due reminders and deliver them (a failed round is
    retried at the next; an undelivered reminder is retried up to the outbox's limit)."""
    ctx, clock = running.resources, running.parts.clock
    smtp = channel(ctx.settings)
    while True:
        try:
            sent = await remind(ctx, clock(), smtp)
            if sent:
                log.info("%d breach reminder(s) e-mailed", sent)
        except (OSError, asyncpg.PostgresError):
            log.warning("breach reminder round failed; retried next round", exc_info=True)
        await asyncio.sleep(ctx.settings.reminder_check_seconds)
