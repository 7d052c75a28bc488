"""One kernel `Consumer` per source service, their lag, and a rebuild of every table from zero.

The sources' `/feed` needs `feed.read`: reporting reads them with its own short-lived service
token from identity (`ServiceTokens`, from `REPORTING_SERVICE_CLIENT_SECRET_FILE`), or with an
operator's `REPORTING_FEED_TOKEN`. A feed that refuses or is away reads as empty (logged once a
minute; lag then shows `head: null`) and NATS stays the path. Tests give the consumers a
`StoreFeed` on the source's store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from uponyaji_access import ServiceTokens
from uponyaji_events import Consumer, HttpFeed
from uponyaji_events.consumer import lock_key
from uponyaji_events.contracts import default_upcasters
from uponyaji_events.envelope import Event
from uponyaji_events.feed import FeedSource, StoreFeed
from uponyaji_events.store import EventStore

from .projections import TABLES, facts_deferred, handler, refresh_all
from .settings import SERVICE, SOURCES, Settings

log = logging.getLogger("uponyaji.reporting.consumers")
REBUILD_PAGE = 5000  # events read from a feed and applied per transaction during a rebuild


class QuietFeed:
    """A feed that reads as empty (logging at most once a minute) when the source refuses."""

    def __init__(self, feed: HttpFeed, source: str) -> None:
        self.feed = feed
        self.source = source
        self._logged = 0.0
        self._head: tuple[float, int | None] = (-1.0, None)

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events after a position, or none if the feed cannot be read."""
        try:
            return await self.feed.read(after, limit)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            if time.monotonic() - self._logged > 60:
                self._logged = time.monotonic()
                log.warning("feed of %s unavailable (%s)", self.source, type(exc).__name__)
            return []

    async def head(self) -> int:
        """The source's head (cached for a second); raises when it cannot be read."""
        checked, head = self._head
        if time.monotonic() - checked > 1.0:
            try:
                head = await self.feed.head()
            except (httpx.HTTPError, ValueError, KeyError):
                head = None
            self._head = (time.monotonic(), head)
        if head is None:
            raise ValueError(f"the feed of {self.source} cannot be read")
        return head

    async def public_keys(self) -> dict[str, bytes]:
        """The source's signing keys; raises when they cannot be read (events then wait)."""
        return await self.feed.public_keys()


def _auth(
    settings: Settings, tokens: ServiceTokens | None, source: str
) -> Callable[[], Awaitable[dict[str, str]]] | None:
    """Headers for a source's feed: reporting's own service token, else an operator's token."""
    if tokens is not None:
        return tokens.auth(source)
    if settings.feed_token is None:
        return None
    token = settings.feed_token.get_secret_value()

    async def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return headers


def build(
    pool: asyncpg.Pool,
    settings: Settings,
    feeds: dict[str, FeedSource] | None = None,
    own: EventStore | None = None,
    tokens: ServiceTokens | None = None,
) -> list[Consumer]:
    """Consumers of intake, psychosocial and (given `own`) reporting's own audit records.

    `feeds` overrides the sources' HTTP feeds (tests); `tokens` authenticates reporting to them.
    """
    built = []
    if own is not None:
        feeds = {**(feeds or {}), SERVICE: StoreFeed(own)}
    for source in (*SOURCES, SERVICE) if own is not None else SOURCES:
        feed: FeedSource | None = (feeds or {}).get(source)
        url = settings.source_url(source)
        if feed is None and url:
            client = httpx.AsyncClient(base_url=url, timeout=5.0)
            feed = QuietFeed(HttpFeed(client, auth=_auth(settings, tokens, source)), source)
        built.append(
            Consumer(
                pool,
                name=SERVICE,
                source=source,
                batch_handler=handler(source, own),
                nats_url=settings.nats_url,
                feed=feed,
                upcasters=default_upcasters(),
            )
        )
    return built


async def lag(consumers: Sequence[Consumer]) -> dict[str, dict[str, Any]]:
    """How far behind each source we are: our position, the source's head, the difference."""
    out: dict[str, dict[str, Any]] = {}
    for consumer in consumers:
        position = await consumer.position()
        head: int | None = None
        if consumer.feed is not None:
            try:
                head = await consumer.feed.head()
            except (httpx.HTTPError, ValueError, KeyError, OSError):
                head = None
        behind = max(head - position, 0) if head is not None else None
        out[consumer.source] = {"position": position, "head": head, "behind": behind}
    return out


async def rebuild(
    pool: asyncpg.Pool, consumers: Sequence[Consumer], *, progress: bool = True
) -> int:
    """Empty reporting's tables and replay every source's feed from zero; live batches wait.

    Pages write journey entries only; each survivor's facts and the dashboard cells are then
    computed once from all their entries.

    Refuses (before touching anything) when a source has no feed or its feed cannot be read.
    """
    heads = {}
    for c in consumers:
        if c.feed is None:
            raise RuntimeError(f"cannot rebuild: no feed for {c.source}")
        heads[c.source] = await c.feed.head()
    async with pool.acquire() as conn:
        keys = sorted(lock_key(c.name, c.source) for c in consumers)
        for key in keys:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
        try:
            async with conn.transaction():
                await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
                for c in consumers:
                    for table in (
                        "consumer_positions",
                        "consumer_failures",
                        "dead_letters",
                        "consumer_stream_heads",
                    ):
                        await conn.execute(
                            f"DELETE FROM {table} WHERE consumer = $1 AND source = $2",  # noqa: S608
                            c.name,
                            c.source,
                        )
            total = 0
            with facts_deferred(), Progress(
                TextColumn("rebuild {task.description}"), BarColumn(), MofNCompleteColumn(),
                disable=not progress,
            ) as bar:  # fmt: skip
                for c in consumers:
                    task = bar.add_task(c.source, total=heads[c.source])

                    def advance(n: int, task: TaskID = task) -> None:
                        bar.advance(task, n)

                    total += await c.catch_up(page=REBUILD_PAGE, conn=conn, on_page=advance)
                facts = bar.add_task("facts", total=None)
                survivors = await refresh_all(conn)
                bar.update(facts, total=survivors, completed=survivors)
            return total
        finally:
            for key in reversed(keys):
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
