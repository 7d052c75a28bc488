"""A data subject's access request (Data Protection Act s.26): one survivor's records, opened.

Every service that stores survivor events serves `GET /survivors/{survivor_id}/subject-access`
(action `subject_access.export`: the data protection officer only, audited). The answer lists
every event of the service's store that concerns the survivor (audit records aside: those are
about staff), oldest first, with each sealed value unsealed with the survivor's own key.

Nothing of another person is returned: a part of an event about another survivor (a group
session's other participants, the other record of a merge) is left out, another survivor's id
reads `[another person]`, and a value sealed under another survivor's key cannot be opened with
this survivor's key and reads `[unreadable]`. After erasure the survivor's values read
`[erased]`. Which contexts are tried follows the sealing convention `<event type>/<field path>`
(docs/sealing.md), with the field's own name as a fallback (values sealed per participant).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Final
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from uponyaji_access import Grant, authorize
from uponyaji_events.sealing import ERASED, KeyDestroyed, Sealer, SealingError

from uponyaji_service.app import running

ANOTHER: Final = "[another person]"
UNREADABLE: Final = "[unreadable]"
ACTION: Final = "subject_access.export"
_OMIT: Final = object()  # a part of an event about another survivor, left out

_EVENTS = """
SELECT position, stream_type, stream_id, type, occurred_at, recorded_at, actor_role, payload
FROM events
WHERE position IS NOT NULL AND stream_type <> 'audit'
  AND (stream_id = $1 OR strpos(payload::text, $1) > 0)
ORDER BY position
"""


class SubjectRecord(BaseModel):
    """One event about the survivor, its sealed values opened."""

    position: int
    type: str = Field(description="The event's type, e.g. `intake.SurvivorRegistered`")
    stream_type: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by_role: str = Field(description="The role of whoever recorded it (no staff id)")
    data: dict[str, Any]


class SubjectAccessExport(BaseModel):
    """Everything one service holds about one survivor."""

    service: str
    survivor_id: UUID
    generated_at: datetime
    records: list[SubjectRecord]
    notes: list[str] = Field(default_factory=list, description="What the export leaves out")


class Opener:
    """Opens one event's payload for one survivor (see the module docstring)."""

    def __init__(self, sealer: Sealer | None, survivor_id: UUID) -> None:
        self.sealer = sealer
        self.survivor = str(survivor_id)

    async def payload(self, event_type: str, stream_id: str, payload: dict[str, Any]) -> Any:
        """The payload with sealed values opened and other people's parts left out."""
        records = tuple(dict.fromkeys((stream_id, *record_ids(payload))))
        return await self._open(event_type, records, "", payload, top=True)

    async def _open(
        self, event_type: str, records: tuple[str, ...], path: str, value: Any, *, top: bool
    ) -> Any:
        if isinstance(value, dict):
            owner = value.get("survivor_id")
            if not top and owner is not None and str(owner) != self.survivor:
                return _OMIT
            out: dict[str, Any] = {}
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if str(key).endswith("survivor_id") and item is not None:
                    out[key] = item if str(item) == self.survivor else ANOTHER
                    continue
                opened = await self._open(event_type, records, where, item, top=False)
                if opened is not _OMIT:
                    out[key] = opened
            return out
        if isinstance(value, list):
            where = f"{path}[]"
            items = [await self._open(event_type, records, where, v, top=False) for v in value]
            return [item for item in items if item is not _OMIT]
        if isinstance(value, str) and value.startswith("sealed:"):
            return await self._unseal(event_type, records, path, value)
        return value

    async def _unseal(
        self, event_type: str, records: tuple[str, ...], path: str, sealed: str
    ) -> str:
        """Open with the survivor's key; the first context and record it authenticates under.

        A value sealed bound to its record (v2) names no record, so each candidate the event
        offers is tried (its stream, then the ids in its payload); authentication picks the
        right one and nothing else opens it.
        """
        if self.sealer is None:
            return UNREADABLE
        leaf = path.rsplit(".", 1)[-1]
        contexts = dict.fromkeys((f"{event_type}/{path}", f"{event_type}/{leaf}"))
        for context in contexts:
            for record in records:
                try:
                    return await self.sealer.unseal(self.survivor, context, sealed, record=record)
                except KeyDestroyed:
                    return ERASED
                except SealingError:
                    continue
        return UNREADABLE


def record_ids(value: Any) -> list[str]:
    """The ids (`…_id` fields holding a UUID) anywhere in a payload, in order: record candidates."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).endswith("_id") and isinstance(item, str) and _is_uuid(item):
                found.append(item)
            else:
                found.extend(record_ids(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(record_ids(item))
    return found


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def subject_records(
    pool: asyncpg.Pool, sealer: Sealer | None, survivor_id: UUID
) -> list[SubjectRecord]:
    """Every non-audit event of this store concerning the survivor, opened, oldest first."""
    opener = Opener(sealer, survivor_id)
    rows = await pool.fetch(_EVENTS, str(survivor_id))
    records = []
    for row in rows:
        raw = row["payload"]
        payload = json.loads(raw) if isinstance(raw, str) else dict(raw)
        data = await opener.payload(row["type"], row["stream_id"], payload)
        records.append(
            SubjectRecord(
                position=row["position"],
                type=row["type"],
                stream_type=row["stream_type"],
                occurred_at=row["occurred_at"],
                recorded_at=row["recorded_at"],
                recorded_by_role=row["actor_role"],
                data=data,
            )
        )
    return records


SubjectAccess = Annotated[Grant, Depends(authorize(ACTION))]


def subject_access_router(tags: list[str] | None = None, notes: tuple[str, ...] = ()) -> APIRouter:
    """The route `GET /survivors/{survivor_id}/subject-access` of a service storing events."""
    router = APIRouter(tags=list[str | Enum](tags or ["data protection"]))

    @router.get("/survivors/{survivor_id}/subject-access", response_model=SubjectAccessExport)
    async def subject_access(
        survivor_id: UUID, grant: SubjectAccess, request: Request
    ) -> SubjectAccessExport:
        """Everything this service holds about one survivor, unsealed (data protection officer)."""
        parts = running(request.app).parts
        sealer = parts.keys.sealer if parts.keys is not None else None
        records = await subject_records(parts.pool, sealer, survivor_id)
        return SubjectAccessExport(
            service=parts.service,
            survivor_id=survivor_id,
            generated_at=parts.clock(),
            records=records,
            notes=list(notes),
        )

    return router
