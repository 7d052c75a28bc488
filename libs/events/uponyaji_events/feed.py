"""The event feed: `GET /feed?after=&limit=` from the store, and clients that read it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Annotated, Any, Protocol

import httpx
from fastapi import APIRouter, Query, Response
from fastapi.params import Depends
from pydantic import BaseModel

from uponyaji_events.codec import dumps, from_wire, to_wire
from uponyaji_events.envelope import Event
from uponyaji_events.seals import Seal, seal_from_wire, seal_to_wire
from uponyaji_events.signing import keys_from_document
from uponyaji_events.store import EventStore

MAX_PAGE = 1000
MAX_POSITION = 2**63 - 1  # positions are PostgreSQL bigints


class FeedPage(BaseModel):
    """One page of a service's events in position order, with the store's epoch."""

    events: list[dict[str, Any]]
    head: int
    next_after: int
    epoch: str | None = None
    # Signed statements over whole blocks of the page's positions (uponyaji_events.seals).
    seals: list[dict[str, Any]] = []


class FeedKey(BaseModel):
    """One Ed25519 public key that verifies the service's event signatures (JWK fields)."""

    kty: str
    crv: str
    use: str
    kid: str
    x: str  # the public key, base64url without padding
    status: str  # "active" signs new events; "retired" still verifies older ones


class FeedKeys(BaseModel):
    """The public keys of one service's event signatures, active and retired."""

    service: str
    keys: list[FeedKey]


class EpochEvents(list[Event]):
    """Events read from a feed, with the epoch (store identity) of the store they came from.

    A consumer compares it with the epoch it last applied from: a changed epoch means the
    source's store was restored or recovered, and positions may have been handed out again.
    """

    def __init__(
        self, events: Iterable[Event] = (), epoch: str | None = None, seals: Sequence[Seal] = ()
    ) -> None:
        super().__init__(events)
        self.epoch = epoch
        self.seals = list(seals)  # range statements over blocks of these events' positions


def epoch_of(events: Sequence[Event]) -> str | None:
    """The epoch a page of events was read in, when its feed told it."""
    return events.epoch if isinstance(events, EpochEvents) else None


class FeedSource(Protocol):
    """Where a consumer reads a source's events by position (to repair gaps or rebuild)."""

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events with position > after, in order, at most `limit`."""
        ...

    async def head(self) -> int:
        """The source's highest position right now."""
        ...


def feed_router(
    store: Callable[[], EventStore], *, dependencies: Sequence[Depends] = ()
) -> APIRouter:
    """A router serving the store's events; pass the service's auth as a dependency."""
    router = APIRouter(dependencies=list(dependencies), tags=["feed"])

    @router.get("/feed", responses={200: {"model": FeedPage}}, response_class=Response)
    async def read_feed(
        after: Annotated[
            int, Query(ge=0, le=MAX_POSITION, description="Return events after this position")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")] = 500,
    ) -> Response:
        """Events after a position, in commit order (for consumers' repair and rebuild)."""
        epoch = await store().epoch()
        events = await store().read_all(after, limit)
        head = await store().head()
        last = events[-1].position if events else after
        seals = await store().read_seals(after, last or after)
        body = {
            "events": [to_wire(e) for e in events],
            "head": head,
            "next_after": last,
            "epoch": epoch,
            "seals": [seal_to_wire(s) for s in seals],
        }
        return Response(content=dumps(body), media_type="application/json")

    @router.get("/feed/keys", responses={200: {"model": FeedKeys}}, response_class=Response)
    async def read_keys() -> Response:
        """The public keys that verify this service's event signatures (active and retired)."""
        signer = store().signer
        if signer is None:
            body = {"error": "NotFound", "detail": "this service does not sign its events"}
            return Response(content=dumps(body), status_code=404, media_type="application/json")
        return Response(content=dumps(signer.document()), media_type="application/json")

    return router


class StoreFeed:
    """A feed read straight from an EventStore (the service's own projections, tests)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events with position > after from the store, with its epoch."""
        await self.store.sequence()
        epoch = await self.store.epoch()
        events = await self.store.read_all(after, limit)
        last = events[-1].position if events else None
        seals = await self.store.read_seals(after, last) if last is not None else []
        return EpochEvents(events, epoch, seals)

    async def head(self) -> int:
        """The store's highest sequenced position."""
        await self.store.sequence()
        return await self.store.head()

    async def public_keys(self) -> dict[str, bytes]:
        """The store's signing keys (public halves)."""
        return self.store.signer.public_keys() if self.store.signer is not None else {}


class HttpFeed:
    """A feed read over HTTP from another service's `GET /feed`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        path: str = "/feed",
        auth: Callable[[], Awaitable[dict[str, str]]] | None = None,
    ) -> None:
        self.client = client
        self.path = path
        self.auth = auth

    async def _page(self, after: int, limit: int) -> dict[str, Any]:
        headers = await self.auth() if self.auth else {}
        response = await self.client.get(
            self.path, params={"after": after, "limit": min(limit, MAX_PAGE)}, headers=headers
        )
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        return page

    async def read(self, after: int, limit: int) -> list[Event]:
        """Events with position > after from the remote service."""
        page = await self._page(after, limit)
        seals = []
        for item in page.get("seals") or []:
            try:
                seals.append(seal_from_wire(item))
            except (KeyError, ValueError, TypeError):
                continue  # a malformed statement covers nothing: its events are checked singly
        events = (from_wire(item) for item in page["events"])
        return EpochEvents(events, page.get("epoch"), seals)

    async def head(self) -> int:
        """The remote service's highest position."""
        page = await self._page(0, 1)
        return int(page["head"])

    async def public_keys(self) -> dict[str, bytes]:
        """The remote service's public signing keys, read with the same authentication."""
        headers = await self.auth() if self.auth else {}
        response = await self.client.get(f"{self.path}/keys", headers=headers)
        response.raise_for_status()
        return keys_from_document(response.json())
