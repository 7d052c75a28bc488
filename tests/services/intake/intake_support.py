"""Intake API test support: signing keys and tokens shaped like identity's, synthetic bodies."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000a1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000a2")


@dataclass
class SigningKey:
    """An Ed25519 key pair with a kid, as identity holds it."""

    kid: str = field(default_factory=lambda: f"intake-test-{uuid.uuid4().hex[:8]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def token(self, staff: Staff) -> str:
        now = int(time.time())
        claims = {
            "iss": "uponyaji-identity",
            "sub": str(staff.staff_id),
            "aud": ["intake"],
            "iat": now,
            "nbf": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
            "sid": f"sess-{uuid.uuid4().hex}",
            "username": staff.username,
            "roles": list(staff.roles),
            "teams": [str(t) for t in staff.teams],
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


@dataclass
class Staff:
    """A synthetic staff member."""

    roles: tuple[str, ...]
    teams: tuple[uuid.UUID, ...] = ()
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)
    username: str = "test.staff"


def fake_name() -> str:
    """A synthetic name sharing no part but "Fake" with any other (no duplicate candidates)."""
    return f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"


def registration(name: str | None = None, **changes: Any) -> dict[str, Any]:
    """A registration body for a synthetic survivor."""
    body: dict[str, Any] = {
        "full_name": name or fake_name(),
        "county_code": "047",
        "gender": "female",
        "preferred_language": "sw",
        "estimated_birth_year": 1990,
    }
    body.update(changes)
    return body


def consent(scope: str, decision: str = "grant", **changes: Any) -> dict[str, Any]:
    """A consent body."""
    return {"scope": scope, "decision": decision, "method": "verbal", "language": "sw", **changes}


def incident(**changes: Any) -> dict[str, Any]:
    """An incident body."""
    return {
        "occurred_from": "2025-11-03",
        "place_type": "police_station",
        "perpetrators": ["kenya_police_service"],
        "methods": ["beating", "threats"],
        "narrative": "Synthetic narrative of a fake incident.",
        **changes,
    }


class As:
    """Requests as one staff member."""

    def __init__(self, http: httpx.AsyncClient, key: SigningKey, staff: Staff) -> None:
        self.http, self.key, self.staff = http, key, staff

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key.token(self.staff)}"}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self.headers(), **kw)

    async def post(self, url: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.http.post(url, json=body, headers=self.headers(), **kw)


async def count_events(pool: asyncpg.Pool, *, audit: bool = False) -> int:
    """How many events the store holds (audit records excluded unless asked)."""
    where = "" if audit else " WHERE stream_type <> 'audit'"
    return int(await pool.fetchval(f"SELECT count(*) FROM events{where}"))  # noqa: S608
