"""The access audit: who looked at which survivor, why, and what came of it, in the service's store.

Each record is an event `<service>.SurvivorDataAccessed` (audited actions, every outcome) or
`<service>.AccessDenied` (refused attempts at other actions), appended to the stream
`audit-<yyyy-mm-dd>-<staff id>` (stream type `audit`) before the handler runs. One stream per
staff member and day keeps a hash chain of each reader's trail and lets different readers append
without contending. A record holds ids, names of actions, roles and purposes, never sealed values,
and whether the survivor was on the reader's caseload (`on_caseload`, audit schema version 2).
If it cannot be written, `AuditUnavailable` (503) is raised and the request returns no data.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from uponyaji_events.contracts.kernel import AUDIT_SCHEMA_VERSION
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.metrics import audit_writes
from uponyaji_events.store import EventStore

from uponyaji_access.errors import AuditUnavailable
from uponyaji_access.policy import Outcome

log = logging.getLogger("uponyaji.access.audit")

STREAM_TYPE = "audit"
ACCESSED = "SurvivorDataAccessed"
DENIED = "AccessDenied"


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One attempt to act on survivor data, as the audit log keeps it."""

    staff_id: UUID
    role: str | None
    roles: tuple[str, ...]
    sid: str
    action: str
    survivor_id: UUID | None
    purpose: str
    outcome: Outcome
    scope: str | None
    method: str
    route: str
    at: datetime
    on_caseload: bool | None = None  # None: not known (no survivor, unknown, refused by role)

    def payload(self) -> dict[str, Any]:
        """The event payload: ids and names only."""
        return {
            "staff_id": str(self.staff_id),
            "role": self.role,
            "roles": list(self.roles),
            "session_id": self.sid,
            "action": self.action,
            "survivor_id": None if self.survivor_id is None else str(self.survivor_id),
            "purpose": self.purpose,
            "outcome": self.outcome,
            "scope": self.scope,
            "on_caseload": self.on_caseload,
            "method": self.method,
            "route": self.route,
            "at": self.at.isoformat(),
        }


class AuditLog:
    """Writes access records to one service's own event store."""

    def __init__(self, store: EventStore, service: str, *, timeout: float = 5.0) -> None:
        self.store = store
        self.service = service
        self.timeout = timeout

    async def record(self, entry: AccessRecord, *, kind: str = ACCESSED) -> Event:
        """Append one access record; AuditUnavailable (503) if it cannot be stored."""
        return await self.append(
            kind,
            entry.payload(),
            staff_id=entry.staff_id,
            role=entry.role or ",".join(entry.roles) or "none",
            at=entry.at,
            schema_version=AUDIT_SCHEMA_VERSION,
            what=entry.action,
        )

    async def append(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        staff_id: UUID | str,
        role: str,
        at: datetime,
        schema_version: int,
        what: str | None = None,
        actor: Actor | None = None,
    ) -> Event:
        """Append `<service>.<kind>` to the audit stream of `staff_id` and the day of `at`.

        `staff_id` names the stream's owner: a staff id, or another key of one trail (identity's
        sign-in records use the keyed hash of the username typed); `actor` defaults to
        `staff_id` acting as `role`. AuditUnavailable (503) if the record cannot be stored.
        """
        stream = f"audit-{at.astimezone(UTC):%Y-%m-%d}-{staff_id}"
        actor = actor or Actor(id=str(staff_id), role=role)
        event = NewEvent(
            f"{self.service}.{kind}", payload, schema_version=schema_version, occurred_at=at
        )
        try:
            async with asyncio.timeout(self.timeout):
                [stored] = await self.store.append(STREAM_TYPE, stream, None, [event], actor=actor)
        except Exception as exc:
            audit_writes.add(1, {"uponyaji.kind": kind, "uponyaji.stored": False})
            log.error(
                "audit record of %s could not be stored (%s): refusing the request",
                what or kind,
                type(exc).__name__,
            )
            raise AuditUnavailable(
                "this access could not be audited, so it was refused; try again later"
            ) from exc
        audit_writes.add(1, {"uponyaji.kind": kind, "uponyaji.stored": True})
        return stored
