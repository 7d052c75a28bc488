"""`decide(state, command) -> events`: the rules of accounts and teams (pure)."""

from __future__ import annotations

from uuid import UUID

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
from uponyaji_events.contracts.vocabularies import Role

from ..domain.commands import (
    AccountCommand,
    AssignRoles,
    ChangeEmail,
    ChangePassword,
    ConfirmMfa,
    CreateAccount,
    CreateTeam,
    DeactivateAccount,
    EnrolMfa,
    JoinTeam,
    LeaveTeam,
    ReactivateAccount,
    ResetMfa,
)
from ..domain.state import Account, AccountEvent, Team
from ..errors import (
    AccountActive,
    AccountExists,
    AccountInactive,
    AccountNotFound,
    MfaNotEnrolled,
    SelfLockout,
    TeamMembershipConflict,
)

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
                email=command.email,
                must_change_password=command.must_change_password,
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
        case ChangeEmail(email=email):
            return [EmailAddressChanged(staff_id=sid, email=email)]
    raise TypeError(f"unknown command {type(command).__name__}")  # pragma: no cover


def decide_team(state: Team | None, command: CreateTeam) -> list[TeamCreated]:
    """The events creating a team (a team with this id must not exist yet)."""
    if state is not None:
        raise AccountExists(f"team {command.team_id} already exists")
    return [
        TeamCreated(team_id=command.team_id, name=command.name, county_code=command.county_code)
    ]


def _unique(items: tuple[UUID, ...]) -> list[UUID]:
    return list(dict.fromkeys(items))
