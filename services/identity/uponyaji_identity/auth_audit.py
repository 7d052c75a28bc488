"""Sign-in events in identity's audit log: who tried, from where, and what came of it.

Each is an event `identity.AuthenticationAudited` (stream type `audit`) with a `kind`:
`sign_in_succeeded`, `sign_in_failed` (with a reason: `password` — unknown username, wrong
password or inactive account, told apart by nobody —, `code` — the password was right and the
TOTP code was not —, `locked`, or `current_password`), `locked_out` (this failure set a lock, for
`lock_seconds`), `mfa_enrolment_started`, `mfa_confirmed` and `password_changed`. The username is
kept only as its keyed hash (HMAC under the deployment's audit key: a typed password in the
username box never reaches the log), with the client's address (behind trusted proxies, the one
they report) and the staff id when the account is known. Records go to the stream
`audit-<day>-u<hash>`, one trail per username typed and day. If a record cannot be stored the
attempt is refused with 503, as every audited act is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from uponyaji_access import AuditKey, AuditLog
from uponyaji_events.envelope import Actor

AUDITED = "AuthenticationAudited"
SCHEMA_VERSION = 1


class AuthKind(StrEnum):
    """What an authentication record is about."""

    SIGN_IN_SUCCEEDED = "sign_in_succeeded"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    MFA_ENROLMENT_STARTED = "mfa_enrolment_started"
    MFA_CONFIRMED = "mfa_confirmed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a kind of event, not a secret


class FailureReason(StrEnum):
    """Why a sign-in failed, as far as the audit log may say."""

    PASSWORD = "password"  # noqa: S105 - a reason's name, not a secret
    CODE = "code"
    LOCKED = "locked"
    CURRENT_PASSWORD = "current_password"  # noqa: S105 - a reason's name, not a secret


@dataclass(frozen=True, slots=True)
class AuthAudit:
    """Writes authentication records to identity's audit log."""

    log: AuditLog
    key: AuditKey

    async def record(
        self,
        kind: AuthKind,
        username: str,
        source: str,
        *,
        staff_id: UUID | None = None,
        reason: FailureReason | None = None,
        lock_seconds: float | None = None,
    ) -> None:
        """Store one authentication record (AuditUnavailable, 503, if it cannot be)."""
        hashed = self.key.username(username)
        at = datetime.now(UTC)
        actor = (
            Actor(id=str(staff_id), role="self")
            if staff_id is not None
            else Actor.system("sign-in")
        )
        await self.log.append(
            AUDITED,
            {
                "kind": kind.value,
                "username_hash": hashed,
                "staff_id": None if staff_id is None else str(staff_id),
                "source": source[:64],
                "reason": None if reason is None else reason.value,
                "lock_seconds": None if lock_seconds is None else round(lock_seconds),
                "at": at.isoformat(),
            },
            staff_id=f"u{hashed[:32]}",
            role=actor.role,
            at=at,
            schema_version=SCHEMA_VERSION,
            what=kind.value,
            actor=actor,
        )

    async def failed(
        self,
        username: str,
        source: str,
        reason: FailureReason,
        *,
        staff_id: UUID | None = None,
        lock_seconds: float | None = None,
    ) -> None:
        """A failed attempt, and the lock it set if it set one."""
        await self.record(
            AuthKind.SIGN_IN_FAILED, username, source, staff_id=staff_id, reason=reason
        )
        if lock_seconds is not None:
            await self.record(
                AuthKind.LOCKED_OUT,
                username,
                source,
                staff_id=staff_id,
                lock_seconds=lock_seconds,
            )
