"""Routes and the policy: which action each route is for, tagged in OpenAPI and checked at start."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from uponyaji_access.dependencies import Authorize, authenticate
from uponyaji_access.errors import AccessError, MisconfiguredRoute
from uponyaji_access.policy import Policy

ACTION_KEY = "x-uponyaji-action"
AUTH_KEY = "x-uponyaji-auth"
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """How one route is protected: by an action, by authentication only, or not at all."""

    path: str
    methods: frozenset[str]
    action: str | None
    authenticated: bool
    survivor_param: str | None
    locator: bool


def _walk(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _walk(sub)


def route_access(route: APIRoute) -> RouteAccess:
    """What protects one route (MisconfiguredRoute if it names more than one action)."""
    calls = list(_walk(route.dependant))
    authorizers = [call for call in calls if isinstance(call, Authorize)]
    if len({a.action for a in authorizers}) > 1:
        actions = sorted({a.action for a in authorizers})
        raise MisconfiguredRoute(f"{route.path} authorises several actions {actions}: use one")
    first = authorizers[0] if authorizers else None
    return RouteAccess(
        path=route.path,
        methods=frozenset(route.methods or ()),
        action=first.action if first else None,
        authenticated=any(call is authenticate for call in calls),
        survivor_param=first.path_param if first else None,
        locator=bool(first and first.locate is not None and first.path_param is None),
    )


def route_actions(app: FastAPI) -> list[RouteAccess]:
    """Every API route of the app and what protects it."""
    return [route_access(r) for r in app.routes if isinstance(r, APIRoute)]


def check_routes(app: FastAPI, policy: Policy) -> None:
    """Refuse to start if a route names an unknown action or lacks its survivor parameter."""
    for found in route_actions(app):
        if found.action is None:
            continue
        policy.rule(found.action)
        params = set(_PARAM.findall(found.path))
        if found.survivor_param is not None and found.survivor_param not in params:
            raise MisconfiguredRoute(
                f"{found.path} authorises {found.action} about the survivor in "
                f"{{{found.survivor_param}}}, which the path lacks; pass survivor=None for "
                "actions not about one survivor"
            )
        if found.survivor_param is None and not found.locator and "survivor_id" in params:
            raise MisconfiguredRoute(
                f"{found.path} names a survivor but authorises {found.action} with survivor=None"
            )


def tag_routes(app: FastAPI) -> None:
    """Put `x-uponyaji-action` (and `x-uponyaji-auth`) on each protected route's operation."""
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        found = route_access(route)
        extra: dict[str, Any] = dict(route.openapi_extra or {})
        if found.action is not None:
            extra[ACTION_KEY] = found.action
        if found.authenticated:
            extra[AUTH_KEY] = "bearer"
        route.openapi_extra = extra or None


def install_access(app: FastAPI) -> None:
    """Render access errors (401 with WWW-Authenticate) and tag OpenAPI operations with actions."""

    @app.exception_handler(AccessError)
    async def access_error(_: Request, exc: AccessError) -> JSONResponse:
        headers = {}
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="uponyaji"'
        elif exc.status_code == 503:
            headers["Retry-After"] = "5"
        return JSONResponse(
            {"error": type(exc).__name__, "detail": str(exc)},
            status_code=exc.status_code,
            headers=headers,
        )

    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            tag_routes(app)
        return build()

    app.openapi = openapi  # type: ignore[method-assign]
