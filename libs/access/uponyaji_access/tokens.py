"""Access-token verification: EdDSA signature by a known kid, time, issuer and audience, claims.

The token contract is identity's: header `alg=EdDSA`, `kid`; claims `iss`, `sub` (staff UUID),
`aud` (list of service names), `exp`, `iat`, `nbf`, `jti`, `sid`, `username`, `roles`, `teams`.
A service token (role `service`, see service_tokens.py) carries that role alone, no teams,
`username` = `service:<name>` and `sub` = `service_subject(<name>)`.
Tokens are never logged and never appear in an error's detail.

A verified token is remembered (by its SHA-256, never the token itself) until it expires, so a
staff member's next requests skip the header parse and the Ed25519 check (about 0.1 ms of CPU
each). A remembered token is still refused once expired or once identity stops publishing its
key; revocation is checked by `Access` on every request as before.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import jwt
from jwt import PyJWK
from jwt.exceptions import (
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
)

from uponyaji_access.errors import Unauthenticated
from uponyaji_access.jwks import JwksCache, parse_jwks
from uponyaji_access.principal import Principal
from uponyaji_access.service_tokens import SERVICE_ROLE, service_subject, service_username

ISSUER = "uponyaji-identity"
ALGORITHM = "EdDSA"
ACCESS_TOKEN_LIFETIME = 15 * 60  # seconds, as identity issues them
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "sid", "username", "roles"]
_MAX_TOKEN_CHARS = 8192
# Verified tokens remembered at most (least recently used go first). Each costs a few KB; a
# token lives 15 minutes, so 300 staff signed in hold a few hundred at a time.
CACHED_TOKENS = 1024


class TokenVerifier:
    """Checks access tokens for one service (its name is the audience it accepts)."""

    def __init__(
        self,
        service: str,
        jwks: JwksCache,
        *,
        leeway: float = 10.0,
        max_lifetime: float = ACCESS_TOKEN_LIFETIME,
        cache_size: int = CACHED_TOKENS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.service = service
        self.jwks = jwks
        self.leeway = leeway
        self.max_lifetime = max_lifetime
        self.cache_size = cache_size
        self.clock = clock
        self._test_keys: dict[str, PyJWK] = {}
        # sha256(token) -> (kid, principal, claims); only tokens that passed every check.
        self._verified: OrderedDict[bytes, tuple[str, Principal, dict[str, Any]]] = OrderedDict()

    def trust_test_keys(self, jwks: Mapping[str, Any]) -> None:
        """Also accept tokens signed by these keys (a test's own; see AccessSettings.jwks_file)."""
        self._test_keys.update(parse_jwks(jwks))

    async def key(self, kid: str) -> PyJWK:
        """The public key of a key id identity signs with (or a trusted test key)."""
        return self._test_keys.get(kid) or await self.jwks.key(kid)

    async def verify(self, token: str) -> tuple[Principal, dict[str, Any]]:
        """The principal and claims of a valid token; Unauthenticated (401) otherwise."""
        if not token or len(token) > _MAX_TOKEN_CHARS:
            raise Unauthenticated("the access token is malformed")
        digest = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(digest)
        if known is not None:
            kid, principal, claims = known
            if self.clock() > claims["exp"] + self.leeway:
                del self._verified[digest]
                raise Unauthenticated("the access token has expired")
            if await self._still_trusted(kid):
                self._verified.move_to_end(digest)
                return principal, claims
            del self._verified[digest]  # its key was withdrawn: verify it afresh (and refuse)
        principal, claims, kid = await self._verify(token)
        if self.cache_size > 0:
            self._forget_expired()
            self._verified[digest] = (kid, principal, claims)
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return principal, claims

    def _forget_expired(self) -> None:
        """Drop expired tokens from the least recently used end (they would only be refused)."""
        now = self.clock()
        while self._verified:
            oldest = next(iter(self._verified.values()))
            if now <= oldest[2]["exp"] + self.leeway:
                return
            self._verified.popitem(last=False)

    async def _still_trusted(self, kid: str) -> bool:
        if kid in self._test_keys:
            return True
        try:
            await self.jwks.key(kid)
        except Unauthenticated:
            return False
        return True

    async def _verify(self, token: str) -> tuple[Principal, dict[str, Any], str]:
        try:
            header = jwt.get_unverified_header(token)
        except InvalidTokenError:
            raise Unauthenticated("the access token is malformed") from None
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str) or not kid:
            raise Unauthenticated("the access token must be EdDSA-signed with a key id")
        key = await self.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self.service,
                issuer=ISSUER,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except ExpiredSignatureError:
            raise Unauthenticated("the access token has expired") from None
        except ImmatureSignatureError:
            raise Unauthenticated("the access token is not valid yet") from None
        except InvalidAudienceError:
            raise Unauthenticated(f"the access token is not meant for {self.service}") from None
        except InvalidIssuerError:
            raise Unauthenticated("the access token was not issued by identity") from None
        except InvalidSignatureError:
            raise Unauthenticated("the access token's signature is invalid") from None
        except MissingRequiredClaimError as exc:
            raise Unauthenticated(f"the access token lacks the {exc.claim} claim") from None
        except InvalidTokenError:
            raise Unauthenticated("the access token is invalid") from None
        return self._principal(claims), claims, kid

    def _principal(self, claims: dict[str, Any]) -> Principal:
        aud = claims["aud"]
        if not isinstance(aud, list):
            raise Unauthenticated("the access token's audience must be a list")
        lifetime = claims["exp"] - claims["iat"]
        if lifetime > self.max_lifetime + self.leeway:
            raise Unauthenticated("the access token lives longer than identity issues them")
        try:
            staff_id = UUID(str(claims["sub"]))
        except ValueError:
            raise Unauthenticated("the access token's subject is not a staff id") from None
        roles, teams = claims["roles"], claims.get("teams", [])
        strings = (claims["sid"], claims["jti"], claims["username"])
        if (
            not _strings(roles)
            or not _strings(teams)
            or not all(isinstance(s, str) and s for s in strings)
        ):
            raise Unauthenticated("the access token's claims are malformed")
        username = claims["username"]
        if SERVICE_ROLE in roles and not _service_shaped(staff_id, username, roles, teams):
            raise Unauthenticated("the access token's claims are malformed")
        return Principal(
            staff_id=staff_id,
            username=claims["username"],
            roles=frozenset(roles),
            teams=frozenset(teams),
            sid=claims["sid"],
            token_id=claims["jti"],
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )


def _service_shaped(sub: UUID, username: str, roles: list[str], teams: list[str]) -> bool:
    """A service token (role `service`) names one service and carries no other role or team."""
    prefix = f"{SERVICE_ROLE}:"
    client = username[len(prefix) :] if username.startswith(prefix) else ""
    return (
        bool(client)
        and roles == [SERVICE_ROLE]
        and not teams
        and username == service_username(client)
        and sub == service_subject(client)
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)
