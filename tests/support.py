"""Helpers shared by the kernel's tests: a consumer's sink table, running tasks, appending."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.signing import Signer, StaticKeys
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks

ACTOR = Actor(id="staff-test-1", role="counsellor")

SINK_TABLE = """
CREATE TABLE IF NOT EXISTS sink (
    applied_seq bigserial PRIMARY KEY,
    position    bigint NOT NULL,
    event_id    uuid NOT NULL,
    stream_id   text NOT NULL,
    version     integer NOT NULL
)
"""


class Sink:
    """Records every applied event, so tests can count duplicates and check order."""

    def __init__(self, pool: asyncpg.Pool, fail_on: set[int] | None = None) -> None:
        self.pool = pool
        self.calls = 0
        self.fail_on = fail_on or set()
        self.batches: list[list[int]] = []

    async def create(self) -> None:
        await self.pool.execute(SINK_TABLE)

    async def handle(self, conn: Conn, event: Event) -> None:
        self.calls += 1
        if event.payload.get("n") in self.fail_on:
            raise RuntimeError(f"poison event {event.payload.get('n')}")
        await conn.execute(
            "INSERT INTO sink (position, event_id, stream_id, version) VALUES ($1, $2, $3, $4)",
            event.position,
            event.event_id,
            event.stream_id,
            event.version,
        )

    async def handle_batch(self, conn: Conn, events: Sequence[Event]) -> None:
        self.batches.append([int(e.position or 0) for e in events])
        for event in events:
            await self.handle(conn, event)

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM sink"))

    async def distinct_events(self) -> int:
        return int(await self.pool.fetchval("SELECT count(DISTINCT event_id) FROM sink"))

    async def per_stream_order_kept(self) -> bool:
        rows = await self.pool.fetch("SELECT stream_id, version FROM sink ORDER BY applied_seq")
        last: dict[str, int] = {}
        for row in rows:
            if row["version"] != last.get(row["stream_id"], 0) + 1:
                return False
            last[row["stream_id"]] = row["version"]
        return True


@contextlib.asynccontextmanager
async def running(*tasks: Awaitable[None]) -> AsyncIterator[None]:
    """Run coroutines as tasks for the duration of the block, then cancel them."""
    started = [asyncio.ensure_future(t) for t in tasks]
    try:
        yield
    finally:
        await stop_tasks(started)


async def append_many(store: EventStore, streams: int, per_stream: int, start: int = 0) -> int:
    """Append `per_stream` events to each of `streams` new streams; payload n counts from start."""
    ids = [f"case-{uuid.uuid4()}" for _ in range(streams)]
    n = start
    for version in range(per_stream):
        for sid in ids:
            await store.append(
                "case", sid, version, [NewEvent("src.Happened", {"n": n})], actor=ACTOR
            )
            n += 1
    return n


def service_name() -> str:
    """A unique service (and so JetStream stream) name for one test."""
    return f"svc{uuid.uuid4().hex[:10]}"


def signed_store(pool: asyncpg.Pool, service: str) -> EventStore:
    """A store whose sequencer signs as `service` with a fresh in-memory key."""
    return EventStore(pool, signer=Signer.generate(service))


def keys_of(store: EventStore) -> StaticKeys:
    """The public keys that verify a signed store's events."""
    assert store.signer is not None
    return StaticKeys(store.signer.public_keys())
