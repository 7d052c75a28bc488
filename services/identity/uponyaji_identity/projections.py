"""Account and team events → identity's read tables (`accounts`, `teams`, `team_members`).

Applied in the same transaction as the append (so a read after a command sees it, and the
unique username and team name constraints refuse a duplicate before anything is stored), and
rebuildable from zero from the event store: `rebuild()` must give the same rows as live. A
kernel `ReadModel`: one applier per event type, each given the payload as its contract's model.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel
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
from uponyaji_events.read_model import Apply, ReadModel

TABLES = ("accounts", "teams", "team_members")
M = TypeVar("M", bound=BaseModel)


@cache
def registry() -> ContractRegistry:
    """Every event contract (identity's payload models come from here)."""
    return default_registry()


def typed(model: type[M], write: Callable[[Conn, Event, M], Awaitable[None]]) -> tuple[str, Apply]:
    """An applier of one event type that is given the payload as its contract's model."""

    async def apply(conn: Conn, event: Event) -> None:
        payload = registry().validate(
            event.type, event.payload, schema_version=event.schema_version
        )
        if not isinstance(payload, model):
            raise TypeError(f"{event.type} validated as {type(payload).__name__}, not {model}")
        await write(conn, event, payload)

    return f"identity.{model.__name__}", apply


async def _team(conn: Conn, event: Event, p: TeamCreated) -> None:
    await conn.execute(
        "INSERT INTO teams (team_id, name, county_code, created_at) VALUES ($1, $2, $3, $4)",
        p.team_id,
        p.name,
        p.county_code,
        event.recorded_at,
    )


async def _account(conn: Conn, event: Event, p: AccountCreated) -> None:
    await conn.execute(
        "INSERT INTO accounts (staff_id, username, display_name, roles, active, "
        "must_change_password, created_at, updated_at, version, email) "
        "VALUES ($1, $2, $3, $4, true, $8, $5, $5, $6, $7)",
        p.staff_id,
        p.username,
        str(p.display_name),
        sorted(str(r) for r in p.roles),
        event.recorded_at,
        event.version,
        str(p.email) if p.email is not None else None,
        p.must_change_password,
    )


async def _touch(conn: Conn, event: Event, staff_id: Any, sets: str = "", *args: object) -> None:
    """Set `sets` (parameters from $4) on the account and move its version and time on."""
    await conn.execute(
        f"UPDATE accounts SET {sets}{', ' if sets else ''}updated_at = $2, version = $3 "  # noqa: S608
        "WHERE staff_id = $1",
        staff_id,
        event.recorded_at,
        event.version,
        *args,
    )


async def _joined(conn: Conn, event: Event, p: TeamJoined) -> None:
    await conn.execute(
        "INSERT INTO team_members (team_id, staff_id, joined_at) VALUES ($1, $2, $3)",
        p.team_id,
        p.staff_id,
        event.recorded_at,
    )
    await _touch(conn, event, p.staff_id)


async def _left(conn: Conn, event: Event, p: TeamLeft) -> None:
    await conn.execute(
        "DELETE FROM team_members WHERE team_id = $1 AND staff_id = $2", p.team_id, p.staff_id
    )
    await _touch(conn, event, p.staff_id)


async def _roles(conn: Conn, event: Event, p: RolesAssigned) -> None:
    await _touch(conn, event, p.staff_id, "roles = $4", sorted(str(r) for r in p.roles))


async def _deactivated(conn: Conn, event: Event, p: AccountDeactivated) -> None:
    await _touch(conn, event, p.staff_id, "active = false")


async def _reactivated(conn: Conn, event: Event, p: AccountReactivated) -> None:
    await _touch(conn, event, p.staff_id, "active = true")


async def _mfa_enrolled(conn: Conn, event: Event, p: MfaEnrolled) -> None:
    await _touch(conn, event, p.staff_id, "mfa_pending = $4", p.credential_id)


async def _mfa_confirmed(conn: Conn, event: Event, p: MfaConfirmed) -> None:
    sets = "mfa_credential = $4, mfa_pending = NULL"
    await _touch(conn, event, p.staff_id, sets, p.credential_id)


async def _mfa_reset(conn: Conn, event: Event, p: MfaReset) -> None:
    sets = "mfa_credential = NULLIF(mfa_credential, $4), mfa_pending = NULLIF(mfa_pending, $4)"
    await _touch(conn, event, p.staff_id, sets, p.credential_id)


async def _password(conn: Conn, event: Event, p: PasswordChanged) -> None:
    await _touch(conn, event, p.staff_id, "must_change_password = $4", p.must_change)


async def _email(conn: Conn, event: Event, p: EmailAddressChanged) -> None:
    email = str(p.email) if p.email is not None else None
    await _touch(conn, event, p.staff_id, "email = $4", email)


# Identity's events → its read tables; replayed with older payload versions upcast.
READ_MODEL = ReadModel(
    TABLES,
    dict(
        [
            typed(TeamCreated, _team),
            typed(AccountCreated, _account),
            typed(TeamJoined, _joined),
            typed(TeamLeft, _left),
            typed(RolesAssigned, _roles),
            typed(AccountDeactivated, _deactivated),
            typed(AccountReactivated, _reactivated),
            typed(MfaEnrolled, _mfa_enrolled),
            typed(MfaConfirmed, _mfa_confirmed),
            typed(MfaReset, _mfa_reset),
            typed(PasswordChanged, _password),
            typed(EmailAddressChanged, _email),
        ]
    ),
    upcast=True,
)
apply_all = READ_MODEL.apply_all
rebuild = READ_MODEL.rebuild
