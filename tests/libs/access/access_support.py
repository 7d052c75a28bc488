"""Test signing keys and tokens shaped exactly like identity's (synthetic staff only)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from uponyaji_events.envelope import Event
from uponyaji_events.store import EventStore

SERVICE = "testsvc"

Mint = Callable[..., str]  # mint(staff, **claim_overrides) -> token
WaitUntil = Callable[..., Awaitable[None]]  # the session's wait_until fixture
ISSUER = "uponyaji-identity"


@dataclass
class SigningKey:
    """An Ed25519 key pair with a kid, as identity would hold it."""

    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwk(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk()]}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": kid or self.kid})


@dataclass
class Staff:
    """A synthetic staff member: roles, teams and a stable id and session."""

    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)
    sid: str = field(default_factory=lambda: f"sess-{uuid.uuid4().hex}")
    username: str = "test.staff"

    def claims(
        self,
        *,
        aud: Iterable[str] = (SERVICE, "identity"),
        lifetime: int = 900,
        issued_ago: int = 0,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time()) - issued_ago
        return {
            "iss": ISSUER,
            "sub": str(self.staff_id),
            "aud": list(aud),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "sid": self.sid,
            "username": self.username,
            "roles": list(self.roles),
            "teams": list(self.teams),
            **extra,
        }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def audit_events(store: EventStore) -> list[Event]:
    """Every audit event in the store, in insertion order."""
    rows = await store.pool.fetch(
        "SELECT stream_id FROM events WHERE stream_type = 'audit' GROUP BY stream_id"
    )
    events: list[Event] = []
    for row in rows:
        events.extend(await store.load(row["stream_id"]))
    return sorted(events, key=lambda e: e.recorded_at)
