"""Signed tree heads: what they sign, their JSON lines, and the append-only file that keeps them.

A tree head states "this service's log of N events has root R at time T", signed with the
service's Ed25519 event-signing key under its own context (it can never be mistaken for an event
signature). Each line of the heads file also carries the consistency proof from the previous
head, so the file alone shows that every head extends the one before it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from uponyaji_events.notary.merkle import verify_consistency
from uponyaji_events.signing import Signer

HEAD_CONTEXT = b"uponyaji.tree-head.v1\x00"
LEAF_CONTEXT = b"uponyaji.notary-leaf.v1\x00"


def leaf_data(service: str, position: int, event_hash: bytes) -> bytes:
    """The Merkle leaf of the event at `position`: its service, position and content hash."""
    return LEAF_CONTEXT + service.encode() + b"\x00" + position.to_bytes(8, "big") + event_hash


def head_message(service: str, tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    """The bytes a service signs for a tree head."""
    return (
        HEAD_CONTEXT
        + service.encode()
        + b"\x00"
        + tree_size.to_bytes(8, "big")
        + timestamp_ms.to_bytes(8, "big")
        + root
    )


@dataclass(frozen=True)
class TreeHead:
    """One signed tree head, with the consistency proof from the head before it (if any)."""

    service: str
    tree_size: int
    root: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes
    previous_size: int = 0
    consistency: tuple[bytes, ...] = field(default_factory=tuple)

    @classmethod
    def sign(
        cls,
        signer: Signer,
        tree_size: int,
        root: bytes,
        at: datetime,
        *,
        previous_size: int = 0,
        consistency: tuple[bytes, ...] = (),
    ) -> TreeHead:
        """A head of `tree_size` events with `root`, signed now by the service's active key."""
        ms = int(at.timestamp() * 1000)
        message = head_message(signer.service, tree_size, ms, root)
        return cls(
            signer.service,
            tree_size,
            root,
            ms,
            signer.key_id,
            signer.sign_statement(message),
            previous_size,
            tuple(consistency),
        )

    @property
    def signed_at(self) -> datetime:
        """When the head was signed (UTC)."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def signature_ok(self, keys: Mapping[str, bytes]) -> bool:
        """True when one of the service's public keys verifies this head's signature."""
        raw = keys.get(self.key_id)
        if raw is None:
            return False
        message = head_message(self.service, self.tree_size, self.timestamp_ms, self.root)
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(self.signature, message)
        except InvalidSignature:
            return False
        return True

    def extends(self, previous: TreeHead) -> bool:
        """True when this head's consistency proof shows it extends `previous`."""
        return self.previous_size == previous.tree_size and verify_consistency(
            previous.tree_size, self.tree_size, previous.root, self.root, self.consistency
        )

    def as_json(self) -> dict[str, Any]:
        """The head as a JSON object (one line of the heads file, and the API's form)."""
        return {
            "service": self.service,
            "tree_size": self.tree_size,
            "root_hash": self.root.hex(),
            "timestamp": self.signed_at.isoformat(timespec="milliseconds"),
            "timestamp_ms": self.timestamp_ms,
            "key_id": self.key_id,
            "signature": self.signature.hex(),
            "previous_size": self.previous_size,
            "consistency": [h.hex() for h in self.consistency],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TreeHead:
        """Parse a head from its JSON object (KeyError/ValueError/TypeError when malformed)."""
        return cls(
            service=str(data["service"]),
            tree_size=int(data["tree_size"]),
            root=bytes.fromhex(data["root_hash"]),
            timestamp_ms=int(data["timestamp_ms"]),
            key_id=str(data["key_id"]),
            signature=bytes.fromhex(data["signature"]),
            previous_size=int(data.get("previous_size", 0)),
            consistency=tuple(bytes.fromhex(h) for h in data.get("consistency", [])),
        )


class HeadsFileError(ValueError):
    """A heads file has a line that is not a tree head."""


class HeadsFile:
    """The append-only file of a service's tree heads (JSON lines), kept outside the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, head: TreeHead) -> None:
        """Add one head as a line and flush it to disk before returning."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps(head.as_json(), sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self, service: str | None = None) -> list[TreeHead]:
        """Every head in the file (of one service, when named), in the order written."""
        if not self.path.exists():
            return []
        heads: list[TreeHead] = []
        for number, line in enumerate(self.path.read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                head = TreeHead.from_json(json.loads(line))
            except (KeyError, ValueError, TypeError) as exc:
                raise HeadsFileError(f"{self.path} line {number}: not a tree head ({exc})") from exc
            if service is None or head.service == service:
                heads.append(head)
        return heads

    def last(self, service: str) -> TreeHead | None:
        """The latest head of a service in the file, if any."""
        heads = self.read(service)
        return heads[-1] if heads else None
