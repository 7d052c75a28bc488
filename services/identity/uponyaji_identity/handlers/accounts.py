"""Admin commands: create accounts and teams, set roles, join and leave teams, deactivate."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID, uuid4

from uponyaji_events.contracts.vocabularies import DeactivationReason, PasswordChangeKind
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor

from ..context import Identity
from ..domain import (
    AccountCommand,
    AssignRoles,
    ChangeEmail,
    ChangePassword,
    CreateAccount,
    CreateTeam,
    DeactivateAccount,
    JoinTeam,
    LeaveTeam,
    ReactivateAccount,
    ResetMfa,
    decide,
    decide_team,
)
from ..errors import TeamNotFound, UsernameTaken
from ..handlers.streams import Extra, after, commit, load_team, require_account
from ..security.passwords import check_password

log = logging.getLogger("uponyaji.identity.accounts")
DISPLAY_NAME_CONTEXT = "identity.AccountCreated/display_name"
# One context for the address wherever it is set (creation or a later change): it is one field.
EMAIL_CONTEXT = "identity.AccountCreated/email"


async def create_team(ctx: Identity, *, name: str, county_code: str | None, actor: Actor) -> UUID:
    """Create a team; 409 if another team has this name."""
    team_id = uuid4()
    events = decide_team(None, CreateTeam(team_id, name, county_code))
    await commit(ctx, "team", team_id, 0, events, actor=actor)
    log.info("team %s created", team_id)
    return team_id


async def require_team(ctx: Identity, team_id: UUID) -> None:
    """404 unless the team exists."""
    await _require_teams(ctx, [team_id])


async def _require_teams(ctx: Identity, teams: Iterable[UUID]) -> None:
    for team_id in teams:
        if await load_team(ctx, team_id) is None:
            raise TeamNotFound(f"teams: no team {team_id}")


async def create_account(
    ctx: Identity,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: frozenset[str],
    teams: tuple[UUID, ...],
    actor: Actor,
    email: str | None = None,
    must_change_password: bool = True,
) -> UUID:
    """Create a staff account with its first password (checked, hashed, sealed; not an event).

    The owner must replace that password at the first sign-in, unless `must_change_password`
    is False (only the development seed's demo accounts, and test kits, are made so).
    """
    check_password(password, username)
    await _require_teams(ctx, teams)
    taken = await ctx.pool.fetchval("SELECT 1 FROM accounts WHERE username = $1", username)
    if taken:
        raise UsernameTaken(f"username {username} is taken")
    staff_id = uuid4()
    sealed_name = await ctx.sealer.seal(staff_id, DISPLAY_NAME_CONTEXT, display_name)
    sealed_hash = await ctx.credentials.seal_password_hash(
        staff_id, await ctx.passwords.hash(password)
    )
    sealed_email = None if email is None else await ctx.sealer.seal(staff_id, EMAIL_CONTEXT, email)
    command = CreateAccount(
        staff_id, username, sealed_name, roles, teams, sealed_email, must_change_password
    )

    async def store_password(conn: Conn) -> None:
        await ctx.credentials.set_password(conn, staff_id, sealed_hash)

    await commit(
        ctx, "account", staff_id, 0, decide(None, command), actor=actor, extra=store_password
    )
    log.info("account %s created", staff_id)
    return staff_id


async def _run(
    ctx: Identity,
    staff_id: UUID,
    command: AccountCommand,
    *,
    actor: Actor,
    expected_version: int | None,
    extra: Extra | None = None,
) -> int:
    """Load, decide and append one command; the account's version afterwards."""
    account = await require_account(ctx, staff_id, expected_version)
    events = decide(account, command)
    if events:
        await commit(ctx, "account", staff_id, account.version, events, actor=actor, extra=extra)
    return after(account, events).version


async def set_email(
    ctx: Identity,
    staff_id: UUID,
    email: str | None,
    *,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Set, change or remove (None) the account's work e-mail address for notifications."""
    await require_account(ctx, staff_id, expected_version)
    sealed = None if email is None else await ctx.sealer.seal(staff_id, EMAIL_CONTEXT, email)
    return await _run(
        ctx, staff_id, ChangeEmail(sealed), actor=actor, expected_version=expected_version
    )


async def assign_roles(
    ctx: Identity,
    staff_id: UUID,
    roles: frozenset[str],
    *,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Replace an account's roles and end its sessions at once (it signs in again to use them)."""
    by = UUID(actor.id)
    return await _run_ending_sessions(
        ctx, staff_id, AssignRoles(roles, by), "roles_changed", actor, expected_version
    )


async def _run_ending_sessions(
    ctx: Identity,
    staff_id: UUID,
    command: AccountCommand,
    reason: str,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Run a command and, in the same transaction, revoke every session of the account."""
    revoked: list[UUID] = []

    async def revoke(conn: Conn) -> None:
        revoked.extend(await ctx.sessions.revoke_account(conn, staff_id, reason))

    version = await _run(
        ctx, staff_id, command, actor=actor, expected_version=expected_version, extra=revoke
    )
    ctx.deny_list.revoke_all(str(sid) for sid in revoked)
    return version


async def change_team(
    ctx: Identity,
    staff_id: UUID,
    team_id: UUID,
    *,
    join: bool,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Put an account on a team or take it off one, ending its sessions at once."""
    if join:
        await _require_teams(ctx, [team_id])
    command = JoinTeam(team_id) if join else LeaveTeam(team_id)
    return await _run_ending_sessions(
        ctx, staff_id, command, "team_changed", actor, expected_version
    )


async def deactivate(
    ctx: Identity,
    staff_id: UUID,
    reason: DeactivationReason,
    *,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Deactivate an account and revoke every one of its sessions."""
    revoked: list[UUID] = []

    async def revoke_sessions(conn: Conn) -> None:
        revoked.extend(await ctx.sessions.revoke_account(conn, staff_id, "account_deactivated"))

    version = await _run(
        ctx,
        staff_id,
        DeactivateAccount(reason, UUID(actor.id)),
        actor=actor,
        expected_version=expected_version,
        extra=revoke_sessions,
    )
    ctx.deny_list.revoke_all(str(sid) for sid in revoked)
    log.info("account %s deactivated; %d session(s) revoked", staff_id, len(revoked))
    return version


async def reactivate(
    ctx: Identity, staff_id: UUID, *, actor: Actor, expected_version: int | None
) -> int:
    """Let a deactivated account sign in again."""
    return await _run(
        ctx, staff_id, ReactivateAccount(), actor=actor, expected_version=expected_version
    )


async def reset_mfa(
    ctx: Identity, staff_id: UUID, *, actor: Actor, expected_version: int | None
) -> int:
    """Revoke an account's authenticators and sessions (e.g. a lost phone): it must re-enrol."""
    revoked: list[UUID] = []

    async def revoke(conn: Conn) -> None:
        await ctx.credentials.revoke_authenticators(conn, staff_id)
        revoked.extend(await ctx.sessions.revoke_account(conn, staff_id, "mfa_reset"))

    version = await _run(
        ctx, staff_id, ResetMfa(), actor=actor, expected_version=expected_version, extra=revoke
    )
    ctx.deny_list.revoke_all(str(sid) for sid in revoked)
    return version


async def seal_new_password(ctx: Identity, staff_id: UUID, password: str) -> str:
    """Check a password an admin sets for an account; its sealed hash (nothing stored yet)."""
    account = await require_account(ctx, staff_id)
    check_password(password, account.username)
    return await ctx.credentials.seal_password_hash(staff_id, await ctx.passwords.hash(password))


async def reset_password(
    ctx: Identity,
    staff_id: UUID,
    password: str,
    *,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Set a new password for an account (to be changed at next sign-in); revoke its sessions."""
    await require_account(ctx, staff_id, expected_version)
    sealed_hash = await seal_new_password(ctx, staff_id, password)
    return await set_sealed_password(
        ctx, staff_id, sealed_hash, actor=actor, expected_version=expected_version
    )


async def set_sealed_password(
    ctx: Identity,
    staff_id: UUID,
    sealed_hash: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Store an admin-set password (sealed hash), to be changed at next sign-in; end sessions."""
    revoked: list[UUID] = []

    async def store(conn: Conn) -> None:
        await ctx.credentials.set_password(conn, staff_id, sealed_hash)
        revoked.extend(await ctx.sessions.revoke_account(conn, staff_id, "password_reset"))

    command = ChangePassword(PasswordChangeKind.ADMIN_RESET, must_change=True)
    version = await _run(
        ctx, staff_id, command, actor=actor, expected_version=expected_version, extra=store
    )
    ctx.deny_list.revoke_all(str(sid) for sid in revoked)
    return version
