"""A source store restored from a backup: its consumers notice the new store identity (epoch).

The backup is a real `pg_dump` of the source database, restored with `psql` into a new database;
the restored store then hands out positions its consumer already applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
from support import Sink, append_many, keys_of, running, service_name
from uponyaji_events.consumer import Consumer
from uponyaji_events.db import create_pool
from uponyaji_events.feed import StoreFeed
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres, _bin_dir

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]


def _tool(postgres: EmbeddedPostgres, *args: str) -> None:
    env = {**os.environ, "PGPASSWORD": postgres.superuser_password()}
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=120)


async def _database_of(pool: asyncpg.Pool) -> str:
    return str(await pool.fetchval("SELECT current_database()"))


@contextlib.asynccontextmanager
async def restored(postgres: EmbeddedPostgres, backup: Path) -> AsyncIterator[asyncpg.Pool]:
    """A new database restored from a plain `pg_dump` backup (as after losing the server)."""
    name = f"restored_{uuid.uuid4().hex[:12]}"
    postgres.psql(f'CREATE DATABASE "{name}"')
    psql = str(_bin_dir() / "psql")
    _tool(
        postgres,
        psql,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        postgres.plain_url(name),
        "-f",
        str(backup),
    )
    pool = await create_pool(postgres.url(name), min_size=1, max_size=5)
    try:
        yield pool
    finally:
        await pool.close()


async def back_up(postgres: EmbeddedPostgres, pool: asyncpg.Pool, path: Path) -> Path:
    """A plain `pg_dump` of the pool's database."""
    database = await _database_of(pool)
    dump = str(_bin_dir() / "pg_dump")
    _tool(postgres, dump, "--no-owner", "-f", str(path), postgres.plain_url(database))
    return path


def _consumer(target: asyncpg.Pool, store: EventStore, sink: Sink) -> Consumer:
    """A consumer that reads the source's feed only (no NATS in these tests)."""
    return Consumer(
        target,
        name="sink",
        source="src",
        handler=sink.handle,
        nats_url="nats://127.0.0.1:1",
        feed=StoreFeed(store),
        keys=keys_of(store),
    )


async def _source_and_sink(
    new_database: NewDatabase, service: str
) -> tuple[asyncpg.Pool, asyncpg.Pool, Signer, EventStore, Sink]:
    """A signed source store and a consumer's database with its sink table."""
    source, target = await new_database(), await new_database()
    signer = Signer.generate(service)
    sink = Sink(target)
    await sink.create()
    return source, target, signer, EventStore(source, signer=signer), sink


async def _alarms(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT position, path, reason FROM integrity_alarms ORDER BY id")


async def test_a_store_restored_from_an_older_backup_stops_its_consumer_with_an_alarm(
    new_database: NewDatabase, postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    source, target, signer, store, sink = await _source_and_sink(new_database, "src")
    await append_many(store, streams=2, per_stream=2)  # positions 1-4
    await store.sequence()
    backup = await back_up(postgres, source, tmp_path / "src.sql")
    await append_many(store, streams=1, per_stream=3)  # positions 5-7: lost with the server
    assert await _consumer(target, store, sink).catch_up() == 7

    async with restored(postgres, backup) as pool:
        again = EventStore(pool, signer=signer)  # same service, same signing key, restored data
        await append_many(again, streams=1, per_stream=4, start=100)  # positions 5-8, new events
        await again.sequence()
        assert await again.head() == 8
        assert await again.epoch() != await store.epoch()

        consumer = _consumer(target, again, sink)
        applied = await consumer.catch_up()

        # Nothing of the restored store was applied, not even position 8 beyond ours.
        assert applied == 0
        assert await sink.count() == 7
        assert await consumer.position() == 7
        alarms = await _alarms(target)
        assert len(alarms) == 1
        assert alarms[0]["path"] == "feed"
        assert alarms[0]["position"] == 8
        assert "changed identity" in alarms[0]["reason"]
        assert "its event at position 7 is not the one applied here" in alarms[0]["reason"]
        assert consumer.stats.integrity_alarms_total == 1
        assert await consumer.catch_up() == 0  # still stopped

        # Accepting the new identity alone does not let a stream through whose earlier events
        # (positions 5-7 of the restored store) this consumer never saw: the chain check holds.
        await consumer.accept_epoch(await again.epoch())
        assert await consumer.catch_up() == 0
        # The operator's way out: rebuild the consumer's tables from zero (as a rebuild does,
        # which forgets the position, stream heads and epoch); the restored store is then
        # followed as it is.
        await target.execute("DELETE FROM consumer_positions WHERE consumer = 'sink'")
        await target.execute("DELETE FROM consumer_stream_heads WHERE consumer = 'sink'")
        await target.execute("TRUNCATE sink")
        rebuilt = _consumer(target, again, sink)
        assert await rebuilt.catch_up() == 8
        assert rebuilt.stats.integrity_alarms_total == 0


async def test_a_restored_store_that_holds_everything_applied_is_followed_without_alarm(
    new_database: NewDatabase, postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    source, target, signer, store, sink = await _source_and_sink(new_database, "src")
    await append_many(store, streams=2, per_stream=2)  # positions 1-4
    assert await _consumer(target, store, sink).catch_up() == 4
    await append_many(store, streams=1, per_stream=2)  # 5-6, not applied yet
    await store.sequence()
    backup = await back_up(postgres, source, tmp_path / "src.sql")

    async with restored(postgres, backup) as pool:  # e.g. moved to a new server
        again = EventStore(pool, signer=signer)
        await append_many(again, streams=1, per_stream=1, start=100)  # position 7
        consumer = _consumer(target, again, sink)
        assert await consumer.catch_up() == 3
        epoch = await again.epoch()

    assert await sink.count() == 7
    assert await _alarms(target) == []
    stored = await target.fetchval("SELECT source_epoch FROM consumer_positions")
    assert str(stored) == epoch


async def test_events_published_by_a_restored_store_are_refused_on_the_nats_path(
    new_database: NewDatabase,
    postgres: EmbeddedPostgres,
    nats_server: EmbeddedNats,
    tmp_path: Path,
    wait_until: WaitUntil,
) -> None:
    service = service_name()
    source, target, signer, store, sink = await _source_and_sink(new_database, service)
    await append_many(store, streams=1, per_stream=2)  # positions 1-2
    await store.sequence()
    backup = await back_up(postgres, source, tmp_path / "src.sql")
    await append_many(store, streams=1, per_stream=2)  # 3-4: lost with the server
    first = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=nats_server.url,
        feed=StoreFeed(store),
        keys=keys_of(store),
    )
    assert await first.catch_up() == 4

    async with restored(postgres, backup) as pool:
        again = EventStore(pool, signer=signer)
        relay = OutboxRelay(again, service=service, nats_url=nats_server.url)
        consumer = Consumer(
            target,
            name="sink",
            source=service,
            handler=sink.handle,
            nats_url=nats_server.url,
            feed=StoreFeed(again),
            keys=keys_of(again),
            idle_check=60.0,
        )
        async with running(relay.run(), consumer.run()):
            await append_many(again, streams=1, per_stream=3, start=100)  # positions 3-5

            async def alarmed() -> bool:
                return consumer.stats.integrity_alarms_total > 0

            await wait_until(alarmed, what="an alarm about the restored store")
            await asyncio.sleep(0.5)  # redeliveries must not slip through either

    assert await sink.count() == 4
    assert await consumer.position() == 4
    reasons = [r["reason"] for r in await _alarms(target)]
    assert reasons
    assert all("changed identity" in r for r in reasons)
