"""One contract, every feed source a consumer may be given: the store itself (`StoreFeed`), a
service's `GET /feed` over HTTP (`HttpFeed`), and the service factory's `QuietFeed` around it.

Consumers repair gaps and rebuild from whichever they are handed, so each must give the same
events (same positions, hashes and signatures), page the same way, and tell the same head, epoch
and signing keys as the store they read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support import append_many, signed_store
from uponyaji_events.feed import HttpFeed, StoreFeed, epoch_of, feed_router
from uponyaji_events.store import EventStore
from uponyaji_service.feeds import QuietFeed

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
KINDS = ("store", "http", "quiet")
STREAMS, PER_STREAM = 3, 4


@dataclass
class Source:
    """A signed store with events, and a feed of one kind reading it."""

    store: EventStore
    feed: Any


@pytest.fixture(params=KINDS)
async def source(
    request: pytest.FixtureRequest, new_database: NewDatabase
) -> AsyncIterator[Source]:
    """The same kind of store for every feed kind: 12 events on 3 streams, signed."""
    store = signed_store(await new_database(max_size=4), "feedsource")
    await append_many(store, STREAMS, PER_STREAM)
    await store.sequence()
    if request.param == "store":
        yield Source(store, StoreFeed(store))
        return
    app = FastAPI()
    app.include_router(feed_router(lambda: store))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://source") as client:
        http = HttpFeed(client)
        yield Source(store, http if request.param == "http" else QuietFeed(http, "feedsource"))


async def test_a_page_is_the_store_s_events_in_position_order(source: Source) -> None:
    stored = await source.store.read_all(0, 1000)
    assert len(stored) == STREAMS * PER_STREAM
    page = await source.feed.read(0, 1000)
    assert list(page) == stored  # every field: envelope, payload, hash chain, signature
    assert epoch_of(page) == await source.store.epoch()


async def test_pages_follow_after_and_limit_with_nothing_lost_or_repeated(source: Source) -> None:
    head = await source.feed.head()
    assert head == await source.store.head()
    seen: list[int] = []
    after = 0
    while page := await source.feed.read(after, 5):
        assert len(page) <= 5
        assert all(e.position is not None and e.position > after for e in page)
        seen.extend(e.position or 0 for e in page)
        after = page[-1].position or after
    assert seen == sorted(set(seen))
    assert len(seen) == STREAMS * PER_STREAM
    assert seen[-1] == head
    assert await source.feed.read(head, 5) == []


async def test_the_keys_are_the_store_s_signing_keys(source: Source) -> None:
    assert source.store.signer is not None
    assert await source.feed.public_keys() == source.store.signer.public_keys()
