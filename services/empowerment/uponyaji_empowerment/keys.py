"""Empowerment's keys: the KEK, the per-survivor data keys, and the payment-reference digest key."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from uponyaji_events.sealing import KeyStore, Pool, Sealer, load_kek

_DIGEST_INFO = b"uponyaji empowerment payment reference digest v1"


@dataclass(frozen=True)
class Keys:
    """The service's sealing keys (the KEK never leaves this object's memory)."""

    kek: bytes = field(repr=False)
    store: KeyStore = field(repr=False)
    sealer: Sealer = field(repr=False)
    digest_key: bytes = field(repr=False)

    @classmethod
    def open(cls, pool: Pool, kek_file: Path, *, create: bool = False) -> Keys:
        """Load the KEK (create=True only in development and tests) and build the key objects."""
        kek = load_kek(kek_file, create=create)
        store = KeyStore(pool, kek)
        derived = HKDF(hashes.SHA256(), 32, salt=None, info=_DIGEST_INFO).derive(kek)
        return cls(kek=kek, store=store, sealer=Sealer(store), digest_key=derived)

    def bound(self, conn: Pool, *, cache_size: int = 16) -> Sealer:
        """A sealer whose key reads and writes happen on `conn` (inside its transaction)."""
        return Sealer(KeyStore(conn, self.kek, cache_size=cache_size))

    def destroyer(self, conn: Pool) -> KeyStore:
        """A key store on `conn` without a cache, to destroy a key inside a transaction."""
        return KeyStore(conn, self.kek, cache_size=0)

    def reference_digest(self, reference: str) -> str:
        """A keyed digest of a payment reference (case and spaces ignored) to spot reuse."""
        normal = "".join(reference.split()).upper()
        return hmac.new(self.digest_key, normal.encode("utf-8"), hashlib.sha256).hexdigest()
