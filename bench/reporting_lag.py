"""Lag from an append in intake's store to the entry in reporting's journey table, via NATS."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from uuid import UUID

import asyncpg
from uponyaji_events.consumer import Consumer
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks
from uponyaji_reporting.projections import handler
from uponyaji_reporting.settings import SERVICE

from bench.relay import running
from bench.reporting_events import OFFICER, Made, registration

POLL = 0.002  # how often the watcher looks at the journey table (adds ≤ 2 ms, 1 ms on average)


async def watch(conn: asyncpg.Connection, seen: dict[UUID, float], stop: asyncio.Event) -> None:
    """Note when each survivor's first journey entry becomes visible."""
    after = 0
    while not stop.is_set():
        rows = await conn.fetch(
            "SELECT survivor_id, position FROM journey_entries WHERE source = 'intake' "
            "AND position > $1 ORDER BY position",
            after,
        )
        now = time.perf_counter()
        for row in rows:
            seen.setdefault(row["survivor_id"], now)
            after = max(after, row["position"])
        await asyncio.sleep(POLL)


async def append_at(store: EventStore, rate: float, seconds: float) -> dict[UUID, float]:
    """One registration (one transaction) every 1/rate s; when each append was called."""
    made, rng = Made(set()), random.Random(300)
    started: dict[UUID, float] = {}
    begin = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sid, event = registration(made, rng, n)
        started[sid] = time.perf_counter()
        await store.append("survivor", str(sid), 0, [event], actor=OFFICER)
    return started


async def until(done: Callable[[], bool], seconds: float) -> bool:
    """Wait until `done()` holds or `seconds` have passed; whether it holds."""
    deadline = time.perf_counter() + seconds
    while True:
        if done():
            return True
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.01)


async def _timed(
    store: EventStore,
    conn: asyncpg.Connection,
    seen: dict[UUID, float],
    rate: float,
    seconds: float,
) -> dict[UUID, float]:
    """Append while watching; wait up to 10 s for the last entries."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(conn, seen, stop))
    try:
        started = await append_at(store, rate, seconds)
        await until(lambda: len(seen) >= len(started), 10.0)
    finally:
        stop.set()
        await watcher
    return started


async def measure_lag(
    store: EventStore, reporting: asyncpg.Pool, url: str, nats_url: str, rate: float, seconds: float
) -> list[float]:
    """Run relay and reporting's intake consumer; append at `rate`; every lag in ms."""
    relay = OutboxRelay(store, service="intake", nats_url=nats_url)
    consumer = Consumer(
        reporting,
        name=SERVICE,
        source="intake",
        batch_handler=handler("intake"),
        nats_url=nats_url,
    )
    watcher_conn = await asyncpg.connect(url)
    seen: dict[UUID, float] = {}
    try:
        async with running(relay):
            await until(lambda: relay.stats.connected, 30.0)  # it creates intake's stream
            async with running_consumer(consumer):
                if not await until(lambda: consumer.stats.connected, 30.0):
                    raise RuntimeError("reporting's consumer did not connect")
                started = await _timed(store, watcher_conn, seen, rate, seconds)
    finally:
        await watcher_conn.close()
    missing = len(started) - len(seen.keys() & started.keys())
    if missing:
        raise RuntimeError(f"{missing} of {len(started)} registrations never reached the journey")
    return [(seen[sid] - at) * 1000 for sid, at in started.items()]


@contextlib.asynccontextmanager
async def running_consumer(consumer: Consumer) -> AsyncIterator[None]:
    """Run a consumer as a task for the block, then cancel it."""
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        await stop_tasks([task])
