"""Replay throughput: EventStore.read_all in pages, against the same SELECT without Events."""

from __future__ import annotations

import asyncpg
from uponyaji_events.store import EVENT_COLUMNS, EventStore

from bench.probe import Measurement, Probe
from bench.report import Check, Figure, Results
from bench.servers import Servers
from bench.sizes import Sizes
from bench.workload import open_pool, preload, shares

PAGE = 1000
TARGET = 20_000.0

_SELECT = (
    f"SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 "  # noqa: S608
    "ORDER BY position LIMIT $2"
)


async def raw_select(conn: asyncpg.Connection, after: int, stop: int) -> int:
    """Page through positions after..stop with plain asyncpg (jsonb left as text)."""
    read = 0
    while after < stop and (rows := await conn.fetch(_SELECT, after, min(PAGE, stop - after))):
        read += len(rows)
        after = rows[-1]["position"]
    return read


async def kernel_read_all(store: EventStore, after: int, stop: int) -> int:
    """Page through positions after..stop with EventStore.read_all."""
    read = 0
    while after < stop and (events := await store.read_all(after, min(PAGE, stop - after))):
        read += len(events)
        after = events[-1].position or stop
    return read


async def run(servers: Servers, sizes: Sizes, probe: Probe) -> Results:
    """read_all over `replay_events` events, beside the raw SELECT of the same pages."""
    count = sizes.replay_events
    url = await servers.new_database("replay")
    pool = await open_pool(url, 2)
    conn = await asyncpg.connect(url)
    kernel: list[Measurement] = []
    raw: list[Measurement] = []
    read = rows = 0
    try:
        store = EventStore(pool)
        await preload(store, count)
        await raw_select(conn, 0, count)  # untimed pass: the same pages in cache for both readers
        pages = (count + PAGE - 1) // PAGE
        for first, last in shares(pages, sizes.rounds):
            after, stop = first * PAGE, min(last * PAGE, count)
            with probe.measure() as measured:
                read += await kernel_read_all(store, after, stop)
            kernel.append(measured)
            with probe.measure() as measured:
                rows += await raw_select(conn, after, stop)
            raw.append(measured)
    finally:
        await conn.close()
        await pool.close()
    if not read == rows == count:
        raise RuntimeError(f"read_all gave {read}, the SELECT {rows}, of {count} events")
    raw_figure = Figure(
        "replay", f"raw SELECT, pages of {PAGE:,}", rows, Measurement.combined(raw), reference=True
    )
    figure = Figure(
        "replay",
        f"read_all, pages of {PAGE:,}",
        read,
        Measurement.combined(kernel),
        ceiling=raw_figure.rate,
        ceiling_what="the same SELECT without Event objects",
    )
    return Results(
        figures=[raw_figure, figure],
        checks=[Check("replay: read_all events/s", figure.rate, TARGET, "events/s")],
    )
