"""Intake's keys: the KEK from its secret file, per-survivor data keys, the blind-index key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from uponyaji_events.sealing import KeyStore, Pool, Sealer, load_kek

from .blind_index import BlindIndexer


@dataclass(frozen=True)
class Keys:
    """The service's sealing and blind-index keys (the KEK never leaves this object's memory)."""

    kek: bytes = field(repr=False)
    store: KeyStore = field(repr=False)
    sealer: Sealer = field(repr=False)
    indexer: BlindIndexer = field(repr=False)

    @classmethod
    def open(cls, pool: Pool, kek_file: Path, *, create: bool = False) -> Keys:
        """Load the KEK (create=True only in development and tests) and build the key objects."""
        kek = load_kek(kek_file, create=create)
        store = KeyStore(pool, kek)
        return cls(kek=kek, store=store, sealer=Sealer(store), indexer=BlindIndexer.from_kek(kek))

    def bound(self, conn: Pool) -> Sealer:
        """A sealer whose key reads and writes happen on `conn` (inside its transaction)."""
        return Sealer(KeyStore(conn, self.kek, cache_size=16))

    async def forget(self, survivor_id: UUID) -> None:
        """After a committed erasure: mark the survivor's key destroyed in this process's cache."""
        await self.store.destroy(survivor_id)
