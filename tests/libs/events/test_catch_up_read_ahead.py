"""A catch-up reads, re-hashes and prepares a bounded number of pages ahead of the one it
applies, and a feed failing ahead of it stops it with that failure after the pages before."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import pytest
from support import ACTOR, Sink, service_name, signed_store
from uponyaji_events.consumer import READ_AHEAD, Consumer
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event, NewEvent
from uponyaji_events.feed import StoreFeed
from uponyaji_events.store import EventStore

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
EVENTS = 600
PAGE = 50  # 12 pages: many more than are ever read ahead


class RecordingFeed:
    """A store's feed that records where each read starts, and fails from `fail_from` on."""

    def __init__(self, store: EventStore, fail_from: int | None = None) -> None:
        self.inner = StoreFeed(store)
        self.reads: list[int] = []
        self.fail_from = fail_from

    async def read(self, after: int, limit: int) -> list[Event]:
        """The inner feed's page (or the failure of a feed gone away)."""
        self.reads.append(after)
        if self.fail_from is not None and after >= self.fail_from:
            raise ConnectionError("the feed went away")
        return await self.inner.read(after, limit)

    async def head(self) -> int:
        """The inner feed's head."""
        return await self.inner.head()

    async def public_keys(self) -> dict[str, bytes]:
        """The inner feed's keys."""
        return await self.inner.public_keys()


async def _source(new_database: NewDatabase) -> EventStore:
    store = signed_store(await new_database(), service_name())
    for s in range(6):
        events = [NewEvent("src.Happened", {"n": s * 100 + i}) for i in range(EVENTS // 6)]
        await store.append("case", f"case-{uuid.uuid4()}", 0, events, actor=ACTOR)
    while await store.sequence():
        pass
    return store


def _consumer(
    sink: Sink, store: EventStore, feed: RecordingFeed, handler: Callable[..., Awaitable[None]]
) -> Consumer:
    assert store.signer is not None
    return Consumer(
        sink.pool,
        name="sink",
        source=store.signer.service,
        batch_handler=handler,
        nats_url="nats://unused",
        feed=feed,
    )


async def test_pages_read_ahead_are_bounded_while_a_page_is_written(
    new_database: NewDatabase,
) -> None:
    store = await _source(new_database)
    feed = RecordingFeed(store)
    sink = Sink(await new_database())
    await sink.create()
    writing, release = asyncio.Event(), asyncio.Event()

    async def slow_first_page(conn: Conn, events: Sequence[Event]) -> None:
        if not release.is_set():
            writing.set()
            await release.wait()
        await sink.handle_batch(conn, events)

    consumer = _consumer(sink, store, feed, slow_first_page)
    running = asyncio.ensure_future(consumer.catch_up(page=PAGE))
    try:
        await asyncio.wait_for(writing.wait(), 60)
        # The first page's write waits: the reader goes on as far as it may, and no further.
        for _ in range(600):
            if len(feed.reads) >= READ_AHEAD + 1:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        read_while_writing = len(feed.reads)
    finally:
        release.set()

    assert await asyncio.wait_for(running, 120) == EVENTS
    assert read_while_writing == READ_AHEAD + 1  # the page being written and READ_AHEAD after it
    assert await sink.count() == EVENTS
    assert await consumer.position() == EVENTS


async def test_a_feed_failing_ahead_stops_the_catch_up_after_the_pages_before_it(
    new_database: NewDatabase,
) -> None:
    store = await _source(new_database)
    feed = RecordingFeed(store, fail_from=3 * PAGE)
    sink = Sink(await new_database())
    await sink.create()
    consumer = _consumer(sink, store, feed, sink.handle_batch)

    with pytest.raises(ConnectionError, match="went away"):
        await asyncio.wait_for(consumer.catch_up(page=PAGE), 60)

    assert await consumer.position() == 3 * PAGE  # every page read before the failure applied
    assert await sink.count() == 3 * PAGE
