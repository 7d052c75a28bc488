"""Identity's public signing keys (JWKS), cached, refetched on an unknown `kid`, rate-limited."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from uponyaji_access.errors import KeysUnavailable, Unauthenticated

log = logging.getLogger("uponyaji.access.jwks")

JWKS_PATH = "/.well-known/jwks.json"


def parse_jwks(document: Any) -> dict[str, PyJWK]:
    """The Ed25519 signing keys of a JWKS document by kid; other or malformed keys are skipped."""
    keys: dict[str, PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("a JWKS document needs a list of keys")
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        usable = (
            entry.get("kty") == "OKP"
            and entry.get("crv") == "Ed25519"
            and entry.get("use", "sig") == "sig"
            and entry.get("alg", "EdDSA") == "EdDSA"
            and isinstance(kid, str)
            and kid
        )
        if not usable:
            log.warning("skipping a JWKS entry that is not an Ed25519 signing key")
            continue
        try:
            keys[str(kid)] = PyJWK(entry, algorithm="EdDSA")
        except PyJWKError:
            log.warning("skipping malformed JWKS key %s", kid)
    return keys


class JwksCache:
    """Signing keys by kid: static ones (tests, identity's own) and those fetched from identity."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        static: Mapping[str, Any] | None = None,
        max_age: float = 300.0,
        refresh_cooldown: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if url is not None and client is None:
            raise ValueError("fetching a JWKS needs an httpx client")
        self.url = url
        self._client = client
        self._static: dict[str, PyJWK] = parse_jwks(static) if static is not None else {}
        self._fetched: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._max_age = max_age
        self._cooldown = refresh_cooldown
        self._clock = clock
        self._lock = asyncio.Lock()

    @classmethod
    def static_keys(cls, jwks: Mapping[str, Any]) -> JwksCache:
        """A cache that never fetches: exactly the keys of this JWKS document."""
        return cls(static=jwks)

    def add_static(self, jwks: Mapping[str, Any]) -> None:
        """Trust the keys of another JWKS document too (identity after rotating its own keys)."""
        self._static.update(parse_jwks(jwks))

    @property
    def kids(self) -> frozenset[str]:
        """The kids currently trusted."""
        return frozenset(self._static) | frozenset(self._fetched)

    async def key(self, kid: str) -> PyJWK:
        """The key for a kid; refetches (rate-limited) when it is unknown or the cache is old."""
        if kid in self._static:
            return self._static[kid]
        if self.url is not None and (kid not in self._fetched or self._stale()):
            await self.refresh()
        if kid in self._static:
            return self._static[kid]
        if kid in self._fetched:
            return self._fetched[kid]
        if not self.kids:
            raise KeysUnavailable("identity's signing keys could not be obtained")
        raise Unauthenticated("the token was signed with an unknown key")

    async def refresh(self, *, force: bool = False) -> bool:
        """Fetch identity's JWKS unless one was tried within the cooldown; True if keys changed."""
        if self.url is None or self._client is None:
            return False
        async with self._lock:
            now = self._clock()
            if (
                not force
                and self._attempted_at is not None
                and now - self._attempted_at < self._cooldown
            ):
                return False
            self._attempted_at = now
            try:
                response = await self._client.get(self.url + JWKS_PATH)
                response.raise_for_status()
                keys = parse_jwks(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("could not fetch identity's JWKS: %s", type(exc).__name__)
                return False
            changed = keys.keys() != self._fetched.keys()
            self._fetched = keys
            self._fetched_at = now
            return changed

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._max_age
