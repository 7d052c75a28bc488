"""The outbox relay and durable consumers against real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from support import Sink, append_many, keys_of, running, service_name, signed_store
from uponyaji_events.consumer import Consumer
from uponyaji_events.feed import StoreFeed
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
WaitUntil = Callable[..., Awaitable[None]]


async def test_every_event_reaches_the_consumer_once_in_stream_order(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target)
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
    )

    async with running(relay.run(), consumer.run()):
        await append_many(store, streams=20, per_stream=15)

        async def all_arrived() -> bool:
            return await sink.count() >= 300

        await wait_until(all_arrived, what="300 events at the consumer")
        await asyncio.sleep(0.3)  # let any stray duplicate arrive

    assert await sink.count() == 300
    assert await sink.distinct_events() == 300
    assert await sink.per_stream_order_kept()
    assert relay.stats.checkpoint == 300
    assert relay.stats.lag == 0


async def test_reapplying_the_same_events_changes_nothing(
    new_database: NewDatabase, nats_server: EmbeddedNats
) -> None:
    source, target = await new_database(), await new_database()
    store, sink = signed_store(source, "src"), Sink(target)
    await sink.create()
    await append_many(store, streams=3, per_stream=4)
    await store.sequence()
    events = await store.read_all(0)
    consumer = Consumer(
        target,
        name="sink",
        source="src",
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
    )

    first = await consumer.apply(events)
    second = await consumer.apply(events)
    third = await consumer.apply(events[3:7])

    assert (first.applied, second.applied, third.applied) == (12, 0, 0)
    assert await sink.count() == 12
    assert sink.calls == 12


async def test_a_gap_is_repaired_from_the_feed(
    new_database: NewDatabase, nats_server: EmbeddedNats
) -> None:
    source, target = await new_database(), await new_database()
    store, sink = signed_store(source, "src"), Sink(target)
    await sink.create()
    await append_many(store, streams=2, per_stream=5)
    await store.sequence()
    events = await store.read_all(0)
    consumer = Consumer(
        target,
        name="sink",
        source="src",
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
        feed=StoreFeed(store),
    )

    result = await consumer.apply([events[0], events[1], events[6]])  # 3..6 were lost
    assert result.gap
    assert result.position == 2
    repaired = await consumer.catch_up()

    assert repaired == 8
    assert await sink.count() == 10
    assert await sink.per_stream_order_kept()


async def test_a_poison_event_is_dead_lettered_and_the_rest_flow(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target, fail_on={7})
    await sink.create()
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)
    consumer = Consumer(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
        max_attempts=3,
        retry_delay=0.05,
    )

    async with running(relay.run(), consumer.run()):
        await append_many(store, streams=4, per_stream=5)

        async def rest_arrived() -> bool:
            return await sink.count() >= 19

        await wait_until(rest_arrived, what="the 19 healthy events")

    dead = await target.fetch("SELECT event_type, attempts, error, position FROM dead_letters")
    assert len(dead) == 1
    assert dead[0]["attempts"] == 3
    assert "poison event 7" in dead[0]["error"]
    assert await sink.count() == 19
    assert consumer.stats.dead_letters_total == 1


async def test_a_batch_handler_gets_contiguous_runs_once(
    new_database: NewDatabase, nats_server: EmbeddedNats
) -> None:
    source, target = await new_database(), await new_database()
    store, sink = signed_store(source, "src"), Sink(target)
    await sink.create()
    await append_many(store, streams=3, per_stream=4)
    await store.sequence()
    events = await store.read_all(0)
    consumer = Consumer(
        target,
        name="sink",
        source="src",
        batch_handler=sink.handle_batch,
        nats_url=nats_server.url,
        keys=keys_of(store),
        feed=StoreFeed(store),
    )

    first = await consumer.apply([events[1], events[0], events[2], events[0], events[5]])
    again = await consumer.apply(events[:3])
    repaired = await consumer.catch_up()

    assert (first.applied, first.gap, again.applied) == (3, True, 0)
    assert repaired == 9
    assert sink.batches == [[1, 2, 3], list(range(4, 13))]
    assert await sink.count() == 12
    assert await sink.per_stream_order_kept()


async def test_a_failing_batch_dead_letters_only_the_poison_event(
    new_database: NewDatabase, nats_server: EmbeddedNats
) -> None:
    source, target = await new_database(), await new_database()
    store, sink = signed_store(source, "src"), Sink(target, fail_on={3})
    await sink.create()
    await append_many(store, streams=2, per_stream=4)
    await store.sequence()
    consumer = Consumer(
        target,
        name="sink",
        source="src",
        batch_handler=sink.handle_batch,
        nats_url=nats_server.url,
        keys=keys_of(store),
        feed=StoreFeed(store),
        max_attempts=2,
        retry_delay=0.01,
    )

    await consumer.catch_up()

    dead = await target.fetch("SELECT attempts, error FROM dead_letters")
    assert [(d["attempts"], "poison event 3" in d["error"]) for d in dead] == [(2, True)]
    assert await sink.count() == 7
    assert await consumer.position() == 8


def test_a_consumer_needs_exactly_one_kind_of_handler(nats_server: EmbeddedNats) -> None:
    sink = Sink(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="either a handler or a batch handler"):
        Consumer(None, name="sink", source="src", nats_url=nats_server.url)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="either a handler or a batch handler"):
        Consumer(
            None,  # type: ignore[arg-type]
            name="sink",
            source="src",
            handler=sink.handle,
            batch_handler=sink.handle_batch,
            nats_url=nats_server.url,
        )


class CrashBeforeAck(Consumer):
    """A consumer process that dies after committing a batch but before acknowledging it."""

    crashed = False

    async def _acknowledge(  # type: ignore[override]
        self,
        events: list,
        position: int,
        *,
        hold: bool,  # type: ignore[type-arg]
    ) -> None:
        self.crashed = True
        raise asyncio.CancelledError  # the process is gone: nothing is acked


async def test_a_crash_between_apply_and_ack_changes_nothing_on_redelivery(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    source, target = await new_database(), await new_database()
    service = service_name()
    store, sink = signed_store(source, service), Sink(target)
    await sink.create()
    await append_many(store, streams=5, per_stream=4)
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url)
    crashing = CrashBeforeAck(
        target,
        name="sink",
        source=service,
        handler=sink.handle,
        nats_url=nats_server.url,
        keys=keys_of(store),
        ack_wait=1.0,
    )

    async with running(relay.run()):
        task = asyncio.ensure_future(crashing.run())
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)
        assert crashing.crashed
        applied_before = await sink.count()
        assert applied_before == 20
        calls_before = sink.calls

        restarted = Consumer(
            target,
            name="sink",
            source=service,
            handler=sink.handle,
            nats_url=nats_server.url,
            keys=keys_of(store),
            ack_wait=1.0,
        )
        async with running(restarted.run()):

            async def redelivered() -> bool:
                return restarted.stats.duplicates_total >= 20

            await wait_until(redelivered, what="redelivery of the unacknowledged batch")

    assert await sink.count() == 20
    assert sink.calls == calls_before  # the handler never ran again


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
async def test_the_relay_sequencing_returns_what_read_all_reads_and_writes_the_checkpoint(
    new_database: NewDatabase, signed: bool
) -> None:
    pool = await new_database()
    service = service_name()
    store = signed_store(pool, service) if signed else EventStore(pool)
    await append_many(store, streams=3, per_stream=4)

    first = await store.sequence_for_relay(1000, checkpoint=(service, 0))
    assert [e.position for e in first.events] == list(range(1, 13))
    assert first.events == await store.read_all(0, 1000)  # positions, signatures, payloads
    assert first.head == 12
    assert first.saved
    saved = "SELECT position FROM relay_checkpoints WHERE relay = $1"
    assert await pool.fetchval(saved, service) == 0

    # Nothing to number: no transaction, so the checkpoint is left for the relay to write.
    idle = await store.sequence_for_relay(1000, checkpoint=(service, 12))
    assert (idle.events, idle.head, idle.saved) == ([], 12, False)
    assert await pool.fetchval(saved, service) == 0

    await append_many(store, streams=1, per_stream=2, start=3)
    second = await store.sequence_for_relay(1000, check=False, checkpoint=(service, 12))
    assert [e.position for e in second.events] == [13, 14]
    assert second.events == await store.read_all(12, 1000)
    assert await pool.fetchval(saved, service) == 12
    assert await store.head() == 14


async def test_an_idle_relay_writes_its_checkpoint(
    new_database: NewDatabase, nats_server: EmbeddedNats, wait_until: WaitUntil
) -> None:
    pool = await new_database()
    service = service_name()
    store = signed_store(pool, service)
    relay = OutboxRelay(store, service=service, nats_url=nats_server.url, poll_interval=0.05)
    async with running(relay.run()):
        await append_many(store, streams=2, per_stream=3)

        async def written() -> bool:
            saved = "SELECT position FROM relay_checkpoints WHERE relay = $1"
            return await pool.fetchval(saved, service) == 6

        await wait_until(written, what="the checkpoint of all six events in the database")
    assert relay.stats.checkpoint == 6
