"""Loading account and team streams, and appending their events with the read tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import cast
from uuid import UUID

import asyncpg
from pydantic import BaseModel
from uponyaji_events.contracts.identity import TeamCreated
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.errors import ConcurrencyError
from uponyaji_events.unit_of_work import unit_of_work

from .. import projections
from ..context import Identity
from ..domain import ACCOUNT_EVENTS, Account, AccountEvent, Team, evolve, evolve_team
from ..errors import AccountNotFound, TeamNameTaken, UsernameTaken

SERVICE = "identity"
Extra = Callable[[Conn], Awaitable[None]]
_UNIQUE = {"accounts_username_key": UsernameTaken, "teams_name_key": TeamNameTaken}


async def load_account(ctx: Identity, staff_id: UUID) -> Account | None:
    """An account rebuilt from its stream (None if there is no such account)."""
    events = await ctx.store.load(str(staff_id))
    if not events or events[0].stream_type != "account":
        return None
    state: Account | None = None
    for event in events:
        model = projections.registry().validate(event.type, event.payload)
        if not isinstance(model, ACCOUNT_EVENTS):
            raise TypeError(f"{event.type} is not an account event")
        state = evolve(state, cast(AccountEvent, model))
    return state


async def require_account(
    ctx: Identity, staff_id: UUID, expected_version: int | None = None
) -> Account:
    """An existing account (404 otherwise), at `expected_version` if one is given (409)."""
    account = await load_account(ctx, staff_id)
    if account is None:
        raise AccountNotFound(f"no account {staff_id}")
    if expected_version is not None and expected_version != account.version:
        raise ConcurrencyError(
            f"account {staff_id} is at version {account.version}, expected {expected_version}"
        )
    return account


async def load_team(ctx: Identity, team_id: UUID) -> Team | None:
    """A team rebuilt from its stream (None if there is no such team)."""
    events = await ctx.store.load(str(team_id))
    if not events or events[0].stream_type != "team":
        return None
    state: Team | None = None
    for event in events:
        model = projections.registry().validate(event.type, event.payload)
        if isinstance(model, TeamCreated):
            state = evolve_team(state, model)
    return state


async def commit(
    ctx: Identity,
    stream_type: str,
    stream_id: UUID,
    expected_version: int,
    events: Sequence[BaseModel],
    *,
    actor: Actor,
    extra: Extra | None = None,
) -> list[Event]:
    """Append events, apply them to the read tables and run `extra`, in one transaction."""
    registry = projections.registry()
    new = [registry.to_new_event(event, service=SERVICE) for event in events]
    try:
        async with unit_of_work(ctx.store, project=project) as uow:
            stored = await uow.append(stream_type, stream_id, expected_version, new, actor=actor)
            if extra is not None:
                await extra(uow.conn)
    except asyncpg.UniqueViolationError as exc:
        error = _UNIQUE.get(exc.constraint_name or "")
        if error is None:
            raise
        raise error(error.__doc__ or "already taken") from None
    return stored


async def project(conn: Conn, events: Sequence[Event]) -> None:
    """Identity's own new events → its read tables, on `conn`."""
    await projections.apply_all(conn, events)


def after(account: Account, events: Sequence[AccountEvent]) -> Account:
    """The account once these events are applied."""
    for event in events:
        account = evolve(account, event)
    return account
