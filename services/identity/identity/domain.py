"""Staff accounts and teams: state, commands, `decide(state, command) -> events`, `evolve`.

Pure: no I/O. Events are the published payload contracts of `uponyaji_events.contracts.identity`
(pydantic models); credentials (password hashes, TOTP secrets) never appear here — the handlers
keep them in identity's own tables — and the display name arrives already sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import singledispatch
from uuid import UUID

from uponyaji_events.contracts.identity import (
    AccountCreated,
    AccountDeactivated,
    AccountReactivated,
    MfaConfirmed,
    MfaEnrolled,
    MfaReset,
    PasswordChanged,
    RolesAssigned,
    TeamCreated,
    TeamJoined,
    TeamLeft,
)
from uponyaji_events.contracts.vocabularies import DeactivationReason, PasswordChangeKind, Role
from uponyaji_events.sealing import Sealed

from identity.errors import (
    AccountActive,
    AccountExists,
    AccountInactive,
    AccountNotFound,
    MfaNotEnrolled,
    SelfLockout,
    TeamMembershipConflict,
)

ROLES: tuple[str, ...] = tuple(role.value for role in Role)
AccountEvent = (
    AccountCreated
    | RolesAssigned
    | TeamJoined
    | TeamLeft
    | AccountDeactivated
    | AccountReactivated
    | MfaEnrolled
    | MfaConfirmed
    | MfaReset
    | PasswordChanged
)
ACCOUNT_EVENTS: tuple[type, ...] = (
    AccountCreated,
    RolesAssigned,
    TeamJoined,
    TeamLeft,
    AccountDeactivated,
    AccountReactivated,
    MfaEnrolled,
    MfaConfirmed,
    MfaReset,
    PasswordChanged,
)


@dataclass(frozen=True, slots=True)
class Account:
    """A staff account as its events describe it."""

    staff_id: UUID
    username: str
    display_name: Sealed
    roles: frozenset[str] = frozenset()
    teams: frozenset[UUID] = frozenset()
    active: bool = True
    pending_mfa: UUID | None = None  # enrolled, waiting for its first code
    mfa: UUID | None = None  # the confirmed authenticator
    must_change_password: bool = False
    version: int = 0

    @property
    def can_sign_in(self) -> bool:
        """Active, with a confirmed authenticator."""
        return self.active and self.mfa is not None


# --- commands (imperative) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateAccount:
    """Create a staff account (its first password is stored by the handler, not here)."""

    staff_id: UUID
    username: str
    display_name: Sealed
    roles: frozenset[str]
    teams: tuple[UUID, ...] = ()


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
)


@dataclass(frozen=True, slots=True)
class CreateTeam:
    """Create a team (a field office or programme team holding caseloads)."""

    team_id: UUID
    name: str
    county_code: str | None = None


@dataclass(frozen=True, slots=True)
class Team:
    """A team as its events describe it."""

    team_id: UUID
    name: str
    county_code: str | None = None
    version: int = field(default=0)


# --- decide ----------------------------------------------------------------------------------


def decide(state: Account | None, command: AccountCommand) -> list[AccountEvent]:
    """The events a command produces on an account, or a domain error."""
    if isinstance(command, CreateAccount):
        if state is not None:
            raise AccountExists(f"account {command.staff_id} already exists")
        return [
            AccountCreated(
                staff_id=command.staff_id,
                username=command.username,
                display_name=command.display_name,
                roles=[Role(r) for r in sorted(command.roles)],
            ),
            *(TeamJoined(staff_id=command.staff_id, team_id=t) for t in _unique(command.teams)),
        ]
    if state is None:
        raise AccountNotFound("no such account")
    if isinstance(command, ReactivateAccount):
        if state.active:
            raise AccountActive(f"account {state.username} is active")
        return [AccountReactivated(staff_id=state.staff_id)]
    if not state.active:
        raise AccountInactive(f"account {state.username} is deactivated")
    return _decide_active(state, command)


def _decide_active(state: Account, command: AccountCommand) -> list[AccountEvent]:
    sid = state.staff_id
    match command:
        case AssignRoles(roles=roles, by=by):
            if by == sid and "admin" in state.roles and "admin" not in roles:
                raise SelfLockout("you cannot remove your own admin role")
            if roles == state.roles:
                return []
            return [RolesAssigned(staff_id=sid, roles=[Role(r) for r in sorted(roles)])]
        case JoinTeam(team_id=team):
            if team in state.teams:
                raise TeamMembershipConflict(f"{state.username} is already on team {team}")
            return [TeamJoined(staff_id=sid, team_id=team)]
        case LeaveTeam(team_id=team):
            if team not in state.teams:
                raise TeamMembershipConflict(f"{state.username} is not on team {team}")
            return [TeamLeft(staff_id=sid, team_id=team)]
        case DeactivateAccount(reason=reason, by=by):
            if by == sid:
                raise SelfLockout("you cannot deactivate your own account")
            return [AccountDeactivated(staff_id=sid, reason=reason)]
        case EnrolMfa(credential_id=credential):
            return [MfaEnrolled(staff_id=sid, credential_id=credential, method="totp")]
        case ConfirmMfa(credential_id=credential):
            if state.pending_mfa != credential:
                raise MfaNotEnrolled("no authenticator is waiting for confirmation")
            superseded = (
                [] if state.mfa is None else [MfaReset(staff_id=sid, credential_id=state.mfa)]
            )
            return [*superseded, MfaConfirmed(staff_id=sid, credential_id=credential)]
        case ResetMfa():
            found = [c for c in (state.mfa, state.pending_mfa) if c is not None]
            if not found:
                raise MfaNotEnrolled(f"{state.username} has no authenticator to reset")
            return [MfaReset(staff_id=sid, credential_id=c) for c in found]
        case ChangePassword(kind=kind, must_change=must_change):
            return [PasswordChanged(staff_id=sid, kind=kind, must_change=must_change)]
    raise TypeError(f"unknown command {type(command).__name__}")  # pragma: no cover


def decide_team(state: Team | None, command: CreateTeam) -> list[TeamCreated]:
    """The events creating a team (a team with this id must not exist yet)."""
    if state is not None:
        raise AccountExists(f"team {command.team_id} already exists")
    return [
        TeamCreated(team_id=command.team_id, name=command.name, county_code=command.county_code)
    ]


# --- evolve ----------------------------------------------------------------------------------


@singledispatch
def _apply(event: AccountEvent, state: Account | None) -> Account:
    raise TypeError(f"unknown event {type(event).__name__}")  # pragma: no cover


def evolve(state: Account | None, event: AccountEvent) -> Account:
    """The account after one more event (version counts events)."""
    after = _apply(event, state)
    return replace(after, version=(state.version if state else 0) + 1)


def replay(events: list[AccountEvent]) -> Account | None:
    """The account after all its events (None: no events)."""
    state: Account | None = None
    for event in events:
        state = evolve(state, event)
    return state


def _existing(state: Account | None) -> Account:
    if state is None:
        raise AccountNotFound("account stream does not start with AccountCreated")
    return state


@_apply.register
def _(event: AccountCreated, state: Account | None) -> Account:
    return Account(
        staff_id=event.staff_id,
        username=event.username,
        display_name=event.display_name,
        roles=frozenset(str(r) for r in event.roles),
    )


@_apply.register
def _(event: RolesAssigned, state: Account | None) -> Account:
    return replace(_existing(state), roles=frozenset(str(r) for r in event.roles))


@_apply.register
def _(event: TeamJoined, state: Account | None) -> Account:
    s = _existing(state)
    return replace(s, teams=s.teams | {event.team_id})


@_apply.register
def _(event: TeamLeft, state: Account | None) -> Account:
    s = _existing(state)
    return replace(s, teams=s.teams - {event.team_id})


@_apply.register
def _(event: AccountDeactivated, state: Account | None) -> Account:
    return replace(_existing(state), active=False)


@_apply.register
def _(event: AccountReactivated, state: Account | None) -> Account:
    return replace(_existing(state), active=True)


@_apply.register
def _(event: MfaEnrolled, state: Account | None) -> Account:
    return replace(_existing(state), pending_mfa=event.credential_id)


@_apply.register
def _(event: MfaConfirmed, state: Account | None) -> Account:
    return replace(_existing(state), mfa=event.credential_id, pending_mfa=None)


@_apply.register
def _(event: MfaReset, state: Account | None) -> Account:
    s = _existing(state)
    return replace(
        s,
        mfa=None if s.mfa == event.credential_id else s.mfa,
        pending_mfa=None if s.pending_mfa == event.credential_id else s.pending_mfa,
    )


@_apply.register
def _(event: PasswordChanged, state: Account | None) -> Account:
    return replace(_existing(state), must_change_password=event.must_change)


def evolve_team(state: Team | None, event: TeamCreated) -> Team:
    """The team after its creation event."""
    return Team(event.team_id, event.name, event.county_code, (state.version if state else 0) + 1)


def _unique(items: tuple[UUID, ...]) -> list[UUID]:
    return list(dict.fromkeys(items))
