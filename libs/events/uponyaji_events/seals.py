"""Range statements ("seals"): one signature over a block of consecutive positions.

Each event carries its own Ed25519 signature of (service, position, hash). The sequencer also
signs, once per completed block of `SEAL_BLOCK` positions, the statement (service, first
position, last position, SHA-256 over the block's event hashes in position order). A consumer
that reads a whole block in one feed page recomputes each event's hash, then the digest, and
verifies that one signature instead of `SEAL_BLOCK` of them; where no statement covers a run
of events (a partial block, events sequenced before statements existed, a NATS delivery) it
verifies each event's own signature, as before. docs/security.md gives the argument.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SEAL_CONTEXT = b"uponyaji.event-range.v1\x00"
SEAL_BLOCK = 250  # positions per statement: blocks are [k*250+1, (k+1)*250]
HASH_SIZE = 32


@dataclass(frozen=True, slots=True)
class Seal:
    """A service's signed statement over the events at positions first..last (inclusive)."""

    first: int
    last: int
    signature: bytes
    key_id: str


def range_digest(hashes: Iterable[bytes]) -> bytes:
    """SHA-256 over the events' 32-byte hashes in position order."""
    digest = hashlib.sha256()
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ValueError("an event hash is not 32 bytes")
        digest.update(value)
    return digest.digest()


def seal_message(service: str, first: int, last: int, digest: bytes) -> bytes:
    """The bytes a service signs for the events at positions first..last with `digest`."""
    return (
        SEAL_CONTEXT
        + service.encode()
        + b"\x00"
        + first.to_bytes(8, "big")
        + last.to_bytes(8, "big")
        + digest
    )


def verify_seal(key: Ed25519PublicKey, service: str, seal: Seal, hashes: Sequence[bytes]) -> bool:
    """True when `seal` is the service's signature over exactly these hashes at its positions."""
    if len(hashes) != seal.last - seal.first + 1:
        return False
    try:
        key.verify(
            seal.signature, seal_message(service, seal.first, seal.last, range_digest(hashes))
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def completed_blocks(last: int, new_last: int) -> list[tuple[int, int]]:
    """The blocks whose final position lies in (last, new_last]: completed by that sequencing."""
    end = (last // SEAL_BLOCK + 1) * SEAL_BLOCK
    blocks = []
    while end <= new_last:
        blocks.append((end - SEAL_BLOCK + 1, end))
        end += SEAL_BLOCK
    return blocks


def aligned_limit(after: int, limit: int) -> int:
    """A page size that ends the page on a block boundary (when the page spans one)."""
    trimmed = limit - (after + limit) % SEAL_BLOCK
    return trimmed if trimmed > 0 else limit


def seal_to_wire(seal: Seal) -> dict[str, Any]:
    """The JSON form of a statement in a feed page."""
    return {
        "first": seal.first,
        "last": seal.last,
        "signature": seal.signature.hex(),
        "key_id": seal.key_id,
    }


def seal_from_wire(data: dict[str, Any]) -> Seal:
    """A statement from its JSON form (raises KeyError/ValueError/TypeError when malformed)."""
    first, last = int(data["first"]), int(data["last"])
    if first < 1 or last < first:
        raise ValueError("a statement's range is empty")
    return Seal(first, last, bytes.fromhex(str(data["signature"])), str(data["key_id"]))


def seals_of(events: Sequence[Any]) -> Sequence[Seal]:
    """The statements a feed page carried (none for other sequences of events)."""
    seals: Sequence[Seal] = getattr(events, "seals", ())
    return seals
