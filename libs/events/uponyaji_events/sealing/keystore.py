"""Per-subject data keys in PostgreSQL (wrapped by the KEK), with crypto-shredding.

Table `sealing_keys` (migrations/020_sealing.sql): one row per subject. A live row holds the
wrapped key; a destroyed row keeps its subject id and `destroyed_at` with `wrapped_key` NULL, and
stays forever as a tombstone so that no key is ever made for that subject again.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Final, Protocol
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from uponyaji_events.sealing.errors import KeyDestroyed, KeyNotFoundError, SealingError
from uponyaji_events.sealing.kek import KEY_BYTES, unwrap_key, wrap_key

SubjectId = str | UUID


class Pool(Protocol):
    """The part of an `asyncpg.Pool` (or `asyncpg.Connection`) the key store uses."""

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """Run a query and return its first row or None."""

    async def execute(self, query: str, *args: Any) -> Any:
        """Run a statement."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """An unwrapped per-subject AES-256-GCM key (its bytes are kept out of repr)."""

    key_id: UUID
    secret: bytes = field(repr=False)
    aead: AESGCM = field(repr=False, compare=False)


_DESTROYED: Final = "destroyed"  # cache marker; destruction is final, so it never goes stale

_SELECT = "SELECT key_id, wrapped_key, destroyed_at FROM sealing_keys WHERE subject_id = $1"
_INSERT = """
INSERT INTO sealing_keys (subject_id, key_id, wrapped_key) VALUES ($1, $2, $3)
ON CONFLICT (subject_id) DO NOTHING
"""
# One statement, so a key created concurrently cannot slip past the shredding. A subject with no
# row gets a tombstone (key_id = $2). RETURNING yields no row when the key was already destroyed.
_DESTROY = """
INSERT INTO sealing_keys AS k (subject_id, key_id, wrapped_key, destroyed_at)
VALUES ($1, $2, NULL, now())
ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, destroyed_at = now()
    WHERE k.destroyed_at IS NULL
RETURNING k.key_id
"""


def subject_key(subject_id: SubjectId) -> str:
    """The canonical text of a subject id (UUIDs in lowercase hyphenated form)."""
    if isinstance(subject_id, UUID):
        return str(subject_id)
    text = subject_id.strip()
    if not text:
        raise SealingError("subject id is empty")
    try:
        # One survivor must never end up with two keys because two callers spelt the UUID apart.
        return str(UUID(text))
    except ValueError:
        return text


class KeyStore:
    """Gets, creates and destroys per-subject data keys; caches unwrapped keys in memory.

    The cache is bounded (least recently used out) and entries expire after `cache_ttl` seconds,
    so a key destroyed by another process stops being used here within that time.
    """

    def __init__(
        self, pool: Pool, kek: bytes, *, cache_size: int = 1024, cache_ttl: float = 60.0
    ) -> None:
        if len(kek) != KEY_BYTES:
            raise SealingError(f"key-encryption key must be {KEY_BYTES} bytes")
        self._pool = pool
        self._kek = kek
        self._cache_size = cache_size
        self._cache_ttl = cache_ttl
        self._cache: OrderedDict[str, tuple[DataKey | str, float]] = OrderedDict()

    def __repr__(self) -> str:
        return f"KeyStore(cached={len(self._cache)})"  # never the KEK

    async def get_or_create(self, subject_id: SubjectId) -> DataKey:
        """The subject's data key, created on first use; KeyDestroyed if it was shredded."""
        subject = subject_key(subject_id)
        cached = self._cached(subject)
        if cached is not None:
            return cached
        row = await self._pool.fetchrow(_SELECT, subject)
        if row is None:
            # Concurrent creators race on the primary key; the loser reads the winner's key.
            key_id = uuid4()
            wrapped = wrap_key(self._kek, subject, key_id, os.urandom(KEY_BYTES))
            await self._pool.execute(_INSERT, subject, key_id, wrapped)
            row = await self._pool.fetchrow(_SELECT, subject)
            if row is None:  # pragma: no cover - only if the row vanished under us
                raise SealingError(f"data key of subject {subject} vanished while being created")
        return self._from_row(subject, row)

    async def get(self, subject_id: SubjectId) -> DataKey:
        """The subject's existing key; KeyDestroyed if shredded, KeyNotFoundError if never made."""
        subject = subject_key(subject_id)
        cached = self._cached(subject)
        if cached is not None:
            return cached
        row = await self._pool.fetchrow(_SELECT, subject)
        if row is None:
            raise KeyNotFoundError(f"no data key exists for subject {subject}")
        return self._from_row(subject, row)

    async def destroy(self, subject_id: SubjectId) -> bool:
        """Crypto-shred the subject's key for good; True when this call destroyed a live key."""
        subject = subject_key(subject_id)
        tombstone_id = uuid4()
        row = await self._pool.fetchrow(_DESTROY, subject, tombstone_id)
        self._remember(subject, _DESTROYED)
        return row is not None and _uuid(row["key_id"]) != tombstone_id

    def _from_row(self, subject: str, row: Any) -> DataKey:
        if row["destroyed_at"] is not None or row["wrapped_key"] is None:
            self._remember(subject, _DESTROYED)
            raise KeyDestroyed(f"data key of subject {subject} was destroyed")
        key_id = _uuid(row["key_id"])
        secret = unwrap_key(self._kek, subject, key_id, bytes(row["wrapped_key"]))
        key = DataKey(key_id=key_id, secret=secret, aead=AESGCM(secret))
        self._remember(subject, key)
        return key

    def _cached(self, subject: str) -> DataKey | None:
        entry = self._cache.get(subject)
        if entry is None:
            return None
        value, expires = entry
        if isinstance(value, str):  # _DESTROYED
            self._cache.move_to_end(subject)
            raise KeyDestroyed(f"data key of subject {subject} was destroyed")
        if time.monotonic() >= expires:
            del self._cache[subject]
            return None
        self._cache.move_to_end(subject)
        return value

    def _remember(self, subject: str, value: DataKey | str) -> None:
        if self._cache_size <= 0:
            return
        self._cache[subject] = (value, time.monotonic() + self._cache_ttl)
        self._cache.move_to_end(subject)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _uuid(value: Any) -> UUID:
    # asyncpg returns its own UUID type; normalise so comparisons and AAD bytes are exact.
    return UUID(str(value))
