"""Runs one outbox relay as its own process, so a test can SIGKILL it mid-batch."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from uponyaji_events.db import create_pool
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore


async def main(dsn: str, service: str, nats_url: str, keys: str) -> None:
    """Relay (sequencing and signing) the store at `dsn` to JetStream until killed."""
    pool = await create_pool(dsn)
    store = EventStore(pool, signer=Signer.load(Path(keys), service))
    relay = OutboxRelay(
        store, service=service, nats_url=nats_url, batch_size=100, max_in_flight=100
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
