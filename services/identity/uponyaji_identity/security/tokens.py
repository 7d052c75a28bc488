"""Access tokens (EdDSA JWTs, the contract every service verifies) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import jwt
from uponyaji_access.service_tokens import (
    SERVICE_ROLE,
    SERVICE_TOKEN_LIFETIME,
    service_subject,
    service_username,
)

from ..security.keys import SigningKey

ISSUER = "uponyaji-identity"
ALGORITHM = "EdDSA"
ACCESS_TOKEN_SECONDS = 15 * 60
AUDIENCES: tuple[str, ...] = (
    "identity",
    "intake",
    "medical",
    "psychosocial",
    "empowerment",
    "reporting",
)


def access_claims(
    *,
    staff_id: UUID,
    username: str,
    roles: Iterable[str],
    teams: Iterable[UUID],
    sid: UUID,
    now: datetime,
    audiences: Iterable[str] = AUDIENCES,
) -> dict[str, Any]:
    """The claims of an access token for one session (the token contract of docs/identity.md)."""
    issued = int(now.timestamp())
    return {
        "iss": ISSUER,
        "sub": str(staff_id),
        "aud": list(audiences),
        "iat": issued,
        "nbf": issued,
        "exp": issued + ACCESS_TOKEN_SECONDS,
        "jti": str(uuid4()),
        "sid": str(sid),
        "username": username,
        "roles": sorted(roles),
        "teams": sorted(str(team) for team in teams),
    }


def service_claims(*, client_id: str, audiences: Iterable[str], now: datetime) -> dict[str, Any]:
    """The claims of a service token: role `service` only, no teams, a 5-minute life."""
    issued = int(now.timestamp())
    jti = str(uuid4())
    return {
        "iss": ISSUER,
        "sub": str(service_subject(client_id)),
        "aud": sorted(set(audiences)),
        "iat": issued,
        "nbf": issued,
        "exp": issued + SERVICE_TOKEN_LIFETIME,
        "jti": jti,
        "sid": f"{SERVICE_ROLE}-{jti}",  # no session: each token stands alone
        "username": service_username(client_id),
        "roles": [SERVICE_ROLE],
        "teams": [],
    }


def sign(claims: dict[str, Any], key: SigningKey) -> str:
    """The signed JWT, with the key's id in its header."""
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})


def new_refresh_token() -> str:
    """A fresh opaque refresh token (256 random bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> bytes:
    """The stored form of a refresh token (SHA-256: the token itself has full entropy)."""
    return hashlib.sha256(token.encode("utf-8")).digest()
