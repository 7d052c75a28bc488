"""Read-side SQL: accounts, teams and the staff directory, display names unsealed for the reader."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from uponyaji_events.sealing import ERASED

from .context import Identity
from .handlers.accounts import DISPLAY_NAME_CONTEXT, EMAIL_CONTEXT

_ACCOUNT = """
SELECT a.*, COALESCE(array_agg(m.team_id ORDER BY m.team_id)
                     FILTER (WHERE m.team_id IS NOT NULL), '{}') AS teams
FROM accounts a LEFT JOIN team_members m ON m.staff_id = a.staff_id
"""


class AccountView(BaseModel):
    """A staff account as admins see it (no credentials, ever)."""

    staff_id: UUID
    username: str
    display_name: str
    roles: list[str]
    teams: list[UUID]
    active: bool
    mfa_confirmed: bool
    mfa_pending: bool
    must_change_password: bool
    created_at: datetime
    updated_at: datetime
    version: int
    pending_changes: list[UUID] = []  # changes waiting for a second administrator
    email: str | None = None  # work address for notifications


class StaffAddress(BaseModel):
    """Where a staff member's notifications go (for other services' notification delivery)."""

    staff_id: UUID
    email: str


class StaffView(BaseModel):
    """A colleague in the staff directory."""

    staff_id: UUID
    username: str
    display_name: str
    roles: list[str]
    teams: list[UUID]


class TeamView(BaseModel):
    """A team and how many active members it has."""

    team_id: UUID
    name: str
    county_code: str | None
    members: int
    created_at: datetime


async def _name(ctx: Identity, staff_id: UUID, sealed: str) -> str:
    return await ctx.sealer.unseal_or_erased(staff_id, DISPLAY_NAME_CONTEXT, sealed) or ERASED


async def _view(ctx: Identity, row: Any) -> AccountView:
    return AccountView(
        staff_id=row["staff_id"],
        username=row["username"],
        display_name=await _name(ctx, row["staff_id"], row["display_name"]),
        roles=list(row["roles"]),
        teams=list(row["teams"]),
        active=row["active"],
        mfa_confirmed=row["mfa_credential"] is not None,
        mfa_pending=row["mfa_pending"] is not None,
        must_change_password=row["must_change_password"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        email=await _email(ctx, row["staff_id"], row["email"]),
    )


async def _email(ctx: Identity, staff_id: UUID, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    return await ctx.sealer.unseal_or_erased(staff_id, EMAIL_CONTEXT, sealed)


async def addresses(
    ctx: Identity, *, staff_ids: list[UUID], role: str | None, team: UUID | None
) -> list[StaffAddress]:
    """Active staff with an address: those named, and everyone with `role` (on `team`, if given)."""
    rows = await ctx.pool.fetch(
        "SELECT a.staff_id, a.email FROM accounts a WHERE a.active AND a.email IS NOT NULL AND ("
        "a.staff_id = ANY($1::uuid[]) OR ($2::text IS NOT NULL AND $2 = ANY(a.roles) AND ("
        "$3::uuid IS NULL OR EXISTS (SELECT 1 FROM team_members m "
        "WHERE m.staff_id = a.staff_id AND m.team_id = $3)))) ORDER BY a.username",
        staff_ids,
        role,
        team,
    )
    found = [(row["staff_id"], await _email(ctx, row["staff_id"], row["email"])) for row in rows]
    return [StaffAddress(staff_id=s, email=e) for s, e in found if e and e != ERASED]


async def account(ctx: Identity, staff_id: UUID) -> AccountView | None:
    """One account (None if there is none)."""
    row = await ctx.pool.fetchrow(_ACCOUNT + " WHERE a.staff_id = $1 GROUP BY a.staff_id", staff_id)
    return None if row is None else await _view(ctx, row)


async def accounts(ctx: Identity, *, limit: int, offset: int) -> list[AccountView]:
    """Accounts in username order, one page."""
    rows = await ctx.pool.fetch(
        _ACCOUNT + " GROUP BY a.staff_id ORDER BY a.username LIMIT $1 OFFSET $2", limit, offset
    )
    return [await _view(ctx, row) for row in rows]


async def staff(ctx: Identity, *, limit: int, offset: int) -> list[StaffView]:
    """Active colleagues in username order, one page (the staff directory)."""
    rows = await ctx.pool.fetch(
        _ACCOUNT + " WHERE a.active GROUP BY a.staff_id ORDER BY a.username LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [
        StaffView(
            staff_id=row["staff_id"],
            username=row["username"],
            display_name=await _name(ctx, row["staff_id"], row["display_name"]),
            roles=list(row["roles"]),
            teams=list(row["teams"]),
        )
        for row in rows
    ]


async def teams(ctx: Identity) -> list[TeamView]:
    """Every team in name order with its count of active members."""
    rows = await ctx.pool.fetch(
        "SELECT t.team_id, t.name, t.county_code, t.created_at, "
        "count(a.staff_id) FILTER (WHERE a.active) AS members "
        "FROM teams t LEFT JOIN team_members m ON m.team_id = t.team_id "
        "LEFT JOIN accounts a ON a.staff_id = m.staff_id "
        "GROUP BY t.team_id ORDER BY t.name"
    )
    return [TeamView(**dict(row)) for row in rows]


async def event_count(ctx: Identity) -> int:
    """How many events the store holds (tests and health views)."""
    return int(await ctx.pool.fetchval("SELECT count(*) FROM events"))
