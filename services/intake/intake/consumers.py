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
from functools import partial
from uuid import UUID

import asyncpg
import httpx
from uponyaji_access import ServiceTokens
from uponyaji_events import Consumer, HttpFeed
from uponyaji_events.contracts import kernel
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event

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

    async def public_keys(self) -> dict[str, bytes]:
        """The source's signing keys; raises when they cannot be read (events then wait)."""
        return await self.feed.public_keys()


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
        name: partial(on_key_destroyed, intake)
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
