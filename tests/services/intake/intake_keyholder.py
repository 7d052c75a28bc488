"""A stand-in for another key-holding service (medical) in the erasure saga, built from the kernel.

It keeps a sealed note about a survivor under its own data key, consumes intake's events, and
on `intake.ErasureRequested` naming it destroys its key and publishes `medical.DataKeyDestroyed`
through its own store and outbox relay, exactly as a real service would.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from fastapi import FastAPI
from uponyaji_events import Consumer, EventStore, OutboxRelay
from uponyaji_events.contracts import default_registry, kernel
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.feed import FeedSource
from uponyaji_events.sealing import KeyStore, Sealer
from uponyaji_events.signing import Signer, StaticKeys
from uponyaji_service import running

SERVICE = "medical"


class KeyHolder:
    """The stand-in medical service: a store, a key store, a relay and a consumer of intake."""

    def __init__(self, pool: asyncpg.Pool, nats_url: str, intake_feed: FeedSource) -> None:
        self.kek = os.urandom(32)
        self.store = EventStore(pool, signer=Signer.generate(SERVICE))
        self.keys = KeyStore(pool, self.kek)
        self.sealer = Sealer(self.keys)
        self.relay = OutboxRelay(self.store, service=SERVICE, nats_url=nats_url)
        self.consumer = Consumer(
            pool,
            name=SERVICE,
            source="intake",
            handler=self.on_intake_event,
            nats_url=nats_url,
            feed=intake_feed,
        )
        self.registry = default_registry()

    async def keep_note(self, survivor_id: UUID, text: str) -> str:
        """Seal a clinical note for the survivor (creating this service's data key)."""
        return str(await self.sealer.seal(survivor_id, "medical.NoteRecorded/text", text))

    async def read_note(self, survivor_id: UUID, sealed: str) -> str:
        """The note, or `[erased]`."""
        return await self.sealer.unseal_or_erased(survivor_id, "medical.NoteRecorded/text", sealed)

    async def on_intake_event(self, conn: Conn, event: Event) -> None:
        """Destroy this service's key for an erasure request that names it, and confirm."""
        if event.type != "intake.ErasureRequested" or SERVICE not in event.payload["services"]:
            return
        survivor_id = UUID(event.payload["survivor_id"])
        key_id = await conn.fetchval(
            "SELECT key_id FROM sealing_keys WHERE subject_id = $1 AND destroyed_at IS NULL",
            str(survivor_id),
        )
        await self.keys.destroy(survivor_id)  # committed at once; evicts the cached copy too
        confirmation = kernel.DataKeyDestroyed(
            request_id=UUID(event.payload["request_id"]),
            survivor_id=survivor_id,
            key_id=key_id,
            destroyed_at=datetime.now(UTC),
        )
        await self.store.append(
            "erasure",
            event.payload["request_id"],
            None,
            [self.registry.to_new_event(confirmation, service=SERVICE)],
            actor=Actor.system("medical-erasure"),
            conn=conn,
        )


def trust_keyholder(app: FastAPI, holder: KeyHolder) -> None:
    """Give intake's consumer of `medical` the stand-in's public keys (it has no feed URL here)."""
    assert holder.store.signer is not None
    running(app).consumer(SERVICE).keys = StaticKeys(holder.store.signer.public_keys())
