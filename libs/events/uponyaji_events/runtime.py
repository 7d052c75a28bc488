"""A service's process resources: pool, migrations, store, relay and consumers, in one lifespan."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from uponyaji_events.consumer import Consumer, IntegrityAlarm
from uponyaji_events.contracts import default_upcasters
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import Actor, NewEvent, utc_now
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_events.natsauth import NatsCredentials
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_events.tasks import stop_tasks
from uponyaji_events.upcasting import UpcasterRegistry

log = logging.getLogger("uponyaji.events.runtime")


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
    # The owner role's URL, used only to migrate; None: migrate as the runtime role.
    migration_database_url: str | None = None
    # Ed25519 signing keys (active.key, retired/*.pub); None: events are stored unsigned.
    signing_key_dir: Path | None = None
    pool: asyncpg.Pool | None = None
    store: EventStore | None = None
    relay: OutboxRelay | None = None
    consumers: list[Consumer] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, consumers: Iterable[Consumer] = ()) -> None:
        """Open the pool, migrate (kernel, then own), start the relay and the consumers."""
        plan = kernel_migrations()
        if self.migrations is not None:
            plan += directory_migrations(self.migrations, self.service)
        if self.migration_database_url is not None:
            owner = await asyncpg.connect(self.migration_database_url)
            try:
                await migrate(owner, plan)
            finally:
                await owner.close()
        self.pool = await create_pool(self.database_url, max_size=self.pool_size)
        if self.migration_database_url is None:
            async with self.pool.acquire() as conn:
                await migrate(conn, plan)
        self.store = EventStore(self.pool, upcasters=self.upcasters, signer=self.signer())
        await self.store.sign_unsigned()
        await self.store.seal_history()
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

    def signer(self) -> Signer:
        """The service's signing keys from `signing_key_dir`; without one, a key of this process.

        A process key dies with the process, so consumers cannot verify its events after a
        restart: for tests only (production refuses to start without a key directory).
        """
        if self.signing_key_dir is not None:
            return Signer.load(self.signing_key_dir, self.service)
        log.warning(
            "%s: no signing key directory; events are signed with a process key", self.service
        )
        return Signer.generate(self.service)

    def nats_credentials(self) -> NatsCredentials | None:
        """The service's NATS user from its credentials file (None: the URL's own, if any)."""
        if self.nats_credentials_file is None:
            return None
        return NatsCredentials.load(self.nats_credentials_file)

    def _authenticate(self, consumer: Consumer) -> None:
        if consumer.nats_credentials is None:
            consumer.nats_credentials = self.nats_credentials()
        if consumer.on_alarm is None:
            consumer.on_alarm = self.record_alarm

    async def record_alarm(self, alarm: IntegrityAlarm) -> None:
        """Keep a refused event as this service's audit event `<service>.IntegrityAlarmRaised`."""
        event = alarm.event
        payload = {
            "consumer": re.sub(r"[^A-Za-z0-9_.:-]", "?", alarm.consumer)[:128],
            "source": alarm.source,
            "position": event.position,
            "event_id": str(event.event_id),
            # What a forger wrote is kept only as far as the contract's characters go.
            "event_type": re.sub(r"[^A-Za-z0-9_.?-]", "?", event.type)[:200],
            "path": alarm.path,
            "reason": re.sub(r"[^ -~]", "?", alarm.reason)[:500],
            "at": utc_now().isoformat(),
        }
        await self.require_store().append(
            "integrity",
            f"integrity-{alarm.source}",
            None,
            [NewEvent(type=f"{self.service}.IntegrityAlarmRaised", payload=payload)],
            actor=Actor.system(alarm.consumer),
        )

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
        await stop_tasks(self._tasks)
        self._tasks.clear()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
