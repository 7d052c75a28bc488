"""Relay throughput: OutboxRelay publishing a preloaded store, against raw JetStream publishes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import nats
from nats.js import JetStreamContext
from uponyaji_events.codec import encode_event
from uponyaji_events.envelope import Event
from uponyaji_events.natsconn import ensure_stream
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks

from bench.probe import Measurement, Probe
from bench.report import Check, Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import open_pool, preload, sequence_all, shares

IN_FLIGHT = 1000
TARGET = 5_000.0
RAW_SERVICE = "benchraw"


class CappedStore(EventStore):
    """The kernel's store with read_all held at `cap`, so that a running relay pauses there."""

    cap = 0

    async def read_all(self, after: int, limit: int = 1000) -> list[Event]:
        """As the kernel's, but never past `cap`."""
        if after >= self.cap:
            return []
        return await super().read_all(after, min(limit, self.cap - after))


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[asyncio.Task[None]]:
    """Run the relay as a task for the block, then cancel it."""
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        await stop_tasks([task])


async def _alive(task: asyncio.Task[None]) -> None:
    if task.done():
        await task  # raises what stopped it
        raise RuntimeError("the relay stopped")


async def wait_for_checkpoint(relay: OutboxRelay, task: asyncio.Task[None], position: int) -> None:
    """Wait until JetStream has acknowledged everything up to `position`."""
    while relay.stats.checkpoint < position:
        await _alive(task)
        await asyncio.sleep(0.002)


async def relay_until(relay: OutboxRelay, position: int) -> None:
    """Run the relay until it has published everything up to `position`, then stop it."""
    async with running(relay) as task:
        await wait_for_checkpoint(relay, task, position)


async def raw_publish(js: JetStreamContext, payload: bytes, count: int) -> None:
    """nats-py publish_async of `count` messages, IN_FLIGHT unacknowledged at most."""
    subject = f"{RAW_SERVICE}.case.NoteRecorded"
    ids = [str(uuid.uuid4()) for _ in range(count)]
    futures = [
        await js.publish_async(subject, payload, headers={"Nats-Msg-Id": msg_id}) for msg_id in ids
    ]
    await asyncio.gather(*futures)


async def take_turns(
    servers: Servers, store: CappedStore, sample: bytes, sizes: Sizes, probe: Probe
) -> tuple[list[Measurement], list[Measurement]]:
    """Relay and raw publishing take turns over the store's events; return both measurements."""
    count, store.cap = await store.head(), 0
    relay = OutboxRelay(store, service="benchrelay", nats_url=servers.nats_url)
    nc = await nats.connect(servers.nats_url)
    relayed: list[Measurement] = []
    raw: list[Measurement] = []
    try:
        js = nc.jetstream(publish_async_max_pending=IN_FLIGHT)
        await ensure_stream(js, RAW_SERVICE)
        async with running(relay) as task:
            while not relay.stats.connected:  # untimed: connect and create the stream
                await _alive(task)
                await asyncio.sleep(0.01)
            for start, stop in shares(count, sizes.rounds):
                with probe.measure() as measured:
                    await raw_publish(js, sample, stop - start)
                raw.append(measured)
                with probe.measure() as measured:
                    store.cap = stop
                    relay.wake()
                    await wait_for_checkpoint(relay, task, stop)
                relayed.append(measured)
    finally:
        await nc.close()
    return relayed, raw


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """Sequencing and relaying `relay_events` events, beside raw JetStream publishing."""
    count = sizes.relay_events
    results = Results()
    pool = await open_pool(await servers.new_database("relay"), 4)
    try:
        store = CappedStore(pool, signer=Signer.generate("benchrelay"))  # signs as it sequences
        await preload(store, count, sequence=False)
        with probe.measure() as measured:
            sequenced = await sequence_all(store)
        results.figures.append(
            Figure(
                "relay", "store.sequence() of committed events, signing each", sequenced, measured
            )
        )
        store.cap = count
        sample = encode_event((await store.read_all(0, 1))[0])
        relayed, raw = await take_turns(servers, store, sample, sizes, probe)
    finally:
        await pool.close()
    raw_figure = Figure(
        "relay",
        f"raw js.publish_async, {IN_FLIGHT:,} in flight, {len(sample)} B",
        count,
        Measurement.combined(raw),
        reference=True,
    )
    figure = Figure(
        "relay",
        "OutboxRelay to JetStream",
        count,
        Measurement.combined(relayed),
        ceiling=raw_figure.rate,
        ceiling_what="raw js.publish_async of same-sized messages",
    )
    results.figures += [raw_figure, figure]
    results.checks.append(Check("relay: events/s", figure.rate, TARGET, "events/s"))
    return results
