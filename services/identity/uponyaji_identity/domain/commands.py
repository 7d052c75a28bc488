"""Commands on accounts and teams (imperative; pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from uponyaji_events.contracts.vocabularies import DeactivationReason, PasswordChangeKind
from uponyaji_events.sealing import Sealed

# --- commands (imperative) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateAccount:
    """Create a staff account (its first password is stored by the handler, not here).

    `must_change_password`: the first password was set by an administrator and its owner must
    replace it at the first sign-in (every account but demo ones seeded as already changed).
    """

    staff_id: UUID
    username: str
    display_name: Sealed
    roles: frozenset[str]
    teams: tuple[UUID, ...] = ()
    email: Sealed | None = None
    must_change_password: bool = True


@dataclass(frozen=True, slots=True)
class ChangeEmail:
    """Set, change or remove (None) the account's work e-mail address."""

    email: Sealed | None


@dataclass(frozen=True, slots=True)
class AssignRoles:
    """Replace the account's roles; `by` is the admin doing it."""

    roles: frozenset[str]
    by: UUID | None = None


@dataclass(frozen=True, slots=True)
class JoinTeam:
    """Put the account on a team (and so on its caseload)."""

    team_id: UUID


@dataclass(frozen=True, slots=True)
class LeaveTeam:
    """Take the account off a team."""

    team_id: UUID


@dataclass(frozen=True, slots=True)
class DeactivateAccount:
    """Stop the account from signing in; its sessions are revoked by the handler."""

    reason: DeactivationReason
    by: UUID | None = None


@dataclass(frozen=True, slots=True)
class ReactivateAccount:
    """Let a deactivated account sign in again."""


@dataclass(frozen=True, slots=True)
class EnrolMfa:
    """Start enrolling a TOTP authenticator (usable once confirmed)."""

    credential_id: UUID


@dataclass(frozen=True, slots=True)
class ConfirmMfa:
    """Confirm the pending authenticator with a first valid code (checked by the handler)."""

    credential_id: UUID


@dataclass(frozen=True, slots=True)
class ResetMfa:
    """Revoke the account's authenticators (e.g. a lost phone): it must enrol again."""


@dataclass(frozen=True, slots=True)
class ChangePassword:
    """Record a new password (the hash is stored by the handler)."""

    kind: PasswordChangeKind
    must_change: bool = False


AccountCommand = (
    CreateAccount
    | AssignRoles
    | JoinTeam
    | LeaveTeam
    | DeactivateAccount
    | ReactivateAccount
    | EnrolMfa
    | ConfirmMfa
    | ResetMfa
    | ChangePassword
    | ChangeEmail
)


@dataclass(frozen=True, slots=True)
class CreateTeam:
    """Create a team (a field office or programme team holding caseloads)."""

    team_id: UUID
    name: str
    county_code: str | None = None
