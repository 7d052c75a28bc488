"""Sign-in routes: login, refresh, logout, revocations, MFA enrolment, password, JWKS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from uponyaji_access import CurrentPrincipal
from uponyaji_events.errors import UponyajiError
from uponyaji_events.text import StorableText

from ..api.deps import Client, IdentityDep
from ..handlers import auth as handle
from ..handlers import mfa
from ..handlers.step_up import STEP_UP_SECONDS, STEP_UP_SERVICES, step_up

router = APIRouter(tags=["auth"])


class InvalidStepUpAudience(UponyajiError):
    """No service of that name takes step-up proofs."""

    status_code = 422


TypedUsername = Annotated[str, Field(min_length=1, max_length=128), StorableText]
Secret = Annotated[str, Field(min_length=1, max_length=1024), StorableText]
Code = Annotated[
    str, Field(min_length=1, max_length=16, description="6-digit TOTP code"), StorableText
]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class Body(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class Login(Body):
    """Credentials: username, password and the current TOTP code."""

    username: TypedUsername
    password: Secret
    totp_code: Code
    new_password: Secret | None = Field(
        None, description="Required when an administrator set the password: the owner's own"
    )


class Refresh(Body):
    """A refresh token from the last login or refresh."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class Enrol(Body):
    """Current credentials; `totp_code` of the current authenticator if one is confirmed."""

    username: TypedUsername
    password: Secret
    totp_code: Code | None = None


class PasswordChange(Body):
    """The current password and the new one."""

    current_password: Secret
    new_password: Secret


class StepUp(Body):
    """A current TOTP code, and the service the proof is for."""

    totp_code: Code
    audience: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class StepUpResponse(BaseModel):
    """A short-lived proof of a fresh TOTP check, for one service."""

    step_up: str
    expires_in: int


class TokenResponse(BaseModel):
    """An access token (15 minutes) and a refresh token (rotating, 8 hours at most)."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    token_type: str


class EnrolmentResponse(BaseModel):
    """The new authenticator's secret (shown once) and its otpauth:// URI."""

    credential_id: str
    secret: str
    otpauth_uri: str


class PublicKey(BaseModel):
    """One token-verifying public key, as a JWK (RFC 7517; Ed25519 per RFC 8037)."""

    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class KeySet(BaseModel):
    """The JWKS: the current key, the next one if announced, and recent previous ones."""

    keys: list[PublicKey]


class Revocations(BaseModel):
    """Sessions revoked within the last access-token lifetime (plus a margin)."""

    sids: list[str]


def _tokens(tokens: handle.Tokens, response: Response) -> TokenResponse:
    response.headers.update(NO_STORE)
    return TokenResponse(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        token_type=tokens.token_type,
    )


@router.post("/auth/login")
async def login(body: Login, ctx: IdentityDep, client: Client, response: Response) -> TokenResponse:
    """Sign in with password and TOTP code (401 for any wrong part, 423 locked, 429 too fast)."""
    tokens = await handle.login(
        ctx, body.username, body.password, body.totp_code, client, body.new_password
    )
    return _tokens(tokens, response)


@router.post("/auth/refresh")
async def refresh(
    body: Refresh, ctx: IdentityDep, client: Client, response: Response
) -> TokenResponse:
    """Exchange a refresh token for new tokens; reusing an old one revokes the session."""
    return _tokens(await handle.refresh(ctx, body.refresh_token, client), response)


@router.post("/auth/logout", status_code=204)
async def logout(principal: CurrentPrincipal, ctx: IdentityDep) -> Response:
    """End the caller's session (its refresh token and every access token of it)."""
    await handle.logout(ctx, principal.sid)
    return Response(status_code=204)


@router.get("/auth/revocations")
async def revocations(
    principal: CurrentPrincipal, ctx: IdentityDep, response: Response
) -> Revocations:
    """Recently revoked sessions, for other services' deny lists (any valid access token)."""
    response.headers.update(NO_STORE)
    return Revocations(sids=await handle.revocations(ctx))


@router.post("/auth/step-up")
async def step_up_proof(
    body: StepUp,
    principal: CurrentPrincipal,
    ctx: IdentityDep,
    client: Client,
    response: Response,
) -> StepUpResponse:
    """A proof of a fresh TOTP check for a sensitive act in another service (e.g. medical's
    report signing); 401 for a wrong or reused code, 422 for a service that takes none."""
    if body.audience not in STEP_UP_SERVICES:
        raise InvalidStepUpAudience(f"audience: {body.audience} takes no step-up proofs")
    proof = await step_up(ctx, principal.staff_id, body.totp_code, body.audience, client)
    response.headers.update(NO_STORE)
    return StepUpResponse(step_up=proof, expires_in=STEP_UP_SECONDS)


@router.post("/auth/mfa/enrol")
async def enrol(
    body: Enrol, ctx: IdentityDep, client: Client, response: Response
) -> EnrolmentResponse:
    """Start enrolling a TOTP authenticator (password, plus a current code once one exists)."""
    found = await mfa.enrol(ctx, body.username, body.password, body.totp_code, client)
    response.headers.update(NO_STORE)
    return EnrolmentResponse(
        credential_id=str(found.credential_id), secret=found.secret, otpauth_uri=found.otpauth_uri
    )


@router.post("/auth/mfa/confirm")
async def confirm(
    body: Login, ctx: IdentityDep, client: Client, response: Response
) -> TokenResponse:
    """Confirm the new authenticator with its first code; this also signs in (with the owner's
    own `new_password` when an administrator set the password: 403 without it)."""
    tokens = await mfa.confirm(
        ctx, body.username, body.password, body.totp_code, client, body.new_password
    )
    return _tokens(tokens, response)


@router.post("/auth/password", status_code=204)
async def change_password(
    body: PasswordChange, principal: CurrentPrincipal, ctx: IdentityDep, client: Client
) -> Response:
    """Change one's own password; the caller's other sessions are revoked."""
    await mfa.change_password(
        ctx, principal.staff_id, principal.sid, body.current_password, body.new_password, client
    )
    return Response(status_code=204)


@router.get("/.well-known/jwks.json", tags=["keys"], response_model=KeySet)
async def jwks(ctx: IdentityDep, response: Response) -> KeySet:
    """The public keys that verify access tokens: the current one and recent previous ones."""
    response.headers["Cache-Control"] = "public, max-age=60"
    return KeySet.model_validate(ctx.keys.jwks())
