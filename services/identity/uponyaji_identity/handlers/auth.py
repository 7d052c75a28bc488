"""Sign-in: password and TOTP checks, sessions, access and refresh tokens, logout.

Unknown username, wrong password, deactivated account and wrong or replayed code all end in the
same `InvalidCredentials` (401), after the same argon2 work. Nothing here logs a password, a code,
a secret or a token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn
from uuid import UUID

from uponyaji_events.contracts.vocabularies import PasswordChangeKind
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor

from ..auth_audit import AuthKind, FailureReason
from ..context import Identity
from ..domain import Account, ChangePassword, decide
from ..errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidRefreshToken,
    MfaEnrolmentRequired,
    PasswordChangeRequired,
    WeakPassword,
)
from ..handlers.streams import after, commit, load_account
from ..security import passwords, totp
from ..security.tokens import ACCESS_TOKEN_SECONDS, access_claims, sign

log = logging.getLogger("uponyaji.identity.auth")
WRONG = "the username, password or code is not right"


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a successful sign-in or refresh returns."""

    access_token: str
    refresh_token: str | None
    expires_in: int = ACCESS_TOKEN_SECONDS
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


def normalise(username: str) -> str:
    """Usernames are lowercase; people type them as they like."""
    return username.strip().lower()


async def check_password(ctx: Identity, username: str, password: str) -> Account | None:
    """The account if the username exists, is active and the password is right; else None."""
    staff_id = await ctx.pool.fetchval(
        "SELECT staff_id FROM accounts WHERE username = $1", normalise(username)
    )
    account = None if staff_id is None else await load_account(ctx, staff_id)
    encoded = None if account is None else await ctx.credentials.password_hash(account.staff_id)
    if account is None or encoded is None:
        await ctx.passwords.waste_time(password)
        return None
    if not await ctx.passwords.verify(encoded, password) or not account.active:
        return None
    return account


async def check_code(ctx: Identity, account: Account, credential_id: UUID, code: str) -> bool:
    """Whether the code is right for this authenticator and its time step was not used before."""
    secret = await ctx.credentials.totp_secret(account.staff_id, credential_id)
    if secret is None:
        return False
    step = totp.matching_step(secret, code, ctx.clock().timestamp())
    return step is not None and await ctx.credentials.use_step(credential_id, step)


async def login(
    ctx: Identity,
    username: str,
    password: str,
    code: str,
    client: str,
    new_password: str | None = None,
) -> Tokens:
    """Password plus TOTP → a new session with an access and a refresh token.

    A password an administrator set must be replaced at this sign-in: without `new_password` the
    answer is 403 `PasswordChangeRequired` and no session starts.
    """
    ctx.limiter.hit(client)
    await begin(ctx, username, client)
    account = await check_password(ctx, username, password)
    if account is None:
        await failed(ctx, username, client, FailureReason.PASSWORD)
    if account.mfa is None:
        await ctx.throttle.succeeded(username, client)
        raise MfaEnrolmentRequired(
            "this account has no confirmed authenticator yet: enrol one with "
            "POST /auth/mfa/enrol, then POST /auth/mfa/confirm"
        )
    if not await check_code(ctx, account, account.mfa, code):
        await failed(ctx, username, client, FailureReason.CODE, staff_id=account.staff_id)
    await ctx.throttle.succeeded(username, client)
    if account.must_change_password:
        account = await _replace_admin_password(ctx, account, password, new_password)
        await ctx.audit.record(
            AuthKind.PASSWORD_CHANGED, username, client, staff_id=account.staff_id
        )
    await ctx.audit.record(AuthKind.SIGN_IN_SUCCEEDED, username, client, staff_id=account.staff_id)
    return await start_session(ctx, account)


async def begin(ctx: Identity, username: str, client: str) -> None:
    """Count an attempt of (username, client); a refusal because of a lock is audited."""
    try:
        await ctx.throttle.begin(username, client)
    except AccountLocked:
        await ctx.audit.failed(username, client, FailureReason.LOCKED)
        raise


async def failed(
    ctx: Identity,
    username: str,
    client: str,
    reason: FailureReason,
    *,
    staff_id: UUID | None = None,
    message: str = WRONG,
) -> NoReturn:
    """Count the failure (maybe locking the pair), audit it, and answer 401."""
    lock_seconds = await ctx.throttle.failed(username, client)
    await ctx.audit.failed(username, client, reason, staff_id=staff_id, lock_seconds=lock_seconds)
    log.info("sign-in refused")  # no username: it may be a password typed in the wrong box
    raise InvalidCredentials(message)


async def replacement(ctx: Identity, account: Account, current: str, new: str | None) -> str:
    """The sealed hash of the owner's own password replacing one an administrator set.

    Checked before anything is written: 403 `PasswordChangeRequired` without `new_password`,
    422 `WeakPassword` when it is weak or the administrator's own.
    """
    if new is None:
        raise PasswordChangeRequired(
            "an administrator set this password: sign in again with a new_password of your own"
        )
    if new == current:
        raise WeakPassword("new_password: must differ from the password an administrator set")
    passwords.check_password(new, account.username, field="new_password")
    return await ctx.credentials.seal_password_hash(account.staff_id, await ctx.passwords.hash(new))


async def _replace_admin_password(
    ctx: Identity, account: Account, current: str, new: str | None
) -> Account:
    sealed = await replacement(ctx, account, current, new)

    async def store(conn: Conn) -> None:
        await ctx.credentials.set_password(conn, account.staff_id, sealed)

    events = decide(account, ChangePassword(PasswordChangeKind.SELF_SERVICE))
    await commit(
        ctx,
        "account",
        account.staff_id,
        account.version,
        events,
        actor=Actor(id=str(account.staff_id), role="self"),
        extra=store,
    )
    return after(account, events)


async def start_session(ctx: Identity, account: Account, *, with_refresh: bool = True) -> Tokens:
    """Open a session for an active account and issue its first tokens.

    Never for an account whose password an administrator set (403 until its owner replaces it).
    """
    if account.must_change_password:
        raise PasswordChangeRequired(
            "an administrator set this password: sign in with a new_password of your own"
        )
    try:
        sid, refresh = await ctx.sessions.start(account.staff_id, with_refresh=with_refresh)
    except LookupError:
        raise InvalidCredentials(WRONG) from None
    log.info("session started for account %s", account.staff_id)
    return Tokens(_access_token(ctx, account, sid), refresh)


def _access_token(ctx: Identity, account: Account, sid: UUID) -> str:
    claims = access_claims(
        staff_id=account.staff_id,
        username=account.username,
        roles=account.roles,
        teams=account.teams,
        sid=sid,
        now=datetime.now(UTC),
    )
    return sign(claims, ctx.keys.current)


async def refresh(ctx: Identity, token: str, client: str) -> Tokens:
    """Rotate a refresh token; a reused one revokes its whole session."""
    ctx.limiter.hit(client)
    rotation = await ctx.sessions.rotate(token)
    if rotation.outcome == "reused" and rotation.sid is not None:
        ctx.deny_list.revoke(str(rotation.sid))
        log.warning("refresh token reused: session of account %s revoked", rotation.staff_id)
    if rotation.outcome != "rotated" or rotation.staff_id is None or rotation.sid is None:
        raise InvalidRefreshToken("the refresh token is not valid: sign in again")
    account = await load_account(ctx, rotation.staff_id)
    if account is None or not account.active:  # pragma: no cover - rotate() checked it
        raise InvalidRefreshToken("the refresh token is not valid: sign in again")
    if account.must_change_password:  # a reset revokes sessions; never renew one regardless
        await ctx.sessions.revoke(rotation.sid, "password_reset")
        ctx.deny_list.revoke(str(rotation.sid))
        raise InvalidRefreshToken("an administrator set this password: sign in again")
    return Tokens(_access_token(ctx, account, rotation.sid), rotation.refresh_token)


async def logout(ctx: Identity, sid: str) -> None:
    """Revoke the session: its refresh tokens stop working, its access tokens are denied."""
    ctx.deny_list.revoke(sid)
    try:
        session = UUID(sid)
    except ValueError:  # not one of ours: nothing stored to revoke
        return
    await ctx.sessions.revoke(session, "logout")
    log.info("session ended by logout")


async def revocations(ctx: Identity) -> list[str]:
    """Sessions revoked recently enough that their access tokens could still be unexpired."""
    return await ctx.sessions.recently_revoked()
