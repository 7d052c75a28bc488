"""Account and team state and `evolve`: what the events say an account is (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import singledispatch
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
from uponyaji_events.sealing import Sealed

from ..errors import (
    AccountNotFound,
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
    | EmailAddressChanged
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
    EmailAddressChanged,
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


@dataclass(frozen=True, slots=True)
class Team:
    """A team as its events describe it."""

    team_id: UUID
    name: str
    county_code: str | None = None
    version: int = field(default=0)


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
        must_change_password=event.must_change_password,
    )


@_apply.register
def _(event: EmailAddressChanged, state: Account | None) -> Account:
    return _existing(state)  # the address lives in the read table (sealed), not in decisions


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
