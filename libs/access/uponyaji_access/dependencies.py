"""FastAPI dependencies: `authenticate` → Principal, `authorize(action)` → Grant (audited).

Use them through `Annotated` aliases in the service's api.py:

    SurvivorRead = Annotated[Grant, Depends(authorize("survivor.read"))]

    @router.get("/survivors/{survivor_id}")
    async def read(survivor_id: UUID, grant: SurvivorRead) -> ...:
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from uponyaji_access.access import Access
from uponyaji_access.errors import AccessNotReady, MisconfiguredRoute, Unauthenticated
from uponyaji_access.grant import Grant
from uponyaji_access.principal import Principal

SurvivorLocator = Callable[[Request], Awaitable[UUID | None]]
SURVIVOR_PARAM = "survivor_id"

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AccessToken",
    description="An access token from identity (EdDSA-signed JWT, 15 minutes)",
)


async def get_access(request: Request) -> Access:
    """The service's Access object (built in its lifespan and attached to the app).

    A coroutine function so that FastAPI calls it on the event loop, not in a worker thread.
    """
    access = getattr(request.app.state, "access", None)
    if not isinstance(access, Access):
        raise AccessNotReady("the service is not ready to check access yet")
    return access


AccessDep = Annotated[Access, Depends(get_access)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticate(request: Request, credentials: Credentials) -> Principal:
    """The caller's Principal from a valid bearer access token; 401 otherwise."""
    # The Access object is looked up here rather than declared as a dependency of its own:
    # every sub-dependency costs FastAPI a resolution pass on every request.
    access = await get_access(request)
    if credentials is None:
        raise Unauthenticated("a bearer access token is required")
    return await access.authenticate(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def survivor_from_path(name: str = SURVIVOR_PARAM) -> SurvivorLocator:
    """A locator reading the survivor's id from a path parameter (None if not a UUID)."""

    async def locate(request: Request) -> UUID | None:
        raw = request.path_params.get(name)
        if raw is None:
            raise MisconfiguredRoute(f"route {request.url.path} has no {{{name}}} parameter")
        try:
            return UUID(str(raw))
        except ValueError:
            return None

    return locate


def route_template(request: Request) -> str:
    """The request's path with each path parameter's value replaced by `{name}` (for audit)."""
    values = {str(value): name for name, value in request.path_params.items()}
    parts = request.url.path.split("/")
    return "/".join("{" + values[part] + "}" if part in values else part for part in parts)


class Authorize:
    """The dependency `authorize(action)` returns: authenticate, decide, resolve, audit."""

    def __init__(self, action: str, survivor: str | SurvivorLocator | None) -> None:
        self.action = action
        self.path_param = survivor if isinstance(survivor, str) else None
        if isinstance(survivor, str):
            self.locate: SurvivorLocator | None = survivor_from_path(survivor)
        else:
            self.locate = survivor

    async def __call__(
        self,
        request: Request,
        principal: CurrentPrincipal,
        purpose: Annotated[
            str | None,
            Query(max_length=32, description="Why the data is needed (default: care)"),
        ] = None,
        x_purpose: Annotated[
            str | None,
            Header(alias="X-Purpose", max_length=32, description="Same as ?purpose="),
        ] = None,
    ) -> Grant:
        """Allow the request (a Grant) or refuse it with 403/404, auditing as the policy says."""
        access = await get_access(request)  # resolved by `authenticate` already
        survivor_id = await self.locate(request) if self.locate is not None else None
        return await access.authorize(
            principal,
            self.action,
            survivor_level=self.locate is not None,
            survivor_id=survivor_id,
            purpose=x_purpose or purpose,
            method=request.method,
            route=lambda: route_template(request),  # built only for an audit record
        )


def authorize(action: str, *, survivor: str | SurvivorLocator | None = SURVIVOR_PARAM) -> Authorize:
    """A dependency allowing `action` about the survivor in the path, one a locator finds, or none.

    `survivor` is the path parameter naming the survivor (default `survivor_id`), an async
    `locator(request) -> UUID | None` (e.g. a risk flag's survivor), or None for actions that are
    not about one survivor (lists, dashboards, accounts).
    """
    return Authorize(action, survivor)
