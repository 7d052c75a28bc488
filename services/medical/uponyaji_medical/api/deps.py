"""Route dependencies as `Annotated` aliases: the command side, grants, locators, the actor."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from uponyaji_access import Grant, authorize
from uponyaji_events.envelope import Actor, Event
from uponyaji_service import resource

from .. import queries
from ..handlers import Medical

MedDep = Annotated[Medical, Depends(resource(Medical))]


async def _med(request: Request) -> Medical:
    return await resource(Medical)(request)


async def report_survivor(request: Request) -> UUID | None:
    """The survivor a report belongs to (None: no such report, answered 404)."""
    try:
        report_id = UUID(str(request.path_params["report_id"]))
    except ValueError:
        return None
    return await queries.report_survivor((await _med(request)).store.pool, report_id)


async def referral_survivor(request: Request) -> UUID | None:
    """The survivor a referral to medical is about (None: no such referral)."""
    try:
        referral_id = UUID(str(request.path_params["referral_id"]))
    except ValueError:
        return None
    return await queries.referral_survivor((await _med(request)).store.pool, referral_id)


Record = Annotated[Grant, Depends(authorize("medical.record"))]
Read = Annotated[Grant, Depends(authorize("medical.read"))]
ListRead = Annotated[Grant, Depends(authorize("medical.read", survivor=None))]
SummaryRead = Annotated[Grant, Depends(authorize("medical.summary.read"))]
AggregateRead = Annotated[Grant, Depends(authorize("medical.aggregate.read", survivor=None))]
Sign = Annotated[Grant, Depends(authorize("medical.report.sign"))]
Verify = Annotated[Grant, Depends(authorize("medical.report.verify", survivor=report_survivor))]
EvidenceRead = Annotated[Grant, Depends(authorize("medical.evidence.read"))]
EvidenceRecord = Annotated[Grant, Depends(authorize("medical.evidence.record"))]
Answer = Annotated[Grant, Depends(authorize("medical.referral.answer", survivor=referral_survivor))]


def actor(grant: Grant) -> Actor:
    """The events' actor: the caller, in the role the policy allowed them under."""
    return grant.principal.actor(grant.role or "unknown")


def written(events: list[Event]) -> list[dict[str, Any]]:
    """What a command recorded."""
    return [{"type": e.type, "stream_id": e.stream_id, "version": e.version} for e in events]
