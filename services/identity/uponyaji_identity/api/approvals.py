"""The two-person rule's routes: pending account changes (admins) and the DPO's notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from uponyaji_access import Grant, authorize

from ..api.deps import IdentityDep, Manage, actor
from ..handlers import approvals

router = APIRouter(tags=["account changes"])

ChangeId = Annotated[UUID, Path(description="The requested change's id")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Status = Annotated[Literal["pending", "approved", "rejected"] | None, Query()]
# The data protection officer's list of two-person-rule requests and decisions.
Notified = Annotated[Grant, Depends(authorize("accounts.changes.notifications", survivor=None))]


class ChangeView(BaseModel):
    """A requested account change (a new password is never shown, not even its hash)."""

    change_id: UUID
    staff_id: UUID
    kind: str
    roles: list[str] | None
    team_id: UUID | None
    requested_by: UUID
    requested_at: datetime
    status: str
    decided_by: UUID | None
    decided_at: datetime | None


class ChangeList(BaseModel):
    """A page of requested changes, newest first."""

    changes: list[ChangeView]


class Notification(BaseModel):
    """One thing the DPO is told: a change was requested, approved or rejected, and by whom."""

    notification_id: UUID
    at: datetime
    kind: str
    change_id: UUID
    change_kind: str
    staff_id: UUID
    actor_id: UUID


class NotificationList(BaseModel):
    """A page of notifications, newest first."""

    notifications: list[Notification]


def _view(change: approvals.Change) -> ChangeView:
    return ChangeView.model_validate(change, from_attributes=True)


@router.get("/account-changes")
async def list_changes(
    grant: Manage, ctx: IdentityDep, status: Status = None, limit: Limit = 100, offset: Offset = 0
) -> ChangeList:
    """Requested account changes, newest first."""
    found = await approvals.changes(ctx, status=status, limit=limit, offset=offset)
    return ChangeList(changes=[_view(c) for c in found])


@router.get("/account-changes/{change_id}")
async def get_change(change_id: ChangeId, grant: Manage, ctx: IdentityDep) -> ChangeView:
    """One requested account change."""
    return _view(await approvals.change(ctx, change_id))


@router.post("/account-changes/{change_id}/approval")
async def approve_change(change_id: ChangeId, grant: Manage, ctx: IdentityDep) -> ChangeView:
    """Approve and apply a change (403 for the admin who asked, or the account's owner)."""
    await approvals.approve(ctx, change_id, actor=actor(grant))
    return _view(await approvals.change(ctx, change_id))


@router.post("/account-changes/{change_id}/rejection")
async def reject_change(change_id: ChangeId, grant: Manage, ctx: IdentityDep) -> ChangeView:
    """Refuse a change (or withdraw one's own request); nothing happens to the account."""
    await approvals.reject(ctx, change_id, actor=actor(grant))
    return _view(await approvals.change(ctx, change_id))


@router.get("/dpo/notifications")
async def dpo_notifications(
    grant: Notified, ctx: IdentityDep, limit: Limit = 100, offset: Offset = 0
) -> NotificationList:
    """Two-person-rule requests and decisions, newest first (data protection officer only)."""
    rows = await approvals.notifications(ctx, limit=limit, offset=offset)
    return NotificationList(notifications=[Notification.model_validate(r) for r in rows])
