"""Token-signing keys: Ed25519, sealed at rest, rotated by `kid` without logging anyone out.

Each key's private half is sealed with the kernel's `Sealer` (subject `identity-signing-keys`, so
its data key is wrapped by the service's KEK, which never enters the database) and stored in
`signing_keys`. A database copy alone therefore cannot mint tokens. A new key is published
`PUBLISH_LEAD` before it signs; the most recently activated key signs; a superseded key stays in
the JWKS for one access-token lifetime plus a margin, so tokens it signed keep verifying.
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
# A new key is in the JWKS this long before it signs: services refetch the JWKS at most once a
# second on an unknown kid, so a token with the new kid never meets a cache fetched just before.
PUBLISH_LEAD = timedelta(seconds=10)
_ROTATE_LOCK = 0x6964_5F6B_6579_73  # "id_keys": one rotation at a time per database
_RELOAD_COOLDOWN = 1.0


def _context(kid: str) -> str:
    return f"identity.signing_keys/{kid}"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One Ed25519 key pair with its id and the moment it starts signing."""

    kid: str
    private: Ed25519PrivateKey = field(repr=False)
    created_at: datetime
    activates_at: datetime

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
        self._looked_up_at = -_RELOAD_COOLDOWN  # last reload for an unknown kid
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"KeyRing(kids={sorted(self._keys)})"  # never key material

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens: the most recently activated one."""
        now = datetime.now(UTC)
        active = [k for k in self._keys.values() if k.activates_at <= now]
        if not active:
            raise RuntimeError("no active signing key: call ensure_current() at startup")
        return max(active, key=lambda k: k.activates_at)

    def jwks(self) -> dict[str, Any]:
        """The JWKS: the current key, the next one if announced, and recent previous ones."""
        return {"keys": [key.jwk() for key in self._keys.values()]}

    async def load(self) -> None:
        """Read every published key from the database (new rows unsealed, dropped ones removed)."""
        rows = await self._pool.fetch(
            "SELECT kid, private_key, created_at, activates_at FROM signing_keys "
            "WHERE publish_until IS NULL OR publish_until > now() ORDER BY activates_at"
        )
        keys: dict[str, SigningKey] = {}
        for row in rows:
            known = self._keys.get(row["kid"])
            if known is None:
                sealed = row["private_key"]
                raw = await self._sealer.unseal(SEAL_SUBJECT, _context(row["kid"]), sealed)
                private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw))
            else:
                private = known.private
            keys[row["kid"]] = SigningKey(
                row["kid"], private, row["created_at"], row["activates_at"]
            )
        self._keys = keys

    async def ensure_current(self) -> None:
        """Load the keys; make one if there is none, rotate if the newest is past max_age."""
        await self.load()
        if not self._keys:
            await self.rotate(lead=timedelta(0), only_if_older_than=self.max_age)
            return
        newest = max(self._keys.values(), key=lambda k: k.created_at)
        if datetime.now(UTC) - newest.created_at > self.max_age:
            await self.rotate(only_if_older_than=self.max_age)

    async def rotate(
        self, *, lead: timedelta = PUBLISH_LEAD, only_if_older_than: timedelta | None = None
    ) -> SigningKey:
        """Announce a new key that signs after `lead`; earlier keys stay published a while after.

        With `only_if_older_than`, nothing happens if another process made a key that recently.
        """
        private = Ed25519PrivateKey.generate()
        kid = f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(6)}"
        raw = base64.b64encode(private.private_bytes_raw()).decode("ascii")
        sealed = await self._sealer.seal(SEAL_SUBJECT, _context(kid), raw)
        now = datetime.now(UTC)
        key = SigningKey(kid, private, now, now + lead)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _ROTATE_LOCK)
            fresh = only_if_older_than is not None and await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM signing_keys "
                "WHERE created_at > now() - $1::interval)",
                only_if_older_than,
            )
            if not fresh:
                # Keys it supersedes stay published until their last tokens have expired.
                await conn.execute(
                    "UPDATE signing_keys SET publish_until = $1 WHERE publish_until IS NULL",
                    key.activates_at + PUBLISH_AFTER_RETIREMENT,
                )
                await conn.execute(
                    "INSERT INTO signing_keys "
                    "(kid, public_jwk, private_key, created_at, activates_at) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    kid,
                    key.jwk(),
                    str(sealed),
                    key.created_at,
                    key.activates_at,
                )
        await self.load()
        return self._keys.get(kid, key)

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
