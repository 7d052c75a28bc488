"""Admin routes: staff accounts and teams (role `admin` only), and the staff directory."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from uponyaji_events.contracts.types import CountyCode, Username
from uponyaji_events.contracts.vocabularies import DeactivationReason, Role
from uponyaji_events.text import StorableText

from .. import queries
from ..api.deps import Addresses, Directory, IdentityDep, Manage, actor
from ..domain.approval import CLINICAL_ROLES, grants_clinical_role
from ..errors import AccountNotFound
from ..handlers import accounts as handle
from ..handlers import approvals
from ..handlers.streams import require_account

router = APIRouter(tags=["accounts"])

StaffId = Annotated[UUID, Path(description="The staff member's id")]
DisplayName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
    StorableText,
]
TeamName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ,.'()&-]{1,79}$")]
NewPassword = Annotated[
    str,
    Field(
        min_length=1, max_length=1024, description="At least 12 characters, not a common password"
    ),
    StorableText,
]
Version = Annotated[
    int | None,
    Field(ge=0, le=1_000_000, description="Refuse (409) unless the account is at this version"),
]
Limit = Annotated[int, Query(ge=1, le=500)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,63}$",
    ),
    Field(description="A work e-mail address for notifications (name@example.org)"),
]


def _staff_role(role: Role) -> Role:
    if role is Role.SERVICE:
        raise ValueError("`service` is not a staff role: services get service tokens")
    return role


StaffRole = Annotated[Role, AfterValidator(_staff_role)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class Body(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class NewAccount(Body):
    """A staff account to create."""

    username: Username
    display_name: DisplayName
    password: NewPassword
    roles: list[StaffRole] = Field(max_length=len(Role))
    teams: list[UUID] = Field(default_factory=list, max_length=50)
    email: Email | None = None


class EmailChange(Body):
    """The account's new work e-mail address; null removes it."""

    email: Email | None
    expected_version: Version = None


class NewTeam(Body):
    """A team to create."""

    name: TeamName
    county_code: CountyCode | None = None


class RolesChange(Body):
    """The complete set of roles the account should have."""

    roles: list[StaffRole] = Field(max_length=len(Role))
    expected_version: Version = None


class TeamChange(Body):
    """Join or leave one team."""

    team_id: UUID
    action: Literal["join", "leave"]
    expected_version: Version = None


class Deactivation(Body):
    """Why the account is deactivated."""

    reason: DeactivationReason
    expected_version: Version = None


class VersionOnly(Body):
    """Optionally, the version the account must be at."""

    expected_version: Version = None


class PasswordReset(Body):
    """A new password set by an admin (to be changed by its owner)."""

    new_password: NewPassword
    expected_version: Version = None


class PendingChange(BaseModel):
    """A change waiting for a second administrator's approval (202 Accepted)."""

    change_id: UUID
    staff_id: UUID
    kind: str
    status: str


class AccountList(BaseModel):
    """A page of accounts."""

    accounts: list[queries.AccountView]


class StaffList(BaseModel):
    """A page of the staff directory."""

    staff: list[queries.StaffView]


class AddressList(BaseModel):
    """Staff e-mail addresses for notification delivery."""

    addresses: list[queries.StaffAddress]


class TeamList(BaseModel):
    """Every team."""

    teams: list[queries.TeamView]


async def _view(ctx: IdentityDep, staff_id: UUID) -> queries.AccountView:
    found = await queries.account(ctx, staff_id)
    if found is None:
        raise AccountNotFound(f"no account {staff_id}")
    return found.model_copy(update={"pending_changes": await approvals.pending_for(ctx, staff_id)})


def _pending(response: Response, change_id: UUID, staff_id: UUID, kind: str) -> PendingChange:
    response.status_code = 202
    return PendingChange(change_id=change_id, staff_id=staff_id, kind=kind, status="pending")


@router.post("/accounts", status_code=201)
async def create_account(body: NewAccount, grant: Manage, ctx: IdentityDep) -> queries.AccountView:
    """Create a staff account with a first password; the owner then enrols an authenticator.

    Clinical roles and teams asked for here are not granted yet: each waits, as a pending change
    listed on the account, for a second administrator's approval.
    """
    roles = frozenset(r.value for r in body.roles)
    by = actor(grant)
    for team in body.teams:
        await handle.require_team(ctx, team)
    staff_id = await handle.create_account(
        ctx,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        roles=roles - CLINICAL_ROLES,
        teams=(),
        actor=by,
        email=body.email,
    )
    if roles & CLINICAL_ROLES:
        await approvals.request(ctx, staff_id, "roles", actor=by, roles=roles)
    for team in dict.fromkeys(body.teams):
        await approvals.request(ctx, staff_id, "team_join", actor=by, team_id=team)
    return await _view(ctx, staff_id)


@router.get("/accounts")
async def list_accounts(
    grant: Manage, ctx: IdentityDep, limit: Limit = 100, offset: Offset = 0
) -> AccountList:
    """Accounts in username order."""
    return AccountList(accounts=await queries.accounts(ctx, limit=limit, offset=offset))


@router.get("/accounts/{staff_id}")
async def get_account(staff_id: StaffId, grant: Manage, ctx: IdentityDep) -> queries.AccountView:
    """One account."""
    return await _view(ctx, staff_id)


@router.post("/accounts/{staff_id}/roles")
async def set_roles(
    staff_id: StaffId, body: RolesChange, grant: Manage, ctx: IdentityDep, response: Response
) -> queries.AccountView | PendingChange:
    """Replace the account's roles and end its sessions; granting a clinical role waits (202)."""
    roles = frozenset(r.value for r in body.roles)
    account = await require_account(ctx, staff_id, body.expected_version)
    if grants_clinical_role(account.roles, roles):
        change = await approvals.request(ctx, staff_id, "roles", actor=actor(grant), roles=roles)
        return _pending(response, change, staff_id, "roles")
    await handle.assign_roles(
        ctx, staff_id, roles, actor=actor(grant), expected_version=body.expected_version
    )
    return await _view(ctx, staff_id)


@router.post("/accounts/{staff_id}/teams", status_code=202)
async def change_team(
    staff_id: StaffId, body: TeamChange, grant: Manage, ctx: IdentityDep
) -> PendingChange:
    """Ask to put the account on a team or take it off one (waits for a second admin)."""
    await require_account(ctx, staff_id, body.expected_version)
    if body.action == "join":
        await handle.require_team(ctx, body.team_id)
    kind = f"team_{body.action}"
    change = await approvals.request(ctx, staff_id, kind, actor=actor(grant), team_id=body.team_id)
    return PendingChange(change_id=change, staff_id=staff_id, kind=kind, status="pending")


@router.post("/accounts/{staff_id}/email")
async def set_email(
    staff_id: StaffId, body: EmailChange, grant: Manage, ctx: IdentityDep
) -> queries.AccountView:
    """Set, change or remove the account's work e-mail address (where notifications go)."""
    await handle.set_email(
        ctx, staff_id, body.email, actor=actor(grant), expected_version=body.expected_version
    )
    return await _view(ctx, staff_id)


@router.post("/accounts/{staff_id}/deactivation")
async def deactivate(
    staff_id: StaffId, body: Deactivation, grant: Manage, ctx: IdentityDep
) -> queries.AccountView:
    """Deactivate the account; every one of its sessions is revoked at once."""
    await handle.deactivate(
        ctx, staff_id, body.reason, actor=actor(grant), expected_version=body.expected_version
    )
    return await _view(ctx, staff_id)


@router.post("/accounts/{staff_id}/reactivation")
async def reactivate(
    staff_id: StaffId, body: VersionOnly, grant: Manage, ctx: IdentityDep
) -> queries.AccountView:
    """Let a deactivated account sign in again."""
    await handle.reactivate(
        ctx, staff_id, actor=actor(grant), expected_version=body.expected_version
    )
    return await _view(ctx, staff_id)


@router.post("/accounts/{staff_id}/mfa-reset", status_code=202)
async def reset_mfa(
    staff_id: StaffId, body: VersionOnly, grant: Manage, ctx: IdentityDep
) -> PendingChange:
    """Ask to revoke the account's authenticators and sessions (waits for a second admin)."""
    await require_account(ctx, staff_id, body.expected_version)
    change = await approvals.request(ctx, staff_id, "mfa_reset", actor=actor(grant))
    return PendingChange(change_id=change, staff_id=staff_id, kind="mfa_reset", status="pending")


@router.post("/accounts/{staff_id}/password", status_code=202)
async def reset_password(
    staff_id: StaffId, body: PasswordReset, grant: Manage, ctx: IdentityDep
) -> PendingChange:
    """Ask to set a new password (changed at next sign-in; waits for a second admin)."""
    await require_account(ctx, staff_id, body.expected_version)
    sealed = await handle.seal_new_password(ctx, staff_id, body.new_password)
    change = await approvals.request(
        ctx, staff_id, "password_reset", actor=actor(grant), sealed_password=sealed
    )
    return PendingChange(
        change_id=change, staff_id=staff_id, kind="password_reset", status="pending"
    )


@router.post("/teams", status_code=201, tags=["teams"])
async def create_team(body: NewTeam, grant: Manage, ctx: IdentityDep) -> queries.TeamView:
    """Create a team (a field office or programme team)."""
    team_id = await handle.create_team(
        ctx, name=body.name, county_code=body.county_code, actor=actor(grant)
    )
    return next(t for t in await queries.teams(ctx) if t.team_id == team_id)


@router.get("/teams", tags=["teams"])
async def list_teams(grant: Manage, ctx: IdentityDep) -> TeamList:
    """Every team with its number of active members."""
    return TeamList(teams=await queries.teams(ctx))


@router.get("/staff", tags=["directory"])
async def staff_directory(
    grant: Directory, ctx: IdentityDep, limit: Limit = 100, offset: Offset = 0
) -> StaffList:
    """Active colleagues: names, roles and teams (any signed-in staff member)."""
    return StaffList(staff=await queries.staff(ctx, limit=limit, offset=offset))


@router.get("/staff/addresses", tags=["directory"])
async def staff_addresses(
    grant: Addresses,
    ctx: IdentityDep,
    staff_id: Annotated[list[UUID], Query(max_length=50)] = [],  # noqa: B006 - FastAPI query list
    role: StaffRole | None = None,
    team: UUID | None = None,
) -> AddressList:
    """E-mail addresses of active staff: those named, and those with `role` (on `team`).

    For other services delivering notifications to people rather than role mailboxes.
    """
    found = await queries.addresses(
        ctx, staff_ids=staff_id, role=role.value if role else None, team=team
    )
    return AddressList(addresses=found)
