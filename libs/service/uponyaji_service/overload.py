"""A bounded concurrency limit: past it a request waits briefly, then gets 503 + Retry-After.

Without a limit, a service offered more requests than its CPU can serve queues every one of
them: answers arrive seconds late, clients time out and drop connections, and the work done for
requests nobody waits for any more makes it worse. With the limit, at most `limit` requests are
handled at once, at most `queue` more wait (each for at most `wait` seconds), and everything
beyond that is answered at once with 503 and `Retry-After`, so the requests that are served stay
fast and the refused ones can be retried. The probes (`/live`, `/ready`, `/health`) are never
limited: an orchestrator must see an overloaded service as alive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

PROBES = frozenset({"/live", "/ready", "/health"})


@dataclass
class OverloadStats:
    """What the limit did (health shows it)."""

    limit: int
    queue: int
    in_flight: int = 0
    waiting: int = 0
    refused_total: int = 0

    def as_dict(self) -> dict[str, int]:
        """A JSON-ready summary."""
        return {
            "limit": self.limit,
            "queue": self.queue,
            "in_flight": self.in_flight,
            "waiting": self.waiting,
            "refused_total": self.refused_total,
        }


@dataclass
class ConcurrencyLimit:
    """ASGI middleware: `limit` requests at once, `queue` waiting up to `wait` s, else 503."""

    app: ASGIApp
    limit: int = 64
    queue: int = 64
    wait: float = 0.5
    retry_after: int = 1
    stats: OverloadStats = field(init=False)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        if self.limit < 1 or self.queue < 0 or self.wait < 0:
            raise ValueError("the concurrency limit needs limit ≥ 1, queue ≥ 0 and wait ≥ 0")
        self.stats = OverloadStats(self.limit, self.queue)
        self._slots = asyncio.Semaphore(self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request within the limit, or refuse it quickly."""
        if scope["type"] != "http" or scope.get("path") in PROBES:
            await self.app(scope, receive, send)
            return
        if not await self._enter():
            self.stats.refused_total += 1
            await self._refuse(send)
            return
        self.stats.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.stats.in_flight -= 1
            self._slots.release()

    async def _enter(self) -> bool:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: taken without waiting
            return True
        if self.stats.waiting >= self.queue or self.wait == 0:
            return False
        self.stats.waiting += 1
        try:
            async with asyncio.timeout(self.wait):
                await self._slots.acquire()
            return True
        except TimeoutError:
            return False
        finally:
            self.stats.waiting -= 1

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "error": "Overloaded",
                "detail": "the service is handling as many requests as it can; "
                f"retry in {self.retry_after} s",
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
