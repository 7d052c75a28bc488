"""A service's process resources: pool, migrations, store, relay and consumers, in one lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from uponyaji_events.consumer import Consumer
from uponyaji_events.contracts import default_upcasters
from uponyaji_events.db import create_pool
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_events.natsauth import NatsCredentials
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.store import EventStore
from uponyaji_events.upcasting import UpcasterRegistry


@dataclass
class ServiceRuntime:
    """Everything a service process owns at run time; built in the app's lifespan, not at import."""

    service: str
    database_url: str
    nats_url: str
    migrations: Path | None = None
    upcasters: UpcasterRegistry = field(default_factory=default_upcasters)
    pool_size: int = 10
    nats_credentials_file: Path | None = None
    pool: asyncpg.Pool | None = None
    store: EventStore | None = None
    relay: OutboxRelay | None = None
    consumers: list[Consumer] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, consumers: Iterable[Consumer] = ()) -> None:
        """Open the pool, migrate (kernel, then own), start the relay and the consumers."""
        self.pool = await create_pool(self.database_url, max_size=self.pool_size)
        async with self.pool.acquire() as conn:
            plan = kernel_migrations()
            if self.migrations is not None:
                plan += directory_migrations(self.migrations, self.service)
            await migrate(conn, plan)
        self.store = EventStore(self.pool, upcasters=self.upcasters)
        self.relay = OutboxRelay(
            self.store,
            service=self.service,
            nats_url=self.nats_url,
            nats_credentials=self.nats_credentials(),
        )
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))
        for consumer in consumers:
            self._authenticate(consumer)
            self.consumers.append(consumer)
            self._tasks.append(asyncio.create_task(consumer.run(), name=consumer.name))

    def nats_credentials(self) -> NatsCredentials | None:
        """The service's NATS user from its credentials file (None: the URL's own, if any)."""
        if self.nats_credentials_file is None:
            return None
        return NatsCredentials.load(self.nats_credentials_file)

    def _authenticate(self, consumer: Consumer) -> None:
        if consumer.nats_credentials is None:
            consumer.nats_credentials = self.nats_credentials()

    def add_consumer(self, consumer: Consumer) -> None:
        """Run a consumer built after start (it needs the pool); stop() ends it with the rest."""
        self._authenticate(consumer)
        self.consumers.append(consumer)
        self.run_in_background(consumer.run(), name=f"{self.service}-{consumer.source}")

    def run_in_background(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run a service's own background loop until stop() (cancelled until it really ends)."""
        self._tasks.append(asyncio.create_task(work, name=name))

    def require_store(self) -> EventStore:
        """The started store (for routers built before the lifespan runs)."""
        if self.store is None:
            raise RuntimeError(f"{self.service} has not started yet")
        return self.store

    async def stop(self) -> None:
        """Stop background work and close the pool."""
        for task in self._tasks:
            # Cancel until done: a library may swallow one cancellation (Python 3.11 wait_for).
            while not task.done():
                task.cancel()
                await asyncio.wait([task], timeout=0.5)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        self._tasks.clear()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
