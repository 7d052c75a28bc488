"""Psychosocial's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
from uponyaji_notify import IdentityRecipients, SmtpChannel
from uponyaji_service import Parts, Running, Service, feed_auth
from uponyaji_service.stage import stage

from . import projections
from .api import router
from .consumers import on_intake_event
from .domain import EscalationPolicy
from .handlers import Psychosocial
from .handlers.escalation import deliver, escalate_due
from .instruments import Instruments
from .settings import SERVICE, Settings
from .subject_access import router as subject_access
from .workday import router as workday

MIGRATIONS = Path(__file__).parent / "migrations"
LOG = logging.getLogger(__name__)


def build(parts: Parts[Settings]) -> Psychosocial:
    """The command side: the store, the sealing keys and the instrument table."""
    table = Instruments(parts.settings.pcl5_cutoff)
    return Psychosocial(parts.store, parts.require_keys(), table, parts.clock)


def escalation_policy(settings: Settings) -> EscalationPolicy:
    """The escalation times from the settings."""
    return EscalationPolicy(
        first=timedelta(hours=settings.escalate_after_hours),
        second=timedelta(hours=settings.second_escalation_after_hours),
    )


def channel(settings: Settings) -> SmtpChannel | None:
    """The e-mail channel, when an SMTP relay is configured."""
    return settings.smtp_channel()


def recipients(running: Running[Settings, Psychosocial]) -> IdentityRecipients | None:
    """People's addresses from identity's directory, when identity is configured."""
    url = running.parts.settings.service_url("identity")
    auth = feed_auth("identity", running.tokens)
    if url is None or auth is None:
        return None
    return IdentityRecipients(httpx.AsyncClient(base_url=url, timeout=5.0), auth)


async def safeguard(running: Running[Settings, Psychosocial]) -> None:
    """Escalate unanswered risk flags and deliver notifications, every few seconds."""
    settings, ps = running.parts.settings, running.resources
    policy, smtp = escalation_policy(settings), channel(settings)
    people = recipients(running) if smtp is not None else None
    try:
        while True:
            try:
                await escalate_due(ps, policy)
                if smtp is not None:
                    await deliver(
                        ps.store.pool,
                        ps,
                        smtp,
                        settings.notify_addresses,
                        settings.link_base,
                        people,
                    )
            except (OSError, asyncpg.PostgresError):
                LOG.warning("safeguarding round failed; retried next round", exc_info=True)
            await asyncio.sleep(settings.escalation_check_seconds)
    finally:
        if people is not None:
            await people.aclose()


PSYCHOSOCIAL: Service[Settings, Psychosocial] = stage(
    SERVICE,
    "Counselling sessions, standardised assessments, risk flags and care plans",
    settings=Settings,
    build=build,
    routers=[router, workday, subject_access],
    migrations=MIGRATIONS,
    read_model=projections.READ_MODEL,
    on_intake=on_intake_event,  # survivors, caseload, consent, closure, merges and erasure
    background=lambda running: [safeguard(running)],
)
# The app; settings from `PSYCHOSOCIAL_*` (and `UPONYAJI_ENV`) unless given.
create_app = PSYCHOSOCIAL.create_app
