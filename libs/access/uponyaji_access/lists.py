"""Searches and lists made accountable: which survivors were returned, and a keyed query hash.

An audited list action (intake's search, open risk flags, follow-ups due...) is recorded before its
handler runs, like every audited action, but that record cannot know what the list will hold. So
the route, once it has its results and before it answers, records `<service>.SurvivorsListed`:
the survivor ids returned, whether each was on the caller's caseload, how many, and for a search
the keyed hash of its text (never the text: `keyed_hash.AuditKey`). If that record cannot be
stored the request fails with 503 and returns nothing, as for any audited read.

Searches are also rate-limited per staff member (429 with Retry-After): a search confirms whether
someone is a client, so it must not become a way to walk the register.

Routes take the `Listing` (or `SearchListing`) dependency of `listing.py` and call it with their
results:

    @router.get("/risk-flags")
    async def flags(grant: FlagsRead, listed: Listing) -> ...:
        rows = ...
        await listed(grant, [(row.survivor_id, True) for row in rows])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from uponyaji_events.envelope import Event

from uponyaji_access.audit import AuditLog
from uponyaji_access.errors import AuditUnavailable
from uponyaji_access.grant import Grant
from uponyaji_access.keyed_hash import KEY_FILE_ENV, AuditKey
from uponyaji_access.principal import Principal
from uponyaji_access.ratelimit import SlidingWindow

LISTED = "SurvivorsListed"
LISTED_SCHEMA_VERSION = 1
DEFAULT_SEARCHES = 30  # per staff member per window
DEFAULT_SEARCH_WINDOW = 60.0  # seconds

Result = tuple[UUID, bool | None]  # a survivor returned, and whether on the caller's caseload


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """What one list or search returned, as the audit log keeps it (ids and a keyed hash)."""

    staff_id: UUID
    role: str | None
    roles: tuple[str, ...]
    sid: str
    action: str
    purpose: str
    scope: str | None
    results: tuple[Result, ...]
    query_hash: str | None
    method: str
    route: str
    at: datetime

    def payload(self) -> dict[str, Any]:
        """The event payload: ids, names and the query's keyed hash only."""
        return {
            "staff_id": str(self.staff_id),
            "role": self.role,
            "roles": list(self.roles),
            "session_id": self.sid,
            "action": self.action,
            "purpose": self.purpose,
            "scope": self.scope,
            "query_hash": self.query_hash,
            "result_count": len(self.results),
            "results": [
                {"survivor_id": str(survivor), "on_caseload": on} for survivor, on in self.results
            ],
            "method": self.method,
            "route": self.route,
            "at": self.at.isoformat(),
        }


class ListAudit:
    """One service's keyed query hashing and per-staff search limit."""

    def __init__(self, key: AuditKey | None, searches: SlidingWindow) -> None:
        self._key = key
        self.searches = searches

    @property
    def key(self) -> AuditKey:
        """The audit key, read from the environment on first use when none was given."""
        if self._key is None:
            self._key = AuditKey.from_environment()
        return self._key

    @classmethod
    def create(
        cls,
        key: AuditKey | None = None,
        *,
        limit: int = DEFAULT_SEARCHES,
        window: float = DEFAULT_SEARCH_WINDOW,
    ) -> ListAudit:
        """With the deployment's key: given, or `UPONYAJI_AUDIT_KEY_FILE` read now (a bad file
        stops the service at start); unset, a key of this process made at first use."""
        if key is None and os.environ.get(KEY_FILE_ENV):
            key = AuditKey.from_environment()
        return cls(key, SlidingWindow(limit, window, what="searches"))

    def limit_search(self, principal: Principal) -> None:
        """Count one search by this staff member; 429 once over the limit."""
        self.searches.hit(str(principal.staff_id))

    async def record(
        self,
        audit: AuditLog | None,
        grant: Grant,
        results: Iterable[Result],
        *,
        query: str | None,
        method: str,
        route: str,
    ) -> Event:
        """Store which survivors a list returned (503 and no answer if it cannot be stored)."""
        if audit is None:
            raise AuditUnavailable(f"no audit log: {grant.action} is refused")
        principal = grant.principal
        unique: dict[UUID, bool | None] = {}
        for survivor, on in results:
            known = unique.get(survivor)
            # One entry per survivor; off the caseload wins over on, known over unknown.
            unique[survivor] = on if known is None or on is False else known
        entry = ListedRecord(
            staff_id=principal.staff_id,
            role=grant.role,
            roles=tuple(sorted(r for r in principal.roles if r in grant.policy.roles)),
            sid=principal.sid,
            action=grant.action,
            purpose=grant.purpose,
            scope=grant.scope,
            results=tuple(unique.items()),
            query_hash=None if query is None else self.key.query(query),
            method=method,
            route=route,
            at=datetime.now(UTC),
        )
        return await audit.append(
            LISTED,
            entry.payload(),
            staff_id=entry.staff_id,
            role=entry.role or ",".join(entry.roles) or "none",
            at=entry.at,
            schema_version=LISTED_SCHEMA_VERSION,
        )
