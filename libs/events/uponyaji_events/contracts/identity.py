"""Event contracts of the identity service: staff accounts, roles, teams and MFA.

These events are published to NATS and read by every service. They never carry a password, a
password hash, a TOTP secret, a recovery code, a token or a session secret: identity keeps
credentials in its own tables and only records *that* something changed. A staff member's name is
sealed under that staff member's own data key (subject = staff_id), as staff are at risk too.

`AccountCreated` v2 added `must_change_password` (`account_created_v1_to_v2` lifts stored v1
events, which never forced a change, with `false`).
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.registry import ContractRegistry
from uponyaji_events.contracts.types import (
    CountyCode,
    EventPayload,
    SealedValue,
    Timestamp,
    Username,
    example_id,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import DeactivationReason, PasswordChangeKind, Role
from uponyaji_events.envelope import Payload
from uponyaji_events.upcasting import UpcasterRegistry

SERVICE = "identity"
ACCOUNT_CREATED_SCHEMA_VERSION = 2  # v2: must_change_password
_STAFF = example_id(101)
_TEAM = example_id(201)
_CREDENTIAL = example_id(301)


def _staff() -> Any:
    return Field(description="The staff member's id (the account stream's id)")


class AccountCreated(EventPayload):
    """A staff account was created with its username, sealed display name and first roles."""

    model_config = examples(
        {
            "staff_id": _STAFF,
            "username": "test.officer.alpha",
            "display_name": example_sealed("display_name"),
            "roles": ["intake_officer"],
            "email": None,
            "must_change_password": True,
        }
    )

    staff_id: UUID = _staff()
    username: Username = Field(description="Login name: lowercase letters, digits, '.', '_', '-'")
    display_name: SealedValue = Field(description="Name shown to colleagues")
    roles: list[Role] = Field(description="Roles granted at creation (may be empty)")
    email: SealedValue | None = Field(
        default=None, description="Work e-mail address for notifications, if given (sealed)"
    )
    must_change_password: bool = Field(
        description="Whether the first password (set by an administrator) must be replaced by "
        "the owner's own at the first sign-in before any session starts"
    )


def account_created_v1_to_v2(payload: Payload) -> Payload:
    """Lift a v1 AccountCreated: v1 accounts were never made to change their first password."""
    return {**payload, "must_change_password": False}


class RolesAssigned(EventPayload):
    """A staff account's roles were set; the list replaces the previous set."""

    model_config = examples({"staff_id": _STAFF, "roles": ["intake_officer", "counsellor"]})

    staff_id: UUID = _staff()
    roles: list[Role] = Field(description="The complete set of roles from now on")


class TeamCreated(EventPayload):
    """A team (a field office or programme team that holds caseloads) was created."""

    model_config = examples(
        {"team_id": _TEAM, "name": "Test Field Office Alpha", "county_code": "047"}
    )

    team_id: UUID = Field(description="The team's id (the team stream's id)")
    name: str = Field(
        description="Organisational name of the team (never a person's name)",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ,.'()&-]{1,79}$",
    )
    county_code: CountyCode | None = Field(
        default=None,
        description="County of a field office (Kenyan county code, 001-047), if it has one",
    )


class TeamJoined(EventPayload):
    """A staff member joined a team (and so sees its caseload)."""

    model_config = examples({"staff_id": _STAFF, "team_id": _TEAM})

    staff_id: UUID = _staff()
    team_id: UUID = Field(description="The team joined")


class TeamLeft(EventPayload):
    """A staff member left a team."""

    model_config = examples({"staff_id": _STAFF, "team_id": _TEAM})

    staff_id: UUID = _staff()
    team_id: UUID = Field(description="The team left")


class AccountDeactivated(EventPayload):
    """A staff account was deactivated: no new logins, and its sessions are revoked."""

    model_config = examples({"staff_id": _STAFF, "reason": "left_organisation"})

    staff_id: UUID = _staff()
    reason: DeactivationReason = Field(description="Why the account was deactivated")


class AccountReactivated(EventPayload):
    """A deactivated staff account was reactivated."""

    model_config = examples({"staff_id": _STAFF})

    staff_id: UUID = _staff()


class MfaEnrolled(EventPayload):
    """A TOTP authenticator was enrolled (not yet usable until confirmed; no secret here)."""

    model_config = examples({"staff_id": _STAFF, "credential_id": _CREDENTIAL, "method": "totp"})

    staff_id: UUID = _staff()
    credential_id: UUID = Field(description="Id of the credential row identity keeps privately")
    method: Literal["totp"] = Field(description="Second factor kind")


class MfaConfirmed(EventPayload):
    """An enrolled authenticator was confirmed with a first valid code."""

    model_config = examples({"staff_id": _STAFF, "credential_id": _CREDENTIAL})

    staff_id: UUID = _staff()
    credential_id: UUID = Field(description="The credential confirmed")


class MfaReset(EventPayload):
    """An authenticator was revoked (e.g. a lost phone); the staff member must enrol again."""

    model_config = examples({"staff_id": _STAFF, "credential_id": _CREDENTIAL})

    staff_id: UUID = _staff()
    credential_id: UUID = Field(description="The credential revoked")


class PasswordChanged(EventPayload):
    """A staff member's password was changed or reset (the hash stays in identity's tables)."""

    model_config = examples({"staff_id": _STAFF, "kind": "self_service", "must_change": False})

    staff_id: UUID = _staff()
    kind: PasswordChangeKind = Field(description="Changed by the staff member or reset by an admin")
    must_change: bool = Field(description="Whether the password must be changed at next login")


class EmailAddressChanged(EventPayload):
    """A staff member's work e-mail address (for notifications) was set, changed or removed."""

    model_config = examples({"staff_id": _STAFF, "email": example_sealed("email")})

    staff_id: UUID = _staff()
    email: SealedValue | None = Field(description="The new address (sealed); null: removed")


class AuthenticationAudited(EventPayload):
    """A sign-in attempt, a lock, or a change of one's own authenticator or password (audit).

    The username is kept only as its keyed hash (HMAC-SHA256 under the deployment's audit key);
    `source` is the client's address (behind trusted proxies, the address they report).
    """

    model_config = examples(
        {
            "kind": "sign_in_failed",
            "username_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "staff_id": None,
            "source": "192.0.2.10",
            "reason": "password",
            "lock_seconds": None,
            "at": "2026-04-01T09:15:00+00:00",
        }
    )

    kind: Literal[
        "sign_in_succeeded",
        "sign_in_failed",
        "locked_out",
        "mfa_enrolment_started",
        "mfa_confirmed",
        "password_changed",
    ] = Field(description="What happened")
    username_hash: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="HMAC-SHA256 (hex) of the normalised username typed"
    )
    staff_id: UUID | None = Field(
        description="The account, when the attempt got far enough to know it (right password)"
    )
    source: str = Field(pattern=r"^[A-Za-z0-9.:%_-]{1,64}$", description="The client's address")
    reason: Literal["password", "code", "locked", "current_password"] | None = Field(
        description="Why a sign-in failed: unknown user, wrong password or inactive account "
        "(`password`), a wrong code after the right password (`code`), a lock, or a wrong "
        "current password at a change"
    )
    lock_seconds: int | None = Field(ge=0, description="How long the lock this failure set lasts")
    at: Timestamp = Field(description="When")


def register(registry: ContractRegistry) -> None:
    """Register identity's event contracts."""
    registry.register(
        AccountCreated,
        service=SERVICE,
        stream_type="account",
        schema_version=ACCOUNT_CREATED_SCHEMA_VERSION,
    )
    for model, stream_type in (
        (RolesAssigned, "account"),
        (TeamJoined, "account"),
        (TeamLeft, "account"),
        (AccountDeactivated, "account"),
        (AccountReactivated, "account"),
        (MfaEnrolled, "account"),
        (MfaConfirmed, "account"),
        (MfaReset, "account"),
        (PasswordChanged, "account"),
        (EmailAddressChanged, "account"),
        (TeamCreated, "team"),
    ):
        registry.register(model, service=SERVICE, stream_type=stream_type)
    registry.register(AuthenticationAudited, service=SERVICE, stream_type="audit")


def register_upcasters(upcasters: UpcasterRegistry) -> None:
    """Register identity's upcasters (AccountCreated v1 → v2)."""
    upcasters.register(f"{SERVICE}.AccountCreated", 1, account_created_v1_to_v2)
