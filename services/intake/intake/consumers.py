"""Events from other services: key-destruction confirmations (erasure saga) and identity's teams.

One kernel `Consumer` per source service. Sources come from the settings: every erasure
participant but intake, and identity when the launcher started it. Their feeds are read with a
service token from identity (`ServiceTokens`, from `INTAKE_SERVICE_CLIENT_SECRET_FILE`). A feed
that cannot be read (source or identity away, no credentials) reads as empty (NATS stays the
path; a gap then waits for redelivery) and says so in the log at most once a minute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from uuid import UUID

import asyncpg
import httpx
from uponyaji_access import ServiceTokens
from uponyaji_events import Consumer, HttpFeed
from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts import kernel
from uponyaji_events.contracts.vocabularies import ReferralStatus
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.errors import UponyajiError

from . import domain
from .domain import SurvivorState
from .handlers import Intake, Tx
from .handlers.erasure import complete_if_confirmed
from .projections import record_confirmation
from .settings import Settings

log = logging.getLogger("uponyaji.intake.consumers")
CONSUMER = "intake"


class QuietFeed:
    """A feed that reads as empty (logging rarely) when the source is unreachable or refuses."""

    def __init__(self, feed: HttpFeed, source: str) -> None:
        self.feed = feed
        self.source = source
        self._logged = 0.0

    async def _guard(self, read: Callable[[], Awaitable[list[Event]]]) -> list[Event]:
        try:
            return await read()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            if time.monotonic() - self._logged > 60:
                self._logged = time.monotonic()
                log.warning("feed of %s unavailable (%s)", self.source, type(exc).__name__)
            return []

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events after a position, or none if the feed cannot be read."""
        return await self._guard(partial(self.feed.read, after, limit))

    async def head(self) -> int:
        """The source's head, or 0 if the feed cannot be read."""
        try:
            return await self.feed.head()
        except (httpx.HTTPError, ValueError, KeyError):
            return 0


async def on_key_destroyed(intake: Intake, conn: Conn, event: Event) -> None:
    """Record another service's DataKeyDestroyed; complete the request if it was the last one."""
    service, _, name = event.type.partition(".")
    if name != "DataKeyDestroyed" or service == "intake":
        return
    payload = kernel.DataKeyDestroyed.model_validate(event.payload)
    await record_confirmation(conn, service, event.event_id, event.payload)
    # A confirmation needs no survivor's rules: the transaction carries an empty state.
    tx = Tx(intake, conn, SurvivorState(), intake.keys.bound(conn))
    await complete_if_confirmed(tx, payload.request_id)


ANSWERS = {"medical.ReferralAccepted": "accepted", "medical.ReferralDeclined": "declined"}
ANSWER_ACTOR = Actor.system("intake-referral-follow")


async def on_referral_answer(intake: Intake, conn: Conn, event: Event) -> None:
    """Make a referral's status follow the receiving service's answer (same transaction).

    An answer to an unknown referral, one already in that status, or one intake's rules refuse
    (cancelled meanwhile, survivor erased) is logged and skipped, never retried as poison.
    """
    status = ANSWERS.get(event.type)
    if status is None:
        return
    survivor_id = UUID(str(event.payload["survivor_id"]))
    referral_id = UUID(str(event.payload["referral_id"]))
    tx = Tx(intake, conn, SurvivorState(), intake.keys.bound(conn))
    tx = replace(tx, state=await tx.state_of(survivor_id))
    referral = domain.fold_referral(await tx.load(referral_id))
    if referral.referral_id is None or referral.status == status:
        return
    details = c.ReferralStatusChanged(
        referral_id=referral_id, survivor_id=survivor_id, status=ReferralStatus(status),
        note=None, source_event_id=event.event_id,
    )  # fmt: skip
    try:
        events = domain.decide_referral(referral, tx.state, domain.UpdateReferralStatus(details))
    except UponyajiError as refused:
        log.warning("referral answer not applied (%s)", type(refused).__name__)
        return
    await tx.record("referral", referral_id, referral.version, events, ANSWER_ACTOR)


async def on_participant_event(intake: Intake, conn: Conn, event: Event) -> None:
    """A participant service's event: key destructions, and answers to referrals."""
    await on_key_destroyed(intake, conn, event)
    await on_referral_answer(intake, conn, event)


async def on_identity_event(conn: Conn, event: Event) -> None:
    """Remember identity's teams (id and name), to resolve team names such as the demo teams."""
    if event.type == "identity.TeamCreated":
        await conn.execute(
            "INSERT INTO teams (team_id, name) VALUES ($1, $2) ON CONFLICT (team_id) "
            "DO UPDATE SET name = $2",
            UUID(event.payload["team_id"]),
            event.payload["name"],
        )


def build(
    intake: Intake, pool: asyncpg.Pool, settings: Settings, tokens: ServiceTokens | None = None
) -> list[Consumer]:
    """The consumers this process runs (none when no other service is known).

    `tokens` authenticates the feed reads (None: read without credentials, refused today).
    """
    sources: dict[str, Callable[[Conn, Event], Awaitable[None]]] = {
        name: partial(on_participant_event, intake)
        for name in settings.participants()
        if name != "intake"
    }
    if settings.peer_url("identity") is not None:
        sources["identity"] = on_identity_event
    consumers = []
    for source, handler in sorted(sources.items()):
        url = settings.peer_url(source)
        feed = None
        if url is not None:
            auth = tokens.auth(source) if tokens is not None else None
            client = httpx.AsyncClient(base_url=url, timeout=5.0)
            feed = QuietFeed(HttpFeed(client, auth=auth), source)
        consumer = Consumer(
            pool, name=CONSUMER, source=source, handler=handler, nats_url=settings.nats_url,
            feed=feed,
        )  # fmt: skip
        consumers.append(consumer)
    return consumers
