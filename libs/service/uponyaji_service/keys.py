"""A sealing service's keys: the KEK from its secret file and the per-survivor data keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from uponyaji_events.sealing import KeyStore, Pool, Sealer, load_kek


@dataclass(frozen=True)
class Keys:
    """The service's sealing keys (the KEK never leaves this object's memory)."""

    kek: bytes = field(repr=False)
    store: KeyStore = field(repr=False)
    sealer: Sealer = field(repr=False)

    @classmethod
    def open(cls, pool: Pool, kek_file: Path, *, create: bool = False) -> Keys:
        """Load the KEK (create=True only in development and tests) and build the key objects."""
        kek = load_kek(kek_file, create=create)
        store = KeyStore(pool, kek)
        return cls(kek=kek, store=store, sealer=Sealer(store))

    def bound(self, conn: Pool, *, cache_size: int = 16) -> Sealer:
        """A sealer whose key reads and writes happen on `conn` (inside its transaction)."""
        return Sealer(KeyStore(conn, self.kek, cache_size=cache_size))

    def destroyer(self, conn: Pool) -> KeyStore:
        """A key store on `conn` without a cache, to destroy a key inside a transaction."""
        return KeyStore(conn, self.kek, cache_size=0)
