"""Service tokens: one service's credential for reading another's `GET /feed`.

identity issues them (`POST /auth/service-token`, OAuth2 client credentials: client id = the
service's name, client secret from a file) as EdDSA JWTs like staff tokens, with the single role
`service`, `aud` = the services asked for, and a 5-minute lifetime. `ServiceTokens` fetches one
per audience, caches it and fetches a new one shortly before it expires; `auth(audience)` is the
async header callable `HttpFeed(client, auth=...)` takes. After a failed fetch it waits a few
seconds before asking identity again (a wrong secret must not spend the token-request budget that
services on the same host share). The secret and tokens are never logged.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from uponyaji_access.settings import AccessSettings

SERVICE_ROLE = "service"
SERVICE_TOKEN_LIFETIME = 5 * 60  # seconds, as identity issues them
TOKEN_PATH = "/auth/service-token"  # noqa: S105 - a route, not a secret
_SUBJECTS = uuid.UUID("5b0c4f0e-7d1a-4c55-9a53-0f6d2b1e8c11")  # namespace of service subjects

RETRY_AFTER = 5.0  # seconds without asking identity after a failed fetch (unless it says longer)
Headers = Callable[[], Awaitable[dict[str, str]]]


class TokenUnavailable(httpx.HTTPError):
    """No service token now: identity refused or was unreachable moments ago (an httpx error, so
    feed readers treat it like a source that is away)."""


def service_subject(client_id: str) -> uuid.UUID:
    """The `sub` of a service's tokens: a stable UUID derived from its name (never a staff id)."""
    return uuid.uuid5(_SUBJECTS, f"service:{client_id}")


def service_username(client_id: str) -> str:
    """The `username` claim of a service's tokens, e.g. `service:intake`."""
    return f"{SERVICE_ROLE}:{client_id}"


class ServiceTokens:
    """Fetches, caches and renews this service's tokens from identity, one per audience."""

    def __init__(
        self,
        client_id: str,
        secret: str,
        identity_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client_id = client_id
        self._secret = secret
        self._url = identity_url.rstrip("/") + TOKEN_PATH
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._clock = clock
        self._cache: dict[tuple[str, ...], tuple[str, float]] = {}
        self._locks: dict[tuple[str, ...], asyncio.Lock] = {}
        self._quiet_until = 0.0

    @classmethod
    def for_service(
        cls,
        service: str,
        settings: AccessSettings | None = None,
        *,
        client: httpx.AsyncClient | None = None,
    ) -> ServiceTokens | None:
        """From `<SERVICE>_SERVICE_CLIENT_SECRET_FILE`, `<SERVICE>_IDENTITY_URL`; None if unset."""
        settings = settings or AccessSettings.for_service(service)
        if settings.service_client_secret_file is None:
            return None
        secret = read_secret(settings.service_client_secret_file)
        return cls(
            service, secret, settings.identity_url, client=client, timeout=settings.http_timeout
        )

    async def token(self, *audience: str) -> str:
        """A token for these services that is valid for at least the renewal margin."""
        key = tuple(sorted(set(audience)))
        if not key:
            raise ValueError("a service token needs at least one audience")
        cached = self._cache.get(key)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._cache.get(key)
            if cached is not None and cached[1] > self._clock():
                return cached[0]
            if self._clock() < self._quiet_until:
                raise TokenUnavailable("no service token: identity refused or was away just now")
            try:
                token, lifetime = await self._fetch(key)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                self._quiet_until = self._clock() + _retry_after(exc)
                raise
            # Renew when a fifth of the lifetime (at most a minute) is left: a token handed out
            # now stays valid through a slow page read and the services' clock leeway.
            self._cache[key] = (token, self._clock() + lifetime - min(60.0, lifetime / 5))
            return token

    async def headers(self, *audience: str) -> dict[str, str]:
        """`{"Authorization": "Bearer …"}` for a request to these services."""
        return {"Authorization": f"Bearer {await self.token(*audience)}"}

    def auth(self, *audience: str) -> Headers:
        """An async header callable for `HttpFeed(client, auth=...)` reading these services."""

        async def headers() -> dict[str, str]:
            return await self.headers(*audience)

        return headers

    def forget(self) -> None:
        """Drop cached tokens (the next call fetches new ones)."""
        self._cache.clear()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _fetch(self, audience: tuple[str, ...]) -> tuple[str, float]:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "audience": list(audience),
        }
        response = await self._client.post(self._url, json=body)
        response.raise_for_status()  # httpx.HTTPStatusError: callers treat it as "feed away"
        data = response.json()
        token, lifetime = data["access_token"], data["expires_in"]
        if not isinstance(token, str) or not isinstance(lifetime, int) or lifetime <= 0:
            raise ValueError("identity answered the service-token request with a malformed body")
        return token, float(lifetime)


def _retry_after(exc: Exception) -> float:
    """How long to leave identity alone after a failure (its Retry-After on 429, else 5 s)."""
    if isinstance(exc, httpx.HTTPStatusError):
        try:
            return max(RETRY_AFTER, float(exc.response.headers.get("retry-after", 0)))
        except ValueError:
            return RETRY_AFTER
    return RETRY_AFTER


def read_secret(path: Path) -> str:
    """A client secret from its file (surrounding whitespace ignored); ValueError if empty."""
    secret = path.read_text("utf-8").strip()
    if not secret:
        raise ValueError(f"the client secret file {path} is empty")
    return secret
