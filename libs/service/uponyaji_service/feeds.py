"""Reading another service's feed over HTTP, quietly: an unreachable source reads as empty.

NATS is a consumer's fast path; the source's feed (`GET /feed`, read with this service's
service token, or an operator's `<NAME>_FEED_TOKEN`) repairs gaps. When the source or identity
is away, or no credentials are configured, the feed reads as empty and says so in the log at
most once a minute; its head (for lag and rebuilds) raises instead, so nobody mistakes "cannot
tell" for "nothing there".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import httpx
from pydantic import SecretStr
from uponyaji_access import ServiceTokens
from uponyaji_events import HttpFeed
from uponyaji_events.envelope import Event

log = logging.getLogger("uponyaji.service.feeds")
Headers = Callable[[], Awaitable[dict[str, str]]]


class QuietFeed:
    """A feed that reads as empty (logging rarely) when the source is unreachable or refuses."""

    def __init__(self, feed: HttpFeed, source: str) -> None:
        self.feed = feed
        self.source = source
        self._logged = 0.0
        self._head: tuple[float, int | None] = (-1.0, None)

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events after a position, or none if the feed cannot be read."""
        try:
            return await self.feed.read(after, limit)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            if time.monotonic() - self._logged > 60:
                self._logged = time.monotonic()
                log.warning("feed of %s unavailable (%s)", self.source, type(exc).__name__)
            return []

    async def head(self) -> int:
        """The source's head (cached for a second); raises ValueError when it cannot be read."""
        checked, head = self._head
        if time.monotonic() - checked > 1.0:
            try:
                head = await self.feed.head()
            except (httpx.HTTPError, ValueError, KeyError):
                head = None
            self._head = (time.monotonic(), head)
        if head is None:
            raise ValueError(f"the feed of {self.source} cannot be read")
        return head

    async def public_keys(self) -> dict[str, bytes]:
        """The source's signing keys; raises when they cannot be read (events then wait)."""
        return await self.feed.public_keys()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.feed.client.aclose()


def feed_auth(
    source: str, tokens: ServiceTokens | None, operator_token: SecretStr | None = None
) -> Headers | None:
    """Headers for a source's feed: this service's own service token, else an operator's."""
    if tokens is not None:
        return tokens.auth(source)
    if operator_token is None:
        return None
    token = operator_token.get_secret_value()

    async def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return headers


def http_feed(source: str, url: str, auth: Headers | None) -> QuietFeed:
    """The feed of `source` at `url`, read with `auth`'s headers (see `feed_auth`)."""
    client = httpx.AsyncClient(base_url=url, timeout=5.0)
    return QuietFeed(HttpFeed(client, auth=auth), source)
