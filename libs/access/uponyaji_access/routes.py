"""Routes and the policy: which action each route is for, tagged in OpenAPI and checked at start."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.constants import REF_PREFIX
from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition
from fastapi.routing import APIRoute, iter_route_contexts
from uponyaji_events.errors_http import render_error

from uponyaji_access.dependencies import (
    BEARER_DOCUMENT,
    BEARER_SCHEME,
    PURPOSE_MAX,
    Authorize,
    authenticate,
)
from uponyaji_access.errors import AccessError, MisconfiguredRoute
from uponyaji_access.policy import Policy

ACTION_KEY = "x-uponyaji-action"
AUTH_KEY = "x-uponyaji-auth"
SURVIVOR_KEY = "x-uponyaji-survivor"
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


def _api_routes(app: FastAPI) -> Iterator[tuple[str, frozenset[str], Dependant]]:
    """(path, methods, dependant) of every API route, through included routers too.

    FastAPI 0.163 includes routers lazily: `app.routes` holds the included routers, and the
    effective path and dependencies (prefix and include-level dependencies applied) come from
    its route contexts.
    """
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            path = context.path_format or context.path or ""
            yield path, frozenset(context.methods or ()), context.dependant


def route_access(path: str, methods: frozenset[str], dependant: Dependant) -> RouteAccess:
    """What protects one route (MisconfiguredRoute if it names more than one action)."""
    calls = list(_walk(dependant))
    authorizers = [call for call in calls if isinstance(call, Authorize)]
    if len({a.action for a in authorizers}) > 1:
        actions = sorted({a.action for a in authorizers})
        raise MisconfiguredRoute(f"{path} authorises several actions {actions}: use one")
    first = authorizers[0] if authorizers else None
    return RouteAccess(
        path=path,
        methods=methods,
        action=first.action if first else None,
        # an Authorize authenticates by itself (it reads the bearer token from the request)
        authenticated=first is not None or any(call is authenticate for call in calls),
        survivor_param=first.path_param if first else None,
        locator=bool(first and first.locate is not None and first.path_param is None),
    )


def route_actions(app: FastAPI) -> list[RouteAccess]:
    """Every API route of the app (included routers too) and what protects it."""
    return [route_access(*found) for found in _api_routes(app)]


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


def tag_operations(app: FastAPI, document: dict[str, Any]) -> None:
    """Tag OpenAPI operations: `x-uponyaji-action`, `x-uponyaji-auth`, `x-uponyaji-survivor`.

    `x-uponyaji-survivor` names the path parameter that holds the survivor (or `locator` when a
    locator finds it); it is absent for actions not about one survivor.
    """
    paths = document.get("paths", {})
    for found in route_actions(app):
        for method in found.methods:
            operation = paths.get(found.path, {}).get(method.lower())
            if operation is None:
                continue
            if found.action is not None:
                document_authorize(document, operation)
                operation[ACTION_KEY] = found.action
                if found.survivor_param is not None:
                    operation[SURVIVOR_KEY] = found.survivor_param
                elif found.locator:
                    operation[SURVIVOR_KEY] = "locator"
            if found.authenticated:
                operation[AUTH_KEY] = "bearer"


def _optional_text(title: str, description: str) -> dict[str, Any]:
    return {
        "anyOf": [{"maxLength": PURPOSE_MAX, "type": "string"}, {"type": "null"}],
        "description": description,
        "title": title,
    }


PURPOSE_PARAMETERS = (
    ("query", "purpose", "Purpose", "Why the data is needed (default: care)"),
    ("header", "X-Purpose", "X-Purpose", "Same as ?purpose="),
)
_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}


def document_authorize(document: dict[str, Any], operation: dict[str, Any]) -> None:
    """Document what an `Authorize` reads from the request itself, as FastAPI would document
    its parameters: the bearer scheme, `?purpose=` and `X-Purpose`."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault(BEARER_SCHEME, dict(BEARER_DOCUMENT))
    security = operation.setdefault("security", [])
    if {BEARER_SCHEME: []} not in security:
        security.append({BEARER_SCHEME: []})
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    for where, name, title, description in PURPOSE_PARAMETERS:
        if any(p.get("in") == where and p.get("name") == name for p in parameters):
            continue
        parameters.append(
            {
                "description": description,
                "in": where,
                "name": name,
                "required": False,
                "schema": _optional_text(title, description),
            }
        )
    parameters.sort(key=lambda p: _ORDER.get(p.get("in", ""), 4))  # stable: path, query, header
    responses = operation.setdefault("responses", {})
    if not any(status in responses for status in ("422", "4XX", "default")):  # a long purpose
        responses["422"] = {
            "description": "Validation Error",
            "content": {
                "application/json": {"schema": {"$ref": REF_PREFIX + "HTTPValidationError"}}
            },
        }
        schemas = document["components"].setdefault("schemas", {})
        schemas.setdefault("ValidationError", validation_error_definition)
        schemas.setdefault("HTTPValidationError", validation_error_response_definition)


def install_access(app: FastAPI) -> None:
    """Tag OpenAPI operations with their actions; access errors are rendered by the one error
    renderer (`uponyaji_events.errors_http`), with their headers (401 WWW-Authenticate, 503
    Retry-After); this registers it for access errors in apps that install no other."""
    app.add_exception_handler(AccessError, render_error)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            tag_operations(app, build())
        return build()

    app.openapi = openapi  # type: ignore[method-assign]
