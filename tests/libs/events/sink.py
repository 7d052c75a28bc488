"""A consumer's local table used by the relay and consumer tests: one row per applied event."""

from __future__ import annotations

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event

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
