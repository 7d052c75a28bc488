"""Runs one outbox relay as its own process, so a test can SIGKILL it mid-batch."""

from __future__ import annotations

import asyncio
import sys

from uponyaji_events.db import create_pool
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore


async def main(dsn: str, service: str, nats_url: str) -> None:
    """Relay the store at `dsn` to JetStream until killed."""
    pool = await create_pool(dsn)
    relay = OutboxRelay(
        EventStore(pool), service=service, nats_url=nats_url, batch_size=100, max_in_flight=100
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
