"""Reporting's answer to a data subject's access request: the survivor's journey as projected.

Reporting stores no survivor events of its own (its store holds audit records and erasure
confirmations); what it holds about a survivor is the journey entries projected from the other
services' events and the facts computed from them. Both are listed, entries oldest first.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from uponyaji_access import Grant, authorize
from uponyaji_service import running
from uponyaji_service.subject_access import ACTION, SubjectAccessExport, SubjectRecord

router = APIRouter(tags=["reporting"])
SubjectAccess = Annotated[Grant, Depends(authorize(ACTION))]
NOTES = [
    "The healing journey as projected from the other services' records (no sealed values).",
    "Programme dashboards hold counts only; no row of theirs names the survivor.",
]


def _data(raw: Any) -> dict[str, Any]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value or {})


@router.get("/survivors/{survivor_id}/subject-access", response_model=SubjectAccessExport)
async def subject_access(
    survivor_id: UUID, grant: SubjectAccess, request: Request
) -> SubjectAccessExport:
    """The survivor's journey entries and facts (the data protection officer, for the survivor)."""
    parts = running(request.app).parts
    entries = await parts.pool.fetch(
        "SELECT source, position, kind, at, occurred_at, recorded_at, data FROM journey_entries "
        "WHERE survivor_id = $1 ORDER BY at, source, position",
        survivor_id,
    )
    records = [
        SubjectRecord(
            position=e["position"],
            type=f"{e['source']}.{e['kind']}",
            stream_type="journey",
            occurred_at=e["occurred_at"],
            recorded_at=e["recorded_at"],
            recorded_by_role=e["source"],
            data=_data(e["data"]),
        )
        for e in entries
    ]
    facts = await parts.pool.fetchrow(
        "SELECT * FROM survivor_facts WHERE survivor_id = $1", survivor_id
    )
    if facts is not None:
        row = {k: v for k, v in dict(facts).items() if k != "survivor_id"}
        row = json.loads(json.dumps(row, default=str))
        at = parts.clock()
        records.append(
            SubjectRecord(
                position=0,
                type="reporting.facts",
                stream_type="facts",
                occurred_at=at,
                recorded_at=at,
                recorded_by_role="reporting",
                data=row,
            )
        )
    return SubjectAccessExport(
        service=parts.service,
        survivor_id=survivor_id,
        generated_at=parts.clock(),
        records=records,
        notes=NOTES,
    )
