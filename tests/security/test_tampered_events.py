"""An event changed in its source database is refused by consumers, on NATS and from the feed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from support import Sink, append_many, keys_of, running, service_name, signed_store
from uponyaji_events.consumer import Consumer
from uponyaji_events.feed import StoreFeed
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]
TAMPERED = 6  # the position whose payload gets one byte changed


async def _tampered_source(new_database: NewDatabase, service: str) -> EventStore:
    """Ten signed, sequenced events; then one payload byte flipped by a superuser."""
    store = signed_store(await new_database(), service)
    await append_many(store, streams=2, per_stream=5)
    await store.sequence()
    async with store.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # past the trigger
        await conn.execute(
            "UPDATE events SET payload = jsonb_set(payload, '{n}', to_jsonb((payload->>'n')::int"
            " # 1)) WHERE position = $1",
            TAMPERED,
        )
    return store


async def _alarms(pool: asyncpg.Pool) -> list[tuple[int, str, str]]:
    rows = await pool.fetch("SELECT position, path, reason FROM integrity_alarms ORDER BY id")
    return [(r["position"], r["path"], r["reason"]) for r in rows]


async def test_a_tampered_event_is_refused_on_the_feed_path(new_database: NewDatabase) -> None:
    service = service_name()
    store = await _tampered_source(new_database, service)
    target = await new_database()
    sink = Sink(target)
    await sink.create()
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url="nats://unused",
        feed=StoreFeed(store),
    )

    applied = await consumer.catch_up()
    again = await consumer.catch_up()  # it stays held; the alarm is not repeated

    assert (applied, again) == (TAMPERED - 1, 0)
    assert await consumer.position() == TAMPERED - 1
    assert await sink.count() == TAMPERED - 1
    assert await _alarms(target) == [(TAMPERED, "feed", "content does not match its hash")]
    assert consumer.stats.integrity_alarms_total >= 1


async def test_a_tampered_event_is_refused_on_the_nats_path(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    service = service_name()
    store = await _tampered_source(new_database, service)
    target = await new_database()
    sink = Sink(target)
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
        idle_check=0.2,
    )

    async with running(relay.run(), consumer.run()):

        async def refused() -> bool:
            return bool(await _alarms(target))

        await wait_until(refused, 30, "the consumer to refuse the tampered event")
        await wait_until(lambda: _at(relay.stats.checkpoint == 10), 30, "all ten published")

        async def before_it() -> bool:
            return await consumer.position() == TAMPERED - 1

        await wait_until(before_it, 30, "the events before the tampered one to apply")
        await asyncio.sleep(0.5)  # time enough to (wrongly) go past it

    assert await _alarms(target) == [(TAMPERED, "nats", "content does not match its hash")]
    assert await consumer.position() == TAMPERED - 1  # held before it, nothing after applied
    assert await sink.count() == TAMPERED - 1


async def _at(value: bool) -> bool:
    return value
