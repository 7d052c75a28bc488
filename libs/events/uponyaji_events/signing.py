"""Event signatures: each service signs (service, position, hash) of what it stores with Ed25519.

The sequencer signs each event when it gives it its position, so a signature binds an event's
content (through its hash, which covers the stream, version and prev_hash) to its one place in
the service's global order: a different event at an already-seen position cannot carry a valid
signature. A service's keys live in a directory (never in a database): `active.key` signs,
`retired/<key_id>.pub` keep older signatures verifiable after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from uponyaji_events.seals import SEAL_CONTEXT, seal_message

CONTEXT = b"uponyaji.event-signature.v1\x00"
ACTIVE = "active.key"
RETIRED = "retired"


class SigningKeyError(ValueError):
    """A signing key file is missing, unreadable, readable by others or malformed."""


def signed_message(service: str, position: int, event_hash: bytes) -> bytes:
    """The bytes a service signs for the event at `position` with `event_hash`."""
    return CONTEXT + service.encode() + b"\x00" + position.to_bytes(8, "big") + event_hash


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id_of(public: bytes) -> str:
    """A short stable identifier of a public key (its SHA-256, 16 hex digits)."""
    return hashlib.sha256(public).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _read_private(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode & 0o777
        data = _unb64(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"signing key {path}: {exc}") from exc
    if mode & 0o077:
        raise SigningKeyError(f"signing key {path} is readable by others (mode {mode:o})")
    if len(data) != 32:
        raise SigningKeyError(f"signing key {path} is not a 32-byte Ed25519 seed")
    return data


def _write_new(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(text + "\n")


def ensure_signing_key(directory: Path) -> bool:
    """Create `active.key` (0600) in directory unless it exists; True when created."""
    try:
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        _write_new(directory / ACTIVE, _b64(seed), 0o600)
    except FileExistsError:
        return False
    return True


def rotate_signing_key(directory: Path) -> str:
    """Retire the active key (its public half stays published) and make a new one; its id."""
    current = Ed25519PrivateKey.from_private_bytes(_read_private(directory / ACTIVE))
    public = raw_public(current.public_key())
    retired = directory / RETIRED / f"{key_id_of(public)}.pub"
    if not retired.exists():
        _write_new(retired, _b64(public), 0o644)
    (directory / ACTIVE).unlink()
    ensure_signing_key(directory)
    return Signer.load(directory, "-").key_id


class Signer:
    """A service's signing keys: one active private key and the public halves of retired ones."""

    def __init__(
        self,
        service: str,
        active: Ed25519PrivateKey,
        retired: Mapping[str, bytes] | None = None,
    ) -> None:
        self.service = service
        self._active = active
        self.public = raw_public(active.public_key())
        self.key_id = key_id_of(self.public)
        self.retired = dict(retired or {})

    @classmethod
    def generate(cls, service: str) -> Signer:
        """A signer with a fresh key held only in memory (tests, benchmarks)."""
        return cls(service, Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, directory: Path, service: str) -> Signer:
        """Load `active.key` and `retired/*.pub` from a service's signing-key directory."""
        active = Ed25519PrivateKey.from_private_bytes(_read_private(directory / ACTIVE))
        retired: dict[str, bytes] = {}
        folder = directory / RETIRED
        if folder.is_dir():
            for path in sorted(folder.glob("*.pub")):
                public = _unb64(path.read_text(encoding="ascii").strip())
                retired[key_id_of(public)] = public
        return cls(service, active, retired)

    def sign(self, position: int, event_hash: bytes) -> bytes:
        """The signature of the event at `position` with `event_hash`."""
        return self._active.sign(signed_message(self.service, position, event_hash))

    def sign_range(self, first: int, last: int, digest: bytes) -> bytes:
        """The statement over positions first..last whose hashes have `digest` (seals.py)."""
        return self._active.sign(seal_message(self.service, first, last, digest))

    def sign_statement(self, message: bytes) -> bytes:
        """Sign another statement of this service (a notary's tree head); never an event's form."""
        if message.startswith(CONTEXT):
            raise ValueError("event signatures are made by sign(), which binds a position")
        if message.startswith(SEAL_CONTEXT):
            raise ValueError("range statements are made by sign_range(), over a digest")
        return self._active.sign(message)

    def verifying_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every public key of this service as a key object: key id -> key."""
        return {
            kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in self.public_keys().items()
        }

    def public_keys(self) -> dict[str, bytes]:
        """Every public key that may verify this service's events: key id -> raw bytes."""
        return {**self.retired, self.key_id: self.public}

    def document(self) -> dict[str, Any]:
        """The public keys as a JWKS-like document served next to the feed."""
        keys = [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "use": "sig",
                "kid": kid,
                "x": _b64(public),
                "status": "active" if kid == self.key_id else "retired",
            }
            for kid, public in sorted(self.public_keys().items())
        ]
        return {"service": self.service, "keys": keys}


def keys_from_document(document: Mapping[str, Any]) -> dict[str, bytes]:
    """Parse a public-key document; a key whose id does not match its bytes is ignored."""
    found: dict[str, bytes] = {}
    for item in document.get("keys") or []:
        if not isinstance(item, dict) or item.get("crv") != "Ed25519":
            continue
        try:
            public = _unb64(str(item["x"]))
        except (KeyError, ValueError):
            continue
        if len(public) == 32 and key_id_of(public) == item.get("kid"):
            found[key_id_of(public)] = public
    return found


class PublicKeys(Protocol):
    """Where a consumer finds a source's public keys by key id."""

    async def get(self, key_id: str) -> Ed25519PublicKey | None:
        """The public key with this id, or None when the source has no such key."""
        ...


class StaticKeys:
    """Public keys known up front (a service's own store, tests)."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in keys.items()}

    async def get(self, key_id: str) -> Ed25519PublicKey | None:
        """The key with this id, if known."""
        return self._keys.get(key_id)


class CachedKeys:
    """Public keys fetched over an authenticated channel, cached; refetched for an unknown id."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Mapping[str, bytes]]],
        *,
        min_refresh: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self._fetch = fetch
        self._clock = clock or time.monotonic
        self.min_refresh = min_refresh
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None

    async def get(self, key_id: str) -> Ed25519PublicKey | None:
        """The key with this id; an unknown id triggers at most one fetch per `min_refresh`."""
        key = self._keys.get(key_id)
        if key is not None:
            return key
        now = self._clock()
        if self._fetched_at is not None and now - self._fetched_at < self.min_refresh:
            return None
        self._fetched_at = now
        try:
            fetched = await self._fetch()
        except BaseException:
            # A failed fetch is no answer: the next unknown id asks again (its event waits)
            # rather than being refused as signed by an unknown key for `min_refresh` seconds.
            self._fetched_at = None
            raise
        self._keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in fetched.items()}
        return self._keys.get(key_id)


def verify_signature(
    key: Ed25519PublicKey, service: str, position: int, event_hash: bytes, signature: bytes
) -> bool:
    """True when `signature` is the service's signature of that position and hash."""
    try:
        key.verify(signature, signed_message(service, position, event_hash))
    except InvalidSignature:
        return False
    return True
