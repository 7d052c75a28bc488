"""Token-signing keys: Ed25519, sealed at rest, rotated by `kid` without logging anyone out.

Each key's private half is sealed with the kernel's `Sealer` (subject `identity-signing-keys`, so
its data key is wrapped by the service's KEK, which never enters the database) and stored in
`signing_keys`. A database copy alone therefore cannot mint tokens. The newest unretired key
signs; a rotated-out key stays in the JWKS for one access-token lifetime plus a margin, so
tokens it signed keep verifying until they expire.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt import PyJWK
from jwt.algorithms import OKPAlgorithm
from uponyaji_access import JwksCache, Unauthenticated
from uponyaji_events.sealing import Sealer

SEAL_SUBJECT = "identity-signing-keys"
PUBLISH_AFTER_RETIREMENT = timedelta(minutes=20)  # access tokens live 15 min; 5 min margin
_ROTATE_LOCK = 0x6964_5F6B_6579_73  # "id_keys": one rotation at a time per database
_RELOAD_COOLDOWN = 1.0


def _context(kid: str) -> str:
    return f"identity.signing_keys/{kid}"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One Ed25519 key pair with its id and lifecycle."""

    kid: str
    private: Ed25519PrivateKey = field(repr=False)
    created_at: datetime
    retired_at: datetime | None = None

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK (what the JWKS publishes)."""
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}


class KeyRing:
    """The service's signing keys, loaded from the database and unsealed in memory."""

    def __init__(self, pool: asyncpg.Pool, sealer: Sealer, *, max_age: timedelta) -> None:
        self._pool = pool
        self._sealer = sealer
        self.max_age = max_age
        self._keys: dict[str, SigningKey] = {}
        self._current: SigningKey | None = None
        self._looked_up_at = -_RELOAD_COOLDOWN  # last reload for an unknown kid
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"KeyRing(kids={sorted(self._keys)})"  # never key material

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        if self._current is None:
            raise RuntimeError("no signing key: call ensure_current() at startup")
        return self._current

    def jwks(self) -> dict[str, Any]:
        """The JWKS document: the current key and every previous one still published."""
        return {"keys": [key.jwk() for key in self._keys.values()]}

    async def load(self) -> None:
        """Read every published key from the database (new rows unsealed, dropped ones removed)."""
        rows = await self._pool.fetch(
            "SELECT kid, private_key, created_at, retired_at FROM signing_keys "
            "WHERE publish_until IS NULL OR publish_until > now() ORDER BY created_at"
        )
        keys: dict[str, SigningKey] = {}
        for row in rows:
            known = self._keys.get(row["kid"])
            if known is None:
                raw = await self._sealer.unseal(
                    SEAL_SUBJECT, _context(row["kid"]), row["private_key"]
                )
                private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw))
            else:
                private = known.private
            keys[row["kid"]] = SigningKey(row["kid"], private, row["created_at"], row["retired_at"])
        self._keys = keys
        live = [k for k in keys.values() if k.retired_at is None]
        self._current = max(live, key=lambda k: k.created_at) if live else None

    async def ensure_current(self) -> SigningKey:
        """Load the keys and rotate if there is none or the current one is older than max_age."""
        await self.load()
        current = self._current
        if current is None or datetime.now(UTC) - current.created_at > self.max_age:
            return await self.rotate(only_if_older_than=self.max_age)
        return current

    async def rotate(self, *, only_if_older_than: timedelta | None = None) -> SigningKey:
        """Make a new signing key; the previous one stops signing but stays published a while."""
        private = Ed25519PrivateKey.generate()
        kid = f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(6)}"
        raw = base64.b64encode(private.private_bytes_raw()).decode("ascii")
        sealed = await self._sealer.seal(SEAL_SUBJECT, _context(kid), raw)
        key = SigningKey(kid, private, datetime.now(UTC))
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _ROTATE_LOCK)
            # Another process may have rotated while we waited: then use its key.
            fresh = only_if_older_than is not None and await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM signing_keys WHERE retired_at IS NULL "
                "AND created_at > now() - $1::interval)",
                only_if_older_than,
            )
            if not fresh:
                await conn.execute(
                    "UPDATE signing_keys SET retired_at = now(), publish_until = now() + $1 "
                    "WHERE retired_at IS NULL",
                    PUBLISH_AFTER_RETIREMENT,
                )
                await conn.execute(
                    "INSERT INTO signing_keys (kid, public_jwk, private_key, created_at) "
                    "VALUES ($1, $2, $3, $4)",
                    kid,
                    key.jwk(),
                    str(sealed),
                    key.created_at,
                )
        await self.load()
        return self.current

    async def public_key(self, kid: str) -> PyJWK | None:
        """The verification key for a kid; reloads (at most once a second) if it is unknown."""
        key = self._keys.get(kid)
        if key is None:
            async with self._lock:
                now = time.monotonic()
                if kid not in self._keys and now - self._looked_up_at >= _RELOAD_COOLDOWN:
                    self._looked_up_at = now
                    await self.load()
            key = self._keys.get(kid)
        return None if key is None else PyJWK(key.jwk(), algorithm="EdDSA")


class KeyRingJwks(JwksCache):
    """The access library's key source, answered from identity's own key ring (no HTTP)."""

    def __init__(self, ring: KeyRing) -> None:
        super().__init__()
        self._ring = ring

    @property
    def kids(self) -> frozenset[str]:
        """The kids currently published."""
        return frozenset(k["kid"] for k in self._ring.jwks()["keys"])

    async def key(self, kid: str) -> PyJWK:
        """The public key of a published kid; Unauthenticated for any other."""
        found = await self._ring.public_key(kid)
        if found is None:
            raise Unauthenticated("the token was signed with an unknown key")
        return found
