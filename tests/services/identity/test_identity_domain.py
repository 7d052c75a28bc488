"""The account decider, given/when/then over events (pure: no database)."""

from __future__ import annotations

import uuid

import pytest
from uponyaji_events.contracts.identity import (
    AccountCreated,
    AccountDeactivated,
    AccountReactivated,
    MfaConfirmed,
    MfaEnrolled,
    MfaReset,
    PasswordChanged,
    RolesAssigned,
    TeamJoined,
    TeamLeft,
)
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.contracts.vocabularies import DeactivationReason, PasswordChangeKind, Role
from uponyaji_events.sealing import Sealed
from uponyaji_identity.domain import (
    Account,
    AccountEvent,
    AssignRoles,
    ChangePassword,
    ConfirmMfa,
    CreateAccount,
    DeactivateAccount,
    EnrolMfa,
    JoinTeam,
    LeaveTeam,
    ReactivateAccount,
    ResetMfa,
    decide,
    replay,
)
from uponyaji_identity.errors import (
    AccountActive,
    AccountExists,
    AccountInactive,
    AccountNotFound,
    MfaNotEnrolled,
    SelfLockout,
    TeamMembershipConflict,
)

STAFF = uuid.UUID("0190a8e5-7c00-7000-8000-000000000101")
ADMIN = uuid.UUID("0190a8e5-7c00-7000-8000-000000000102")
TEAM_A = uuid.UUID("0190a8e5-7c00-7000-8000-000000000201")
TEAM_B = uuid.UUID("0190a8e5-7c00-7000-8000-000000000202")
CRED_1 = uuid.UUID("0190a8e5-7c00-7000-8000-000000000301")
CRED_2 = uuid.UUID("0190a8e5-7c00-7000-8000-000000000302")
NAME = Sealed.parse(example_sealed("display_name"))


def created(*roles: Role) -> AccountCreated:
    return AccountCreated(
        staff_id=STAFF,
        username="test.officer",
        display_name=NAME,
        roles=list(roles),
        must_change_password=True,
    )


def given(*events: AccountEvent) -> Account | None:
    return replay(list(events))


def test_create_account_with_teams_emits_created_then_joins() -> None:
    command = CreateAccount(
        STAFF, "test.officer", NAME, frozenset({"counsellor"}), (TEAM_A, TEAM_A, TEAM_B)
    )
    assert decide(None, command) == [
        created(Role.COUNSELLOR),
        TeamJoined(staff_id=STAFF, team_id=TEAM_A),
        TeamJoined(staff_id=STAFF, team_id=TEAM_B),
    ]


def test_an_account_is_created_once() -> None:
    command = CreateAccount(STAFF, "test.officer", NAME, frozenset(), ())
    with pytest.raises(AccountExists):
        decide(given(created()), command)


def test_commands_on_a_missing_account_are_not_found() -> None:
    with pytest.raises(AccountNotFound):
        decide(None, JoinTeam(TEAM_A))


def test_roles_replace_the_previous_set_and_no_change_emits_nothing() -> None:
    state = given(created(Role.COUNSELLOR))
    assert decide(state, AssignRoles(frozenset({"clinician", "counsellor"}))) == [
        RolesAssigned(staff_id=STAFF, roles=[Role.CLINICIAN, Role.COUNSELLOR])
    ]
    assert decide(state, AssignRoles(frozenset({"counsellor"}))) == []


def test_an_admin_cannot_drop_their_own_admin_role_or_deactivate_themselves() -> None:
    state = given(created(Role.ADMIN))
    with pytest.raises(SelfLockout):
        decide(state, AssignRoles(frozenset({"counsellor"}), by=STAFF))
    with pytest.raises(SelfLockout):
        decide(state, DeactivateAccount(DeactivationReason.OTHER, by=STAFF))
    assert decide(state, AssignRoles(frozenset(), by=ADMIN)) == [
        RolesAssigned(staff_id=STAFF, roles=[])
    ]


def test_joining_twice_or_leaving_a_team_not_joined_is_a_conflict() -> None:
    state = given(created(), TeamJoined(staff_id=STAFF, team_id=TEAM_A))
    with pytest.raises(TeamMembershipConflict):
        decide(state, JoinTeam(TEAM_A))
    with pytest.raises(TeamMembershipConflict):
        decide(state, LeaveTeam(TEAM_B))
    assert decide(state, LeaveTeam(TEAM_A)) == [TeamLeft(staff_id=STAFF, team_id=TEAM_A)]
    state = given(
        created(),
        TeamJoined(staff_id=STAFF, team_id=TEAM_A),
        TeamLeft(staff_id=STAFF, team_id=TEAM_A),
    )
    assert state is not None
    assert state.teams == frozenset()


def test_a_deactivated_account_refuses_changes_until_reactivated() -> None:
    deactivated = AccountDeactivated(staff_id=STAFF, reason=DeactivationReason.LEFT_ORGANISATION)
    state = given(created(), deactivated)
    assert state is not None
    assert not state.active
    with pytest.raises(AccountInactive):
        decide(state, JoinTeam(TEAM_A))
    with pytest.raises(AccountInactive):
        decide(state, DeactivateAccount(DeactivationReason.OTHER))
    assert decide(state, ReactivateAccount()) == [AccountReactivated(staff_id=STAFF)]
    with pytest.raises(AccountActive):
        decide(given(created()), ReactivateAccount())


def test_mfa_is_usable_only_once_confirmed() -> None:
    state = given(created())
    assert state is not None
    assert not state.can_sign_in
    enrolled = decide(state, EnrolMfa(CRED_1))
    assert enrolled == [MfaEnrolled(staff_id=STAFF, credential_id=CRED_1, method="totp")]
    state = given(created(), *enrolled)
    assert state is not None
    assert state.pending_mfa == CRED_1
    assert not state.can_sign_in
    with pytest.raises(MfaNotEnrolled):
        decide(state, ConfirmMfa(CRED_2))
    confirmed = decide(state, ConfirmMfa(CRED_1))
    assert confirmed == [MfaConfirmed(staff_id=STAFF, credential_id=CRED_1)]
    state = given(created(), *enrolled, *confirmed)
    assert state is not None
    assert state.can_sign_in


def test_confirming_a_new_authenticator_resets_the_old_one() -> None:
    state = given(
        created(),
        MfaEnrolled(staff_id=STAFF, credential_id=CRED_1, method="totp"),
        MfaConfirmed(staff_id=STAFF, credential_id=CRED_1),
        MfaEnrolled(staff_id=STAFF, credential_id=CRED_2, method="totp"),
    )
    assert decide(state, ConfirmMfa(CRED_2)) == [
        MfaReset(staff_id=STAFF, credential_id=CRED_1),
        MfaConfirmed(staff_id=STAFF, credential_id=CRED_2),
    ]


def test_mfa_reset_revokes_every_authenticator() -> None:
    with pytest.raises(MfaNotEnrolled):
        decide(given(created()), ResetMfa())
    state = given(
        created(),
        MfaEnrolled(staff_id=STAFF, credential_id=CRED_1, method="totp"),
        MfaConfirmed(staff_id=STAFF, credential_id=CRED_1),
    )
    events = decide(state, ResetMfa())
    assert events == [MfaReset(staff_id=STAFF, credential_id=CRED_1)]
    after = given(
        created(),
        MfaEnrolled(staff_id=STAFF, credential_id=CRED_1, method="totp"),
        MfaConfirmed(staff_id=STAFF, credential_id=CRED_1),
        *events,
    )
    assert after is not None
    assert after.mfa is None


def test_password_changes_carry_no_secret() -> None:
    events = decide(
        given(created()), ChangePassword(PasswordChangeKind.ADMIN_RESET, must_change=True)
    )
    assert events == [
        PasswordChanged(staff_id=STAFF, kind=PasswordChangeKind.ADMIN_RESET, must_change=True)
    ]
    assert set(events[0].model_dump()) == {"staff_id", "kind", "must_change"}


def test_version_counts_events() -> None:
    state = given(created(), TeamJoined(staff_id=STAFF, team_id=TEAM_A))
    assert state is not None
    assert state.version == 2
