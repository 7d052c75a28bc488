"""Account and team events → identity's read tables (`accounts`, `teams`, `team_members`).

Applied in the same transaction as the append (so a read after a command sees it, and the
unique username and team name constraints refuse a duplicate before anything is stored), and
rebuildable from zero from the event store: `rebuild()` must give the same rows as live.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from uponyaji_events.contracts import ContractRegistry, default_registry
from uponyaji_events.contracts.identity import (
    AccountCreated,
    AccountDeactivated,
    AccountReactivated,
    EmailAddressChanged,
    MfaConfirmed,
    MfaEnrolled,
    MfaReset,
    PasswordChanged,
    RolesAssigned,
    TeamCreated,
    TeamJoined,
    TeamLeft,
)
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.projection import replay
from uponyaji_events.store import EventStore

TABLES = ("accounts", "teams", "team_members")
STREAM_TYPES = frozenset({"account", "team"})


@cache
def registry() -> ContractRegistry:
    """Every event contract (identity's payload models come from here)."""
    return default_registry()


async def apply(conn: Conn, event: Event) -> None:
    """Apply one stored event to the read tables (other stream types are ignored)."""
    if event.stream_type not in STREAM_TYPES:
        return
    payload = registry().validate(event.type, event.payload, schema_version=event.schema_version)
    at = event.recorded_at
    match payload:
        case TeamCreated():
            await conn.execute(
                "INSERT INTO teams (team_id, name, county_code, created_at) "
                "VALUES ($1, $2, $3, $4)",
                payload.team_id,
                payload.name,
                payload.county_code,
                at,
            )
            return
        case AccountCreated():
            await conn.execute(
                "INSERT INTO accounts (staff_id, username, display_name, roles, active, "
                "must_change_password, created_at, updated_at, version, email) "
                "VALUES ($1, $2, $3, $4, true, $8, $5, $5, $6, $7)",
                payload.staff_id,
                payload.username,
                str(payload.display_name),
                sorted(str(r) for r in payload.roles),
                at,
                event.version,
                str(payload.email) if payload.email is not None else None,
                payload.must_change_password,
            )
            return
        case RolesAssigned():
            args: list[object]
            sql, args = "roles = $4", [sorted(str(r) for r in payload.roles)]
        case TeamJoined():
            await conn.execute(
                "INSERT INTO team_members (team_id, staff_id, joined_at) VALUES ($1, $2, $3)",
                payload.team_id,
                payload.staff_id,
                at,
            )
            sql, args = "", []
        case TeamLeft():
            await conn.execute(
                "DELETE FROM team_members WHERE team_id = $1 AND staff_id = $2",
                payload.team_id,
                payload.staff_id,
            )
            sql, args = "", []
        case AccountDeactivated():
            sql, args = "active = false", []
        case AccountReactivated():
            sql, args = "active = true", []
        case MfaEnrolled():
            sql, args = "mfa_pending = $4", [payload.credential_id]
        case MfaConfirmed():
            sql, args = "mfa_credential = $4, mfa_pending = NULL", [payload.credential_id]
        case MfaReset():
            sql = (
                "mfa_credential = NULLIF(mfa_credential, $4), mfa_pending = NULLIF(mfa_pending, $4)"
            )
            args = [payload.credential_id]
        case PasswordChanged():
            sql, args = "must_change_password = $4", [payload.must_change]
        case EmailAddressChanged():
            sql, args = "email = $4", [str(payload.email) if payload.email is not None else None]
        case _:  # pragma: no cover - a new identity event without a projection rule
            raise TypeError(f"no projection rule for {event.type}")
    sets = f"{sql}, " if sql else ""
    await conn.execute(
        f"UPDATE accounts SET {sets}updated_at = $2, version = $3 WHERE staff_id = $1",  # noqa: S608
        payload.staff_id,
        at,
        event.version,
        *args,
    )


async def rebuild(
    store: EventStore, *, page: int = 1000, on_page: Callable[[int], None] | None = None
) -> int:
    """Empty the read tables and replay every event from the store (older payload versions
    upcast); return how many."""
    return await replay(store, TABLES, apply_all, page=page, upcast=True, on_page=on_page)


async def apply_all(conn: Conn, events: Sequence[Event]) -> None:
    """Apply stored events in order (other stream types are ignored)."""
    for event in events:
        await apply(conn, event)
