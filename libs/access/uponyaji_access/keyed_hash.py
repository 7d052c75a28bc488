"""Keyed hashes for audit records: a search's query or a typed username, never the text itself.

HMAC-SHA256 under one per-deployment secret (`UPONYAJI_AUDIT_KEY_FILE`, shared by every service
so that the same query or username hashes the same everywhere). Without the key, a hash cannot be
tested against guesses (names, phone numbers, usernames), which a plain hash of such short text
would allow. The text is normalised first (case, surrounding and repeated spaces) so that the same
search typed twice gives the same hash. Each use has its own label, so a query hash never equals a
username hash of the same text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("uponyaji.access.keyed_hash")

KEY_FILE_ENV = "UPONYAJI_AUDIT_KEY_FILE"
MIN_KEY_BYTES = 32
QUERY = "query"
USERNAME = "username"


class AuditKeyError(ValueError):
    """The audit key file is missing, unreadable or too short."""


def normalise(text: str) -> str:
    """The form of a text that is hashed: lowercase, single spaces, no surrounding space."""
    return " ".join(text.lower().split())


class AuditKey:
    """The per-deployment HMAC key of audit records' keyed hashes."""

    def __init__(self, key: bytes, *, ephemeral: bool = False) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise AuditKeyError(f"the audit key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key
        self.ephemeral = ephemeral

    @classmethod
    def from_file(cls, path: Path) -> AuditKey:
        """The key in a secret file (its bytes, surrounding whitespace stripped)."""
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise AuditKeyError(f"the audit key file {path} cannot be read") from exc
        return cls(key)

    @classmethod
    def from_environment(cls) -> AuditKey:
        """The key of `UPONYAJI_AUDIT_KEY_FILE`; unset, a random key for this process only.

        A per-process key still hides the text, but hashes then match only within one process's
        life: deployments set the file (docs/security.md).
        """
        path = os.environ.get(KEY_FILE_ENV)
        if path:
            return cls.from_file(Path(path))
        log.warning(
            "%s is not set: audit hashes of queries and usernames use a key of this process "
            "only and will not match across services or restarts",
            KEY_FILE_ENV,
        )
        return cls(secrets.token_bytes(MIN_KEY_BYTES), ephemeral=True)

    def digest(self, label: str, text: str) -> str:
        """The keyed hash (hex) of a normalised text for one use (`query`, `username`)."""
        message = label.encode() + b"\x00" + normalise(text).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def query(self, text: str) -> str:
        """The keyed hash of a search's text."""
        return self.digest(QUERY, text)

    def username(self, text: str) -> str:
        """The keyed hash of a username as typed."""
        return self.digest(USERNAME, text)

    def __repr__(self) -> str:
        return f"AuditKey(ephemeral={self.ephemeral})"
