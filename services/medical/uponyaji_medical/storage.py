"""Where evidence files live: one small interface, PostgreSQL by default.

Files are sealed before they reach the store (AES-256-GCM under the survivor's data key, bound
to the item's id), so any store — this table, or an S3-compatible bucket added later — holds
only ciphertext, and erasure (destroying the key) makes every copy unreadable.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from uponyaji_events.db import Conn


class BlobStore(Protocol):
    """Stores and returns sealed evidence files by item id."""

    async def put(self, conn: Conn, evidence_id: UUID, survivor_id: UUID, sealed: bytes) -> None:
        """Store a sealed file (in the caller's transaction where the store has one)."""
        ...

    async def get(self, conn: Conn, evidence_id: UUID) -> bytes | None:
        """The sealed file, or None if the store has nothing for the item."""
        ...


class PostgresBlobs:
    """Sealed files in medical's own database (table `evidence_blobs`)."""

    async def put(self, conn: Conn, evidence_id: UUID, survivor_id: UUID, sealed: bytes) -> None:
        """Store a sealed file in the command's transaction."""
        await conn.execute(
            "INSERT INTO evidence_blobs (evidence_id, survivor_id, sealed) VALUES ($1, $2, $3)",
            evidence_id,
            survivor_id,
            sealed,
        )

    async def get(self, conn: Conn, evidence_id: UUID) -> bytes | None:
        """The sealed file of an item."""
        found = await conn.fetchval(
            "SELECT sealed FROM evidence_blobs WHERE evidence_id = $1", evidence_id
        )
        return bytes(found) if found is not None else None
