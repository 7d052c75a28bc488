"""Reading another service's feed over HTTP, quietly: an unreachable source reads as empty.

NATS is a consumer's fast path; the source's feed (`GET /feed`, read with this service's
service token) repairs gaps. When the source or identity is away, or no credentials are
configured, the feed reads as empty and says so in the log at most once a minute.
"""

from __future__ import annotations

import logging
import time

import httpx
from uponyaji_access import ServiceTokens
from uponyaji_events import HttpFeed
from uponyaji_events.envelope import Event

log = logging.getLogger("uponyaji.service.feeds")


class QuietFeed:
    """A feed that reads as empty (logging rarely) when the source is unreachable or refuses."""

    def __init__(self, feed: HttpFeed, source: str) -> None:
        self.feed = feed
        self.source = source
        self._logged = 0.0

    def _note(self, exc: Exception) -> None:
        if time.monotonic() - self._logged > 60:
            self._logged = time.monotonic()
            log.warning("feed of %s unavailable (%s)", self.source, type(exc).__name__)

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events after a position, or none if the feed cannot be read."""
        try:
            return await self.feed.read(after, limit)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            self._note(exc)
            return []

    async def head(self) -> int:
        """The source's head, or 0 if the feed cannot be read."""
        try:
            return await self.feed.head()
        except (httpx.HTTPError, ValueError, KeyError):
            return 0

    async def public_keys(self) -> dict[str, bytes]:
        """The source's signing keys; raises when they cannot be read (events then wait)."""
        return await self.feed.public_keys()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.feed.client.aclose()


def http_feed(source: str, url: str, tokens: ServiceTokens | None) -> QuietFeed:
    """The feed of `source` at `url`, read with this service's token for it when there is one."""
    auth = tokens.auth(source) if tokens is not None else None
    client = httpx.AsyncClient(base_url=url, timeout=5.0)
    return QuietFeed(HttpFeed(client, auth=auth), source)
