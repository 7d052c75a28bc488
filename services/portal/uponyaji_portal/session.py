"""The session: an AES-256-GCM encrypted cookie holding the user's tokens, CSRF token and language.

The portal keeps no server-side state, so any number of portal processes can serve a user. The
cookie is HttpOnly and SameSite=Strict (Secure in production); its content is unreadable and
tamper-evident without the portal's key. Idle and absolute limits mirror identity's.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

COOKIE = "uponyaji_session"
SECURE_COOKIE = "__Host-uponyaji_session"  # the prefix makes browsers insist on Secure, path /
LANG_COOKIE = "uponyaji_lang"
_AAD = b"uponyaji-portal-session-v1"


@dataclass
class Session:
    """What the cookie carries. Anonymous sessions have only a CSRF token and a language."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    lang: str = "en"
    access_token: str | None = None
    refresh_token: str | None = None
    access_expires: float = 0.0
    staff_id: str | None = None
    username: str | None = None
    roles: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    started: float = 0.0
    seen: float = 0.0
    flash: str | None = None

    @property
    def signed_in(self) -> bool:
        """True when the session holds tokens."""
        return self.access_token is not None

    def expired(self, now: float, idle_seconds: float, absolute_seconds: float) -> bool:
        """True when the idle or the absolute limit has passed."""
        return self.signed_in and (
            now - self.seen > idle_seconds or now - self.started > absolute_seconds
        )

    def has(self, *roles: str) -> bool:
        """True when the user holds any of these roles (for navigation only; services decide)."""
        return any(role in self.roles for role in roles)


class SessionCodec:
    """Seal and open session cookies with one 256-bit key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the portal's session key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, session: Session) -> str:
        """The cookie value: base64url(nonce ‖ ciphertext)."""
        nonce = os.urandom(12)
        plain = json.dumps(asdict(session), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, plain, _AAD)).decode()

    def open(self, value: str | None) -> Session | None:
        """The session in a cookie, or None when it is absent, foreign or tampered with."""
        if not value:
            return None
        try:
            raw = base64.urlsafe_b64decode(value.encode())
            plain = self._aead.decrypt(raw[:12], raw[12:], _AAD)
            data: dict[str, Any] = json.loads(plain)
            return Session(**data)
        except (ValueError, InvalidTag, TypeError):
            return None


def load_key(path: Path | None, environment: str) -> bytes:
    """The session key from its file; created (0600) when missing outside production.

    Without a file (tests, development without the launcher) a random key lives as long as the
    process: everyone signs in again after a restart.
    """
    if path is None:
        if environment == "production":
            raise ValueError("the portal needs PORTAL_KEK_FILE in production")
        return os.urandom(32)
    if not path.exists():
        if environment == "production":
            raise ValueError(f"PORTAL_KEK_FILE {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(base64.b64encode(os.urandom(32)).decode())
    return base64.b64decode(path.read_text().strip())


def now() -> float:
    """Wall-clock seconds (one place to read the clock)."""
    return time.time()
