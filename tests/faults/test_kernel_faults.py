"""Killed processes and a NATS outage: nothing is lost and nothing is applied twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from support import Sink, append_many, keys_of, running, service_name, signed_store
from uponyaji_events.consumer import Consumer
from uponyaji_events.db import create_pool
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer, StaticKeys, ensure_signing_key
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]

pytestmark = pytest.mark.slow


async def test_events_appended_while_nats_is_down_arrive_once_after_it_starts(
    new_database: NewDatabase, own_nats: EmbeddedNats, wait_until: WaitUntil
) -> None:
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target)
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=own_nats.url)
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=own_nats.url,
        keys=keys_of(store),
    )

    async with running(relay.run(), consumer.run()):
        await append_many(store, streams=10, per_stream=2)

        async def first_arrived() -> bool:
            return await sink.count() == 20

        await wait_until(first_arrived, what="the events from before the outage")
        own_nats.stop()

        await append_many(store, streams=100, per_stream=10, start=20)  # 1,000 while NATS is down
        await asyncio.sleep(1.0)
        assert await sink.count() == 20  # nothing could reach the consumer
        assert relay.stats.lag >= 1000 - relay.batch_size  # the relay saw them and waits

        own_nats.start()

        async def all_arrived() -> bool:
            return await sink.count() >= 1020

        await wait_until(all_arrived, seconds=60, what="1,000 events after NATS came back")
        await asyncio.sleep(0.5)

    assert await sink.count() == 1020
    assert await sink.distinct_events() == 1020
    assert await sink.per_stream_order_kept()


async def test_a_relay_killed_mid_batch_loses_nothing_after_restart(
    new_database_url: Callable[[], str],
    own_nats: EmbeddedNats,
    wait_until: WaitUntil,
    tmp_path: Path,
) -> None:
    source_url = new_database_url()
    source, target = await create_pool(source_url), await create_pool(new_database_url())
    try:
        service, key_dir = service_name(), tmp_path / "signing"
        ensure_signing_key(key_dir)
        store, sink = EventStore(source), Sink(target)  # appends; the relay process signs
        await sink.create()
        total = await append_many(store, streams=200, per_stream=20)  # 4,000 events
        script = str(Path(__file__).with_name("relay_process.py"))

        def start_relay() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, script, source_url, service, own_nats.url, str(key_dir)],
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )

        relay = start_relay()

        async def mid_batch() -> bool:
            checkpoint = await source.fetchval("SELECT position FROM relay_checkpoints")
            return checkpoint is not None and checkpoint >= 500

        await wait_until(mid_batch, what="the relay to be part-way through")
        os.kill(relay.pid, signal.SIGKILL)
        relay.wait(10)
        killed_at = int(await source.fetchval("SELECT position FROM relay_checkpoints"))
        assert killed_at < total  # it really died part-way

        relay = start_relay()
        consumer = Consumer(
            target,
            name="sink",
            source=service,
            handler=sink.handle,
            nats_url=own_nats.url,
            keys=StaticKeys(Signer.load(key_dir, service).public_keys()),
        )
        try:
            async with running(consumer.run()):

                async def all_arrived() -> bool:
                    return await sink.count() >= total

                await wait_until(all_arrived, seconds=90, what="every event after the restart")
                await asyncio.sleep(0.5)
        finally:
            relay.kill()
            relay.wait(10)

        assert await sink.count() == total
        assert await sink.distinct_events() == total
        assert await sink.per_stream_order_kept()
    finally:
        await source.close()
        await target.close()


async def test_a_consumer_without_feed_keeps_receiving_after_nats_is_killed_and_restarted(
    new_database: NewDatabase, own_nats: EmbeddedNats, wait_until: WaitUntil
) -> None:
    """nats-py pull subscriptions are known to stall after a server restart: ours must not."""
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target)
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=own_nats.url)
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=own_nats.url,
        keys=keys_of(store),
    )  # no feed: only NATS can deliver

    async with running(relay.run(), consumer.run()):
        await append_many(store, streams=5, per_stream=2)

        async def before() -> bool:
            return await sink.count() == 10

        await wait_until(before, what="events before the restart")
        own_nats.kill()
        own_nats.start()
        await append_many(store, streams=5, per_stream=2, start=10)

        async def after() -> bool:
            return await sink.count() == 20

        await wait_until(after, seconds=45, what="events after NATS was killed and restarted")

    assert await sink.distinct_events() == 20
