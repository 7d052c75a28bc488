"""Signing keys and access tokens shaped exactly like identity's, for synthetic staff only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

ISSUER = "uponyaji-identity"
SERVICE = "testsvc"  # the audience of the access library's own tests


@dataclass
class Staff:
    """A synthetic staff member: roles, teams (ids or names) and a stable id and session."""

    roles: tuple[str, ...]
    teams: tuple[Any, ...] = ()
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
        """An access token's claims for this staff member (`extra` adds or overrides)."""
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
            "teams": [str(t) for t in self.teams],
            **extra,
        }


@dataclass
class SigningKey:
    """An Ed25519 key pair with a kid, as identity holds it; `token` mints for `audience`."""

    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    audience: str = SERVICE

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK."""
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}

    def jwks(self) -> dict[str, Any]:
        """The key set a service trusts (its JWKS file)."""
        return {"keys": [self.jwk()]}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        """A token of these claims signed with this key (under another kid if given)."""
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": kid or self.kid})

    def token(self, staff: Staff) -> str:
        """A fresh access token for `audience`, in a session of its own, valid 15 minutes."""
        return self.sign(staff.claims(aud=[self.audience], sid=f"sess-{uuid.uuid4().hex}"))

    def step_up(self, staff: Staff, *, age: int = 0, audience: str | None = None) -> str:
        """A step-up token (a second factor `age` seconds ago) for `step-up:<audience>`."""
        now = int(time.time())
        return self.sign(
            {
                "iss": ISSUER,
                "sub": str(staff.staff_id),
                "aud": audience or f"step-up:{self.audience}",
                "iat": now - age,
                "nbf": now - age,
                "exp": now - age + 120 if age < 100 else now + 60,
                "auth_time": now - age,
                "amr": ["otp"],
                "jti": uuid.uuid4().hex,
            }
        )


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying a token."""
    return {"Authorization": f"Bearer {token}"}


class As:
    """Requests as one staff member, each with a fresh token."""

    def __init__(self, http: httpx.AsyncClient, key: SigningKey, staff: Staff) -> None:
        self.http, self.key, self.staff = http, key, staff

    def headers(self, **extra: str) -> dict[str, str]:
        """A fresh Authorization header (and any `extra` headers)."""
        return {**bearer(self.key.token(self.staff)), **extra}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        """GET as this staff member."""
        return await self.http.get(url, headers=self.headers(), **kw)

    async def post(self, url: str, body: Any = None, **kw: Any) -> httpx.Response:
        """POST a JSON body as this staff member."""
        return await self.http.post(url, json=body, headers=self.headers(), **kw)

    async def upload(self, url: str, data: bytes, **params: Any) -> httpx.Response:
        """POST raw bytes (a file) as this staff member."""
        headers = self.headers(**{"Content-Type": "application/octet-stream"})
        return await self.http.post(url, content=data, params=params, headers=headers)

    def step_up(self, **kw: Any) -> str:
        """A step-up token for this staff member."""
        return self.key.step_up(self.staff, **kw)


async def count_events(pool: asyncpg.Pool, *, audit: bool = False) -> int:
    """How many events the store holds (audit records excluded unless asked)."""
    where = "" if audit else " WHERE stream_type <> 'audit'"
    return int(await pool.fetchval(f"SELECT count(*) FROM events{where}"))  # noqa: S608
