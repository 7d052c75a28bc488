"""Psychosocial's app: a declaration of its parts; the service factory assembles them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI
from uponyaji_events.consumer import Handler
from uponyaji_events.feed import FeedSource
from uponyaji_notify import IdentityRecipients, SmtpChannel
from uponyaji_service import Clock, Follow, Parts, Running, Service, feed_auth

from . import projections
from .api import router
from .caseload import LocalCaseload
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
    if settings.smtp_host is None:
        return None
    return SmtpChannel(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        starttls=settings.smtp_starttls,
    )


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


def follow_intake(running: Running[Settings, Psychosocial]) -> Handler:
    """Intake's events → survivors, caseload, consent, closure, merges and erasure."""
    return partial(on_intake_event, running.resources)


PSYCHOSOCIAL: Service[Settings, Psychosocial] = Service(
    name=SERVICE,
    title="Uponyaji psychosocial",
    description="Counselling sessions, standardised assessments, risk flags and care plans",
    build=build,
    routers=[router, workday, subject_access],
    migrations=MIGRATIONS,
    sealing=True,
    caseload=lambda parts: LocalCaseload(parts.pool),
    project=projections.apply_all,
    follows=[Follow("intake", handler=follow_intake)],
    background=lambda running: [safeguard(running)],
    rebuild=lambda running, on_page: projections.rebuild(running.parts.store, on_page=on_page),
)


def create_app(
    settings: Settings | None = None,
    *,
    feeds: Mapping[str, FeedSource] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Psychosocial's app; settings from `PSYCHOSOCIAL_*` (and `UPONYAJI_ENV`) unless given."""
    return PSYCHOSOCIAL.create_app(settings or Settings(), feeds=feeds, clock=clock)
