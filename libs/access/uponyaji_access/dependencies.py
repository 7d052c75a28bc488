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

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from uponyaji_access.access import Access
from uponyaji_access.errors import AccessNotReady, MisconfiguredRoute, Unauthenticated
from uponyaji_access.grant import Grant
from uponyaji_access.principal import Principal

SurvivorLocator = Callable[[Request], Awaitable[UUID | None]]
SURVIVOR_PARAM = "survivor_id"

BEARER_SCHEME = "AccessToken"
BEARER_DOCUMENT = {
    "description": "An access token from identity (EdDSA-signed JWT, 15 minutes)",
    "scheme": "bearer",
    "type": "http",
}
_bearer = HTTPBearer(
    auto_error=False, scheme_name=BEARER_SCHEME, description=BEARER_DOCUMENT["description"]
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


async def _principal(access: Access, token: str | None) -> Principal:
    """The caller's Principal from a valid bearer access token; 401 otherwise."""
    if token is None:
        raise Unauthenticated("a bearer access token is required")
    return await access.authenticate(token)


async def authenticate(request: Request, credentials: Credentials) -> Principal:
    """The caller's Principal from a valid bearer access token; 401 otherwise."""
    # The Access object is looked up here rather than declared as a dependency of its own:
    # every sub-dependency costs FastAPI a resolution pass on every request.
    access = await get_access(request)
    return await _principal(access, credentials.credentials if credentials else None)


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


PURPOSE_MAX = 32  # characters of `?purpose=` / `X-Purpose` (longer: 422)


def bearer_token(request: Request) -> str | None:
    """The request's bearer token (`Authorization: Bearer <token>`), or None without one.

    Read as FastAPI's `HTTPBearer(auto_error=False)` reads it: the scheme in any case, the token
    stripped of surrounding spaces."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def declared_purpose(request: Request) -> str | None:
    """The purpose the caller declared (`X-Purpose`, else `?purpose=`); 422 if too long."""
    problems = []
    # Most requests have no query string: skip building (parsing) the query parameters then.
    query = request.query_params.get("purpose") if request.scope.get("query_string") else None
    header = request.headers.get("x-purpose")
    for where, name, value in (("query", "purpose", query), ("header", "X-Purpose", header)):
        if value is not None and len(value) > PURPOSE_MAX:
            problems.append(
                {
                    "type": "string_too_long",
                    "loc": (where, name),
                    "msg": f"String should have at most {PURPOSE_MAX} characters",
                    "input": value,
                    "ctx": {"max_length": PURPOSE_MAX},
                }
            )
    if problems:
        raise RequestValidationError(problems)
    return header or query


class Authorize:
    """The dependency `authorize(action)` returns: authenticate, decide, resolve, audit.

    One dependency taking only the request: the token, the declared purpose and the survivor
    are read from it here. Each parameter or sub-dependency FastAPI resolves costs it a pass of
    its dependency machinery on every request; the OpenAPI document still names the bearer
    scheme, `?purpose=` and `X-Purpose` for these routes (`routes.tag_operations`)."""

    def __init__(self, action: str, survivor: str | SurvivorLocator | None) -> None:
        self.action = action
        self.path_param = survivor if isinstance(survivor, str) else None
        if isinstance(survivor, str):
            self.locate: SurvivorLocator | None = survivor_from_path(survivor)
        else:
            self.locate = survivor

    async def __call__(self, request: Request) -> Grant:
        """Allow the request (a Grant) or refuse it: 503 before Access is ready, 401 without a
        valid token, 422 for a malformed purpose, then 403/404, auditing as the policy says."""
        access = await get_access(request)
        principal = await _principal(access, bearer_token(request))
        purpose = declared_purpose(request)
        survivor_id = await self.locate(request) if self.locate is not None else None
        return await access.authorize(
            principal,
            self.action,
            survivor_level=self.locate is not None,
            survivor_id=survivor_id,
            purpose=purpose,
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
