"""Projections: events to read tables, live through a consumer, rebuilt from zero on demand."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from uponyaji_events.consumer import Consumer, Handler, lock_key
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.feed import FeedSource
from uponyaji_events.migrate import release_lock
from uponyaji_events.store import EventStore

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Projection:
    """A pure mapping from one source's events to the rows of `tables`."""

    name: str
    source: str
    tables: Sequence[str]
    handler: Handler

    def __post_init__(self) -> None:
        for table in self.tables:
            if not _IDENTIFIER.match(table):
                raise ValueError(f"projection table name {table!r} is not a plain identifier")


class ProjectionRunner:
    """Runs a projection live (a Consumer) and rebuilds it from zero from the source's feed."""

    def __init__(
        self, pool: asyncpg.Pool, projection: Projection, *, feed: FeedSource, nats_url: str
    ) -> None:
        self.pool = pool
        self.projection = projection
        self.consumer = Consumer(
            pool,
            name=projection.name,
            source=projection.source,
            handler=projection.handler,
            nats_url=nats_url,
            feed=feed,
        )

    async def run(self) -> None:
        """Keep the projection current until cancelled."""
        await self.consumer.run()

    async def rebuild(self, *, progress: bool = True, page: int = 1000) -> int:
        """Empty the tables and replay every source event; live batches wait meanwhile."""
        name, source = self.projection.name, self.projection.source
        assert self.consumer.feed is not None
        async with self.pool.acquire() as conn:
            # The live consumer takes the same key per batch, so it pauses while we rebuild.
            await conn.execute("SELECT pg_advisory_lock($1)", lock_key(name, source))
            try:
                async with conn.transaction():
                    tables = ", ".join(self.projection.tables)
                    await conn.execute(f"TRUNCATE {tables}")
                    for table in (
                        "consumer_positions",
                        "consumer_failures",
                        "dead_letters",
                        "consumer_stream_heads",
                    ):
                        await conn.execute(
                            f"DELETE FROM {table} WHERE consumer = $1 AND source = $2",  # noqa: S608
                            name,
                            source,
                        )
                total = await self.consumer.feed.head()
                with Progress(
                    TextColumn(f"rebuild {name}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    disable=not progress,
                ) as bar:
                    task = bar.add_task(name, total=total)
                    return await self.consumer.catch_up(
                        page=page, conn=conn, on_page=lambda n: bar.advance(task, n)
                    )
            finally:
                await release_lock(conn, lock_key(name, source))


async def replay(
    store: EventStore,
    tables: Sequence[str],
    apply: Callable[[Conn, Sequence[Event]], Awaitable[None]],
    *,
    page: int = 1000,
    upcast: bool = False,
    on_page: Callable[[int], None] | None = None,
    reset: Callable[[Conn], Awaitable[None]] | None = None,
) -> int:
    """Rebuild a service's read tables from its own events: one transaction empties `tables`
    (and runs `reset`, for rows the events change but do not create) and applies every stored
    event, a page at a time in commit order; returns how many."""
    for table in tables:
        if not _IDENTIFIER.match(table):
            raise ValueError(f"read table name {table!r} is not a plain identifier")
    await store.sequence()
    replayed, after = 0, 0
    async with store.transaction() as conn:
        await conn.execute(f"TRUNCATE {', '.join(tables)}")
        if reset is not None:
            await reset(conn)
        while events := await store.read_all(after, page):
            if upcast:
                events = [store.upcasters.upcast(event) for event in events]
            await apply(conn, events)
            replayed += len(events)
            after = events[-1].position or after
            if on_page is not None:
                on_page(len(events))
    return replayed
