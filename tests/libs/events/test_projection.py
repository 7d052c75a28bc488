"""Projections: the rebuilt tables equal the live ones; live batches wait during a rebuild."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from support import ACTOR, append_many, running, service_name, signed_store
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event, NewEvent
from uponyaji_events.feed import StoreFeed
from uponyaji_events.projection import Projection, ProjectionRunner
from uponyaji_events.relay import OutboxRelay
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]

TABLES = """
CREATE TABLE case_summary (stream_id text PRIMARY KEY, events int NOT NULL, total bigint NOT NULL,
                           last_type text NOT NULL);
CREATE TABLE case_totals (singleton bool PRIMARY KEY, cases int NOT NULL, events int NOT NULL);
"""


async def summarise(conn: Conn, event: Event) -> None:
    created = await conn.fetchval(
        "INSERT INTO case_summary VALUES ($1, 1, $2, $3) ON CONFLICT (stream_id) DO UPDATE "
        "SET events = case_summary.events + 1, total = case_summary.total + $2, last_type = $3 "
        "RETURNING events = 1",
        event.stream_id,
        event.payload["n"],
        event.type,
    )
    await conn.execute(
        "INSERT INTO case_totals VALUES (true, $1, 1) ON CONFLICT (singleton) DO UPDATE "
        "SET cases = case_totals.cases + $1, events = case_totals.events + 1",
        int(created),
    )


async def snapshot(pool: asyncpg.Pool) -> tuple[list[tuple[object, ...]], ...]:
    summary = await pool.fetch("SELECT * FROM case_summary ORDER BY stream_id")
    totals = await pool.fetch("SELECT * FROM case_totals")
    return [tuple(r) for r in summary], [tuple(r) for r in totals]


async def test_rebuilt_projection_equals_the_live_one(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    source, target = await new_database(), await new_database()
    await target.execute(TABLES)
    service = service_name()
    store = signed_store(source, service)
    projection = Projection("case-summary", service, ("case_summary", "case_totals"), summarise)
    runner = ProjectionRunner(target, projection, feed=StoreFeed(store), nats_url=nats_server.url)
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)

    async with running(relay.run(), runner.run()):
        total = await append_many(store, streams=30, per_stream=10)
        await store.append("other", "other-1", 0, [NewEvent("src.Other", {"n": 5})], actor=ACTOR)

        async def live_done() -> bool:
            return await runner.consumer.position() == total + 1

        await wait_until(live_done, what="the live projection to catch up")
        live = await snapshot(target)

        rebuilt_count = await runner.rebuild(progress=False, page=64)
        rebuilt = await snapshot(target)

        # Live work continues after the rebuild, from where the rebuild stopped.
        await store.append("other", "other-1", 1, [NewEvent("src.Other", {"n": 7})], actor=ACTOR)

        async def live_again() -> bool:
            return await runner.consumer.position() == total + 2

        await wait_until(live_again, what="live updates after the rebuild")

    assert rebuilt_count == total + 1
    assert rebuilt == live
    assert live[1] == [(True, 31, total + 1)]
    other = await target.fetchrow("SELECT * FROM case_summary WHERE stream_id = 'other-1'")
    assert (other["events"], other["total"]) == (2, 12)
