"""What every route module shares: the command side, locators, actors and the written summary."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from uponyaji_access import Grant, authorize
from uponyaji_events.envelope import Actor, Event
from uponyaji_service import resource

from .. import queries
from ..handlers import Empowerment

get_em = resource(Empowerment)


def _param(request: Request, name: str) -> UUID | None:
    try:
        return UUID(str(request.path_params[name]))
    except ValueError:
        return None


async def grant_survivor(request: Request) -> UUID | None:
    """The survivor a grant is for (None: no such grant, answered 404)."""
    grant_id = _param(request, "grant_id")
    if grant_id is None:
        return None
    return await queries.grant_survivor((await get_em(request)).store.pool, grant_id)


async def referral_survivor(request: Request) -> UUID | None:
    """The survivor a referral is about (None: no such referral, answered 404)."""
    referral_id = _param(request, "referral_id")
    if referral_id is None:
        return None
    return await queries.referral_survivor((await get_em(request)).store.pool, referral_id)


EmDep = Annotated[Empowerment, Depends(get_em)]
Record = Annotated[Grant, Depends(authorize("empowerment.record"))]
Read = Annotated[Grant, Depends(authorize("empowerment.read"))]
DisburseGrant = Annotated[Grant, Depends(authorize("empowerment.record", survivor=grant_survivor))]
AnswerReferral = Annotated[
    Grant, Depends(authorize("empowerment.record", survivor=referral_survivor))
]
DecideGrant = Annotated[
    Grant, Depends(authorize("empowerment.grant.decide", survivor=grant_survivor))
]
FollowUpsRead = Annotated[Grant, Depends(authorize("empowerment.followups.read", survivor=None))]
ReferralsRead = Annotated[Grant, Depends(authorize("empowerment.referrals.read", survivor=None))]
GrantsRead = Annotated[Grant, Depends(authorize("empowerment.grants.read", survivor=None))]
BudgetManage = Annotated[Grant, Depends(authorize("empowerment.budget.manage", survivor=None))]
BudgetRead = Annotated[Grant, Depends(authorize("empowerment.budget.read", survivor=None))]
FinanceRead = Annotated[Grant, Depends(authorize("empowerment.finance.read", survivor=None))]
OutcomesRead = Annotated[Grant, Depends(authorize("empowerment.outcomes.read", survivor=None))]
CourseManage = Annotated[Grant, Depends(authorize("empowerment.course.manage", survivor=None))]


def actor(grant: Grant) -> Actor:
    """The events' actor: the caller, in the role the policy allowed them under."""
    return grant.principal.actor(grant.role or "unknown")


def written(events: list[Event]) -> list[dict[str, Any]]:
    """What a command recorded."""
    return [{"type": e.type, "stream_id": e.stream_id, "version": e.version} for e in events]
