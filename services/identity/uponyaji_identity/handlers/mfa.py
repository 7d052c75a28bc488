"""Authenticator enrolment and confirmation, and self-service password changes.

Enrolment needs the account's current credentials: the password, plus a code of the current
authenticator once one is confirmed. So a new account (password from the admin) enrols on its
own, and a stolen password alone cannot replace a confirmed authenticator. Confirmation with a
first code is a full sign-in and returns tokens; for an account whose password an administrator
set, only together with the owner's own `new_password`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID, uuid4

from uponyaji_events.contracts.vocabularies import PasswordChangeKind
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor

from ..auth_audit import AuthKind, FailureReason
from ..context import Identity
from ..domain import Account, ChangePassword, ConfirmMfa, EnrolMfa, decide
from ..errors import MfaNotEnrolled, PasswordChangeRequired
from ..handlers.auth import (
    Tokens,
    begin,
    check_code,
    check_password,
    failed,
    replacement,
    start_session,
)
from ..handlers.streams import after, commit, require_account
from ..security import passwords, totp

log = logging.getLogger("uponyaji.identity.mfa")


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A new authenticator's secret, shown once, and its URI for authenticator apps."""

    credential_id: UUID
    secret: str
    otpauth_uri: str


def self_actor(account: Account) -> Actor:
    """The actor of events a staff member causes on their own account."""
    return Actor(id=str(account.staff_id), role="self")


async def _authenticate(
    ctx: Identity, username: str, password: str, code: str | None, client: str
) -> Account:
    ctx.limiter.hit(client)
    await begin(ctx, username, client)
    account = await check_password(ctx, username, password)
    if account is None:
        await failed(ctx, username, client, FailureReason.PASSWORD)
    ok = account.mfa is None or (
        code is not None and await check_code(ctx, account, account.mfa, code)
    )
    if not ok:
        await failed(ctx, username, client, FailureReason.CODE, staff_id=account.staff_id)
    return account


async def enrol(
    ctx: Identity, username: str, password: str, code: str | None, client: str
) -> Enrolment:
    """Start enrolling a TOTP authenticator; the secret is returned once and stored sealed."""
    account = await _authenticate(ctx, username, password, code, client)
    await ctx.throttle.succeeded(username, client)
    credential_id = uuid4()
    secret = totp.new_secret()
    sealed = await ctx.credentials.seal_totp_secret(account.staff_id, secret)

    async def store(conn: Conn) -> None:
        await ctx.credentials.add_authenticator(conn, account.staff_id, credential_id, sealed)

    events = decide(account, EnrolMfa(credential_id))
    await commit(
        ctx,
        "account",
        account.staff_id,
        account.version,
        events,
        actor=self_actor(account),
        extra=store,
    )
    await ctx.audit.record(
        AuthKind.MFA_ENROLMENT_STARTED, username, client, staff_id=account.staff_id
    )
    log.info("authenticator enrolment started for account %s", account.staff_id)
    return Enrolment(credential_id, secret, totp.provisioning_uri(secret, account.username))


async def confirm(
    ctx: Identity,
    username: str,
    password: str,
    code: str,
    client: str,
    new_password: str | None = None,
) -> Tokens:
    """Confirm the pending authenticator with its first code; signs in (returns tokens).

    When an administrator set the password, no session starts without the owner's own
    `new_password`: given, it replaces that password in the same transaction (a weak one is
    refused before anything is written); not given, the authenticator is confirmed and the
    answer is 403 `PasswordChangeRequired`, so the owner continues at the sign-in's new-password
    step (`POST /auth/login` with `new_password`, the portal's sign-in page).
    """
    ctx.limiter.hit(client)
    await begin(ctx, username, client)
    account = await check_password(ctx, username, password)
    if account is None:
        await failed(ctx, username, client, FailureReason.PASSWORD)
    pending = account.pending_mfa
    if pending is None:
        raise MfaNotEnrolled("no authenticator is waiting for confirmation: enrol one first")
    if not await check_code(ctx, account, pending, code):
        await failed(ctx, username, client, FailureReason.CODE, staff_id=account.staff_id)
    await ctx.throttle.succeeded(username, client)
    changing = account.must_change_password and new_password is not None
    sealed = await replacement(ctx, account, password, new_password) if changing else None

    async def store(conn: Conn) -> None:
        await ctx.credentials.confirm_authenticator(conn, account.staff_id, pending)
        if sealed is not None:
            await ctx.credentials.set_password(conn, account.staff_id, sealed)

    events = decide(account, ConfirmMfa(pending))
    if sealed is not None:
        events += decide(after(account, events), ChangePassword(PasswordChangeKind.SELF_SERVICE))
    await commit(
        ctx,
        "account",
        account.staff_id,
        account.version,
        events,
        actor=self_actor(account),
        extra=store,
    )
    await ctx.audit.record(AuthKind.MFA_CONFIRMED, username, client, staff_id=account.staff_id)
    log.info("authenticator confirmed for account %s", account.staff_id)
    if sealed is not None:
        await ctx.audit.record(
            AuthKind.PASSWORD_CHANGED, username, client, staff_id=account.staff_id
        )
    confirmed = after(account, events)
    if confirmed.must_change_password:
        raise PasswordChangeRequired(
            "authenticator confirmed; an administrator set this password: sign in with a "
            "new_password of your own"
        )
    return await start_session(ctx, confirmed)


async def change_password(
    ctx: Identity, staff_id: UUID, sid: str, current: str, new: str, client: str
) -> None:
    """Change one's own password (current one required); other sessions are revoked."""
    account = await require_account(ctx, staff_id)
    ctx.limiter.hit(client)
    await begin(ctx, account.username, client)
    encoded = await ctx.credentials.password_hash(staff_id)
    if encoded is None or not await ctx.passwords.verify(encoded, current):
        await failed(
            ctx,
            account.username,
            client,
            FailureReason.CURRENT_PASSWORD,
            staff_id=staff_id,
            message="current_password: the current password is not right",
        )
    await ctx.throttle.succeeded(account.username, client)
    passwords.check_password(new, account.username, field="new_password")
    sealed = await ctx.credentials.seal_password_hash(staff_id, await ctx.passwords.hash(new))
    revoked: list[UUID] = []

    async def store(conn: Conn) -> None:
        await ctx.credentials.set_password(conn, staff_id, sealed)
        keep = UUID(sid)
        revoked.extend(
            await ctx.sessions.revoke_account(conn, staff_id, "password_changed", keep=keep)
        )

    events = decide(account, ChangePassword(PasswordChangeKind.SELF_SERVICE))
    await commit(
        ctx, "account", staff_id, account.version, events, actor=self_actor(account), extra=store
    )
    ctx.deny_list.revoke_all(str(s) for s in revoked)
    await ctx.audit.record(AuthKind.PASSWORD_CHANGED, account.username, client, staff_id=staff_id)
