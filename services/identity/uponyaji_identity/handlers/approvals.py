"""The two-person rule: sensitive account changes are requested, then approved by a second admin.

Granting a clinical role, joining or leaving a team, and resetting a password or authenticator are
written to `pending_changes`; nothing happens to the account until a different administrator (not
the one who asked, not the account's owner) approves. The data protection officer is notified of
every request and every decision (`dpo_notifications`, listed at `GET /dpo/notifications`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor

from ..context import Identity
from ..domain.approval import may_approve
from ..errors import ChangeDecided, ChangeNotFound, SecondAdminRequired
from ..handlers import accounts as apply
from ..handlers.streams import require_account

log = logging.getLogger("uponyaji.identity.approvals")


@dataclass(frozen=True, slots=True)
class Change:
    """One requested account change and where it stands."""

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


_SELECT = (
    "SELECT change_id, staff_id, kind, roles, team_id, requested_by, requested_at, status, "
    "decided_by, decided_at FROM pending_changes "
)
_FIELDS = Change.__dataclass_fields__


def _change(row: Any) -> Change:
    return Change(**{k: row[k] for k in _FIELDS})


async def _notify(
    conn: Conn, kind: str, change: UUID, change_kind: str, staff: UUID, by: UUID
) -> None:
    await conn.execute(
        "INSERT INTO dpo_notifications (notification_id, kind, change_id, change_kind, staff_id, "
        "actor_id) VALUES ($1, $2, $3, $4, $5, $6)",
        uuid4(),
        kind,
        change,
        change_kind,
        staff,
        by,
    )


async def request(
    ctx: Identity,
    staff_id: UUID,
    kind: str,
    *,
    actor: Actor,
    roles: frozenset[str] | None = None,
    team_id: UUID | None = None,
    sealed_password: str | None = None,
) -> UUID:
    """Record a change waiting for a second administrator, and notify the DPO."""
    await require_account(ctx, staff_id)
    change_id = uuid4()
    by = UUID(actor.id)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO pending_changes (change_id, staff_id, kind, roles, team_id, "
            "sealed_password, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            change_id,
            staff_id,
            kind,
            None if roles is None else sorted(roles),
            team_id,
            sealed_password,
            by,
        )
        await _notify(conn, "requested", change_id, kind, staff_id, by)
    log.info("account change %s (%s) for %s awaits a second admin", change_id, kind, staff_id)
    return change_id


async def changes(ctx: Identity, *, status: str | None, limit: int, offset: int) -> list[Change]:
    """Requested changes, newest first (optionally only those with one status)."""
    rows = await ctx.pool.fetch(
        _SELECT + "WHERE $1::text IS NULL OR status = $1 "
        "ORDER BY requested_at DESC, change_id LIMIT $2 OFFSET $3",
        status,
        limit,
        offset,
    )
    return [_change(r) for r in rows]


async def change(ctx: Identity, change_id: UUID) -> Change:
    """One requested change (404 if there is none)."""
    row = await ctx.pool.fetchrow(_SELECT + "WHERE change_id = $1", change_id)
    if row is None:
        raise ChangeNotFound(f"no account change {change_id}")
    return _change(row)


async def pending_for(ctx: Identity, staff_id: UUID) -> list[UUID]:
    """The ids of an account's changes still waiting for approval."""
    rows = await ctx.pool.fetch(
        "SELECT change_id FROM pending_changes WHERE staff_id = $1 AND status = 'pending' "
        "ORDER BY requested_at",
        staff_id,
    )
    return [r["change_id"] for r in rows]


async def _claim(ctx: Identity, change_id: UUID, status: str, by: UUID) -> Any:
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "SELECT * FROM pending_changes WHERE change_id = $1 FOR UPDATE", change_id
        )
        if row is None:
            raise ChangeNotFound(f"no account change {change_id}")
        if row["status"] != "pending":
            raise ChangeDecided(f"account change {change_id} is already {row['status']}")
        if status == "approved":
            refusal = may_approve(by, row["requested_by"], row["staff_id"])
            if refusal is not None:
                raise SecondAdminRequired(refusal)
        await conn.execute(
            "UPDATE pending_changes SET status = $2, decided_by = $3, decided_at = now() "
            "WHERE change_id = $1",
            change_id,
            status,
            by,
        )
        await _notify(conn, status, change_id, row["kind"], row["staff_id"], by)
        return row


async def _reopen(ctx: Identity, change_id: UUID) -> None:
    async with ctx.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE pending_changes SET status = 'pending', decided_by = NULL, decided_at = NULL "
            "WHERE change_id = $1",
            change_id,
        )
        await conn.execute(
            "DELETE FROM dpo_notifications WHERE change_id = $1 AND kind = 'approved'", change_id
        )


async def approve(ctx: Identity, change_id: UUID, *, actor: Actor) -> UUID:
    """Apply a requested change as the approving administrator; the account's id."""
    row = await _claim(ctx, change_id, "approved", UUID(actor.id))
    staff_id: UUID = row["staff_id"]
    try:
        await _apply(ctx, row, actor)
    except BaseException:
        await _reopen(ctx, change_id)  # the account refused it (e.g. already on the team)
        raise
    log.info("account change %s (%s) approved and applied", change_id, row["kind"])
    return staff_id


async def reject(ctx: Identity, change_id: UUID, *, actor: Actor) -> UUID:
    """Refuse (or withdraw) a requested change; the account's id."""
    row = await _claim(ctx, change_id, "rejected", UUID(actor.id))
    staff_id: UUID = row["staff_id"]
    return staff_id


async def _apply(ctx: Identity, row: Any, actor: Actor) -> None:
    staff_id: UUID = row["staff_id"]
    match row["kind"]:
        case "roles":
            await apply.assign_roles(
                ctx, staff_id, frozenset(row["roles"]), actor=actor, expected_version=None
            )
        case "team_join" | "team_leave":
            await apply.change_team(
                ctx,
                staff_id,
                row["team_id"],
                join=row["kind"] == "team_join",
                actor=actor,
                expected_version=None,
            )
        case "mfa_reset":
            await apply.reset_mfa(ctx, staff_id, actor=actor, expected_version=None)
        case "password_reset":
            await apply.set_sealed_password(ctx, staff_id, row["sealed_password"], actor=actor)
        case other:  # pragma: no cover - the table's CHECK allows nothing else
            raise ValueError(f"unknown account change {other}")


async def notifications(ctx: Identity, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """The DPO's notifications, newest first."""
    rows = await ctx.pool.fetch(
        "SELECT notification_id, at, kind, change_id, change_kind, staff_id, actor_id "
        "FROM dpo_notifications ORDER BY at DESC, notification_id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [dict(r) for r in rows]
