"""Development keys: a key-encryption key and an event-signing key per service, off the database."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

KEK_BYTES = 32


def ensure_kek(path: Path) -> bool:
    """Write base64 of 32 random bytes to path (mode 0600) unless it exists; True when created."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: never overwrite a key (data sealed under it would be lost); the mode is set at
        # creation so the key is never readable by others, not even for an instant.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as file:
        file.write(base64.b64encode(secrets.token_bytes(KEK_BYTES)))
    return True


def ensure_signing_key(directory: Path) -> bool:
    """Write a service's Ed25519 signing key (`active.key`, 0600) unless it exists; True if new.

    An Ed25519 private key is 32 random bytes; the event kernel reads them base64url-encoded.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(directory / "active.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode() + "\n")
    return True
