"""`POST /auth/service-token`: OAuth2 client credentials for services (credentials in the body)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from uponyaji_events.text import StorableText

from ..api.deps import Client, IdentityDep
from ..handlers import service_tokens as handle
from ..security.tokens import AUDIENCES

router = APIRouter(tags=["auth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ServiceName = Annotated[str, Field(min_length=1, max_length=64), StorableText]


class ServiceTokenRequest(BaseModel):
    """A service's client id (its name), its secret and the services the token is for."""

    model_config = ConfigDict(extra="forbid")

    grant_type: Literal["client_credentials"]
    client_id: ServiceName
    client_secret: Annotated[str, Field(min_length=1, max_length=1024), StorableText]
    audience: list[ServiceName] = Field(min_length=1, max_length=len(AUDIENCES))


class ServiceTokenResponse(BaseModel):
    """A service token (5 minutes; no refresh token: ask again)."""

    access_token: str
    expires_in: int
    token_type: str


@router.post("/auth/service-token")
async def service_token(
    body: ServiceTokenRequest, ctx: IdentityDep, client: Client, response: Response
) -> ServiceTokenResponse:
    """A token with role `service` for the named services (401 wrong client or secret, 429)."""
    tokens = await handle.issue(ctx, body.client_id, body.client_secret, body.audience, client)
    response.headers.update(NO_STORE)
    return ServiceTokenResponse(
        access_token=tokens.access_token, expires_in=tokens.expires_in, token_type=tokens.token_type
    )
