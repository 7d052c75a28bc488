"""Route dependencies for lists and searches: `Listing` and `SearchListing` (see lists.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from uponyaji_events.envelope import Event

from uponyaji_access.audit import AuditLog
from uponyaji_access.dependencies import AccessDep, CurrentPrincipal, route_template
from uponyaji_access.grant import Grant
from uponyaji_access.lists import ListAudit, Result


class Listed:
    """A request's recorder of what its list or search returned (call it once, before answering)."""

    def __init__(self, lists: ListAudit, audit: AuditLog | None, method: str, route: str) -> None:
        self._lists = lists
        self._audit = audit
        self._method = method
        self._route = route

    async def __call__(
        self, grant: Grant, results: Iterable[Result], *, query: str | None = None
    ) -> Event:
        """Record the survivors returned (and the search text's keyed hash, given `query`)."""
        return await self._lists.record(
            self._audit, grant, results, query=query, method=self._method, route=self._route
        )

    async def filtered(self, grant: Grant, survivor_ids: Iterable[UUID]) -> Event:
        """Record a list the query limited to the caller's caseload when the scope says so:
        each survivor on it (true) under scope `caseload`, not known (null) otherwise."""
        on = True if grant.caseload_filter() is not None else None
        return await self(grant, [(survivor, on) for survivor in survivor_ids])


async def listing(request: Request, access: AccessDep) -> Listed:
    """The `Listing` dependency: a recorder for a list's results."""
    return Listed(access.lists, access.audit, request.method, route_template(request))


async def search_listing(
    request: Request, principal: CurrentPrincipal, access: AccessDep
) -> Listed:
    """The `SearchListing` dependency: counts the search against the caller's limit (429)."""
    access.lists.limit_search(principal)
    return Listed(access.lists, access.audit, request.method, route_template(request))


Listing = Annotated[Listed, Depends(listing)]
SearchListing = Annotated[Listed, Depends(search_listing)]
