"""Consumer throughput: Consumer.apply in batches and end to end through NATS, with a handler."""

from __future__ import annotations

import asyncio

import nats
from nats.errors import TimeoutError as NatsTimeout
from uponyaji_events.consumer import Consumer
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.natsconn import stream_name
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import PublicKeys, Signer, StaticKeys
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks

from bench.probe import Measurement, Probe
from bench.relay import relay_until
from bench.report import Check, Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import open_pool, preload, shares

BATCH = 256
TARGET = 3_000.0
SOURCE = "benchsource"

_SINK = """
CREATE TABLE bench_sink (
    event_id   uuid PRIMARY KEY,
    stream_id  text NOT NULL,
    version    integer NOT NULL,
    payload    jsonb NOT NULL
)
"""


async def handle(conn: Conn, event: Event) -> None:
    """The benchmark's handler: one INSERT per event into a local table."""
    await conn.execute(
        "INSERT INTO bench_sink (event_id, stream_id, version, payload) VALUES ($1, $2, $3, $4)",
        event.event_id,
        event.stream_id,
        event.version,
        event.payload,
    )


async def read_everything(store: EventStore) -> list[Event]:
    """Every sequenced event of a store, in position order."""
    events: list[Event] = []
    after = 0
    while page := await store.read_all(after, 1000):
        events += page
        after = page[-1].position or after
    return events


async def _raw_batches(conn: Conn, batches: list[list[Event]]) -> None:
    for batch in batches:
        async with conn.transaction():
            for event in batch:
                await handle(conn, event)


async def _apply_batches(consumer: Consumer, batches: list[list[Event]]) -> None:
    for batch in batches:
        result = await consumer.apply(batch)
        if result.gap or result.failed or result.applied != len(batch):
            raise RuntimeError(f"Consumer.apply did not apply a whole batch: {result}")


async def apply_turns(
    servers: Servers, events: list[Event], sizes: Sizes, probe: Probe, keys: PublicKeys
) -> tuple[Measurement, Measurement]:
    """The handler alone (its INSERTs, BATCH per transaction) and Consumer.apply take turns."""
    raw_pool = await open_pool(await servers.new_database("sink_raw"), 1)
    apply_pool = await open_pool(await servers.new_database("sink_apply"), 2)
    batches = [events[start : start + BATCH] for start in range(0, len(events), BATCH)]
    raw: list[Measurement] = []
    applied: list[Measurement] = []
    try:
        await raw_pool.execute(_SINK)
        await apply_pool.execute(_SINK)
        consumer = Consumer(
            apply_pool,
            name="bench",
            source=SOURCE,
            handler=handle,
            nats_url=servers.nats_url,
            keys=keys,
        )
        async with raw_pool.acquire() as conn:
            for start, stop in shares(len(batches), sizes.rounds):
                with probe.measure() as measured:
                    await _raw_batches(conn, batches[start:stop])
                raw.append(measured)
                with probe.measure() as measured:
                    await _apply_batches(consumer, batches[start:stop])
                applied.append(measured)
        if consumer.stats.applied_total != len(events):
            raise RuntimeError(f"applied {consumer.stats.applied_total} of {len(events)} events")
    finally:
        await raw_pool.close()
        await apply_pool.close()
    return Measurement.combined(raw), Measurement.combined(applied)


async def raw_fetch_ack(url: str, count: int, probe: Probe) -> Measurement:
    """nats-py pull fetch(BATCH) and ack of every message of the source's stream, no database."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(f"{SOURCE}.>", durable="raw", stream=stream_name(SOURCE))
        received = 0
        with probe.measure() as measured:
            while received < count:
                try:
                    msgs = await sub.fetch(BATCH, timeout=1.0)
                except NatsTimeout:
                    continue
                for msg in msgs:
                    await msg.ack()
                received += len(msgs)
        return measured
    finally:
        await nc.close()


async def end_to_end(servers: Servers, count: int, probe: Probe, keys: PublicKeys) -> Measurement:
    """Consumer.run() from an empty durable consumer until it has applied `count` events."""
    pool = await open_pool(await servers.new_database("sink_e2e"), 2)
    try:
        await pool.execute(_SINK)
        consumer = Consumer(
            pool,
            name="bench-e2e",
            source=SOURCE,
            handler=handle,
            nats_url=servers.nats_url,
            keys=keys,
        )
        with probe.measure() as measured:
            task = asyncio.create_task(consumer.run())
            try:
                while consumer.stats.position < count:
                    if task.done():
                        await task
                        raise RuntimeError("consumer stopped before applying everything")
                    await asyncio.sleep(0.005)
            finally:
                await stop_tasks([task])
        applied = int(await pool.fetchval("SELECT count(*) FROM bench_sink"))
        if applied != count:
            raise RuntimeError(f"the sink holds {applied} of {count} events")
        return measured
    finally:
        await pool.close()


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """Consumer.apply and Consumer.run over `consumer_events` events, beside the raw handler."""
    count = sizes.consumer_events
    results = Results()
    pool = await open_pool(await servers.new_database("source"), 4)
    try:
        signer = Signer.generate(SOURCE)
        keys = StaticKeys(signer.public_keys())
        store = EventStore(pool, signer=signer)
        await preload(store, count)
        events = await read_everything(store)
        if len(events) != count:
            raise RuntimeError(f"read {len(events)} of {count} preloaded events")
        raw_measured, apply_measured = await apply_turns(servers, events, sizes, probe, keys)
        raw = Figure(
            "consumer", f"raw handler INSERTs, {BATCH}/tx", count, raw_measured, reference=True
        )
        apply = Figure(
            "consumer",
            f"Consumer.apply, batches of {BATCH}",
            count,
            apply_measured,
            ceiling=raw.rate,
            ceiling_what="the handler's INSERTs alone",
        )
        await relay_until(OutboxRelay(store, service=SOURCE, nats_url=servers.nats_url), count)
        nats_raw = Figure(
            "consumer",
            f"raw NATS pull fetch({BATCH}) + ack, no DB",
            count,
            await raw_fetch_ack(servers.nats_url, count, probe),
            reference=True,
        )
        # Consumer.run fetches, applies, then acks: the two raw legs add up in series.
        serial = 1 / (1 / raw.rate + 1 / nats_raw.rate)
        e2e = Figure(
            "consumer",
            "Consumer.run via NATS, end to end",
            count,
            await end_to_end(servers, count, probe, keys),
            ceiling=serial,
            ceiling_what="raw INSERTs and raw fetch+ack, in series",
        )
        results.figures += [raw, apply, nats_raw, e2e]
        results.checks.append(
            Check("consumer: Consumer.apply events/s", apply.rate, TARGET, "events/s")
        )
        results.checks.append(Check("consumer: end to end events/s", e2e.rate, TARGET, "events/s"))
    finally:
        await pool.close()
    return results
