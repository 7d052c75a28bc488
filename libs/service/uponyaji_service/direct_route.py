"""`DirectRoute`: a FastAPI route class that serves a plain request without FastAPI's machinery.

    router = APIRouter(tags=["psychosocial"], route_class=DirectRoute)

A route qualifies when its endpoint is a coroutine function taking only path parameters, at most
one JSON body (a model, not embedded, not a form), the `Request`, and dependencies that take only
the request (an `Authorize`, a `resource(...)` getter), and it answers with its `response_model`
as JSON. For such a route the handler built once here does per request what FastAPI's does, in
fewer steps: the path parameters and the body are validated by the same pydantic validators
(the body parsed with orjson), the dependencies are awaited in their declared order (each
once), the endpoint is called, and a returned instance of the response model is serialised once
(FastAPI validates it again first, which for an instance of the model returns it unchanged).

Whatever is not plain is answered by FastAPI's own handler, so callers see the same answers:
a path parameter or body that fails validation, a body that is not `application/json` or not
JSON orjson reads, dependency overrides (tests), FastAPI's request telemetry. The fast path
validates before calling anything, so falling back runs nothing twice (an audit record is never
written twice) and FastAPI's order of answers holds (401/403/404 from authorisation before 422
for a malformed body). Routes that do not qualify are ordinary `APIRoute`s. The OpenAPI
document is generated from the declared signature, as for any route.

A plain request is also answered without FastAPI's per-route wrapper (two
exit stacks and an exception-handling layer around the handler): the route's `handle` answers it
itself, and an exception the endpoint raises is rendered by the app's exception middleware with
the same handlers. A request handed to FastAPI after the fast path read its body gets the body
replayed. This leans on two private names of FastAPI 0.163 (the route view it is building a
handler for, and the one it selected for a request); without them every request is FastAPI's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import fastapi.routing
import orjson
from fastapi import params
from fastapi._compat import ModelField
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, serialize_response
from fastapi.telemetry import get_telemetry_data
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class _Dependency:
    """A dependency taking only the request: its call, the endpoint's parameter name for it."""

    call: Callable[[Request], Coroutine[Any, Any, Any]]
    name: str | None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a qualifying route's handler does per request, worked out once."""

    endpoint: Callable[..., Coroutine[Any, Any, Any]]
    path: tuple[ModelField, ...]
    body: ModelField | None
    dependencies: tuple[_Dependency, ...]
    request_name: str | None
    response: ModelField
    model: type[BaseModel] | None  # returned as an instance of it: serialised directly
    status_code: int
    overrides: Any

    def plain(self) -> bool:
        """No dependency overrides and no FastAPI request telemetry for this request."""
        return not getattr(self.overrides, "dependency_overrides", None) and (
            get_telemetry_data() is None
        )


def _is_async(call: Any) -> bool:
    if inspect.iscoroutinefunction(call):
        return True
    # an instance with an async __call__ (e.g. an Authorize)
    return not inspect.isfunction(call) and inspect.iscoroutinefunction(type(call).__call__)


def _request_only(sub: Dependant) -> _Dependency | None:
    """The dependency if it takes the request and nothing else (no parameters, no sub-deps)."""
    if (
        sub.call is None
        or sub.path_params
        or sub.query_params
        or sub.header_params
        or sub.cookie_params
        or sub.body_params
        or sub.dependencies
        or sub.websocket_param_name
        or sub.http_connection_param_name
        or sub.response_param_name
        or sub.background_tasks_param_name
        or sub.security_scopes_param_name
        or sub.own_oauth_scopes
        or not _is_async(sub.call)
    ):
        return None
    return _Dependency(sub.call, sub.name)


def _plain_body(field: ModelField, route: Any) -> bool:
    info = field.field_info
    return (
        isinstance(info, params.Body)
        and not isinstance(info, params.Form)
        and not getattr(info, "embed", False)
        and not route._embed_body_fields
        and field.field_info.is_required()
    )


def _response_model(field: ModelField) -> type[BaseModel] | None:
    """The response model class when an instance of it may be serialised without revalidation."""
    annotation = field.field_info.annotation
    if not (inspect.isclass(annotation) and issubclass(annotation, BaseModel)):
        return None
    revalidate = annotation.model_config.get("revalidate_instances", "never")
    if field.field_info.metadata or revalidate != "never":
        return None
    return annotation


def plan(route: Any) -> _Plan | None:
    """The direct plan for a route (an `APIRoute` or FastAPI's view of an included one), or None
    when anything about it is not plain."""
    dependant: Dependant = route.dependant
    call = dependant.call
    response = route.response_field
    flags = (
        route.response_model_include,
        route.response_model_exclude,
        route.response_model_exclude_unset,
        route.response_model_exclude_defaults,
        route.response_model_exclude_none,
    )
    if (
        call is None
        or not inspect.iscoroutinefunction(call)
        or response is None
        or any(flags)
        or not route.response_model_by_alias
        or not isinstance(route.response_class, DefaultPlaceholder)
        or route.response_class.value is not JSONResponse
        or route.stream_item_field is not None
        or route.is_json_stream
        or route.is_sse_stream
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or len(dependant.body_params) > 1
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    ):
        return None
    body = dependant.body_params[0] if dependant.body_params else None
    if body is not None and not _plain_body(body, route):
        return None
    dependencies = [_request_only(sub) for sub in dependant.dependencies]
    found = [d for d in dependencies if d is not None]
    if len(found) != len(dependencies):
        return None
    status = route.status_code or 200
    if status < 200 or status in (204, 205, 304):  # answers without a body: FastAPI's path
        return None
    return _Plan(
        endpoint=call,
        path=tuple(dependant.path_params),
        body=body,
        dependencies=tuple(found),
        request_name=dependant.request_param_name,
        response=response,
        model=_response_model(response),
        status_code=status,
        overrides=route.dependency_overrides_provider,
    )


def _json_content(request: Request) -> bool:
    value = request.headers.get("content-type")
    return value is not None and value.partition(";")[0].strip().lower() == _JSON


@dataclass(frozen=True, slots=True)
class _Fallback:
    """FastAPI's handler must answer; `body` is what the fast path read of the request's body."""

    body: bytes | None = None


_UNREAD = _Fallback()
_TRIED = "uponyaji.direct_tried"  # in the scope: the fast path already declined this request


class _Direct:
    """A qualifying route's per-request work (see the module's docstring)."""

    def __init__(self, found: _Plan) -> None:
        self.plan = found

    async def answer(self, request: Request) -> Response | _Fallback:
        """The answer to a plain request, or `_Fallback` when FastAPI's handler must give it."""
        found = self.plan
        if not found.plain():
            return _UNREAD
        values: dict[str, Any] = {}
        raw_params = request.path_params
        for field in found.path:
            value, errors = field.validate(raw_params.get(field.alias), values, loc=("path",))
            if errors:
                return _UNREAD
            values[field.name] = value
        body_field = found.body
        if body_field is not None:
            if not _json_content(request):
                return _UNREAD
            raw = await request.body()
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return _Fallback(raw)
            value, errors = body_field.validate(data, values, loc=("body",))
            if errors:
                return _Fallback(raw)
            values[body_field.name] = value
        # Nothing was called before this point: from here on the request is answered directly.
        solved: dict[Any, Any] = {}
        for dependency in found.dependencies:
            call = dependency.call
            if call in solved:
                result = solved[call]
            else:
                result = solved[call] = await call(request)
            if dependency.name is not None:
                values[dependency.name] = result
        if found.request_name is not None:
            values[found.request_name] = request
        content = await found.endpoint(**values)
        if isinstance(content, Response):
            return content
        if found.model is not None and type(content) is found.model:
            encoded = found.response.serialize_json(content)
        else:
            encoded = await serialize_response(
                field=found.response, response_content=content, dump_json=True
            )
        return Response(content=encoded, media_type=_JSON, status_code=found.status_code)

    def handler(self, standard: Handler) -> Handler:
        """A FastAPI request handler: the direct answer, else `standard`'s (FastAPI's)."""

        async def handle(request: Request) -> Response:
            if request.scope.get(_TRIED):  # the route's `handle` tried and handed it over
                return await standard(request)
            answered = await self.answer(request)
            if isinstance(answered, _Fallback):
                return await standard(request)  # the request caches the body it read
            return answered

        return handle


def _replayed(body: bytes | None, receive: Receive) -> Receive:
    """`receive` giving `body` first when the fast path already read it from the socket."""
    if body is None:
        return receive
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


class DirectRoute(APIRoute):
    """An `APIRoute` whose plain requests skip FastAPI's dependency and serialisation machinery
    and its per-route request wrapper (see the module's docstring); every other request is
    FastAPI's as usual."""

    _direct: dict[int, tuple[Any, _Direct]]

    def get_route_handler(self) -> Handler:
        """FastAPI's handler, wrapped by the direct one when this route qualifies."""
        standard = super().get_route_handler()
        route = _view(self, _building())
        found = plan(route)
        if found is None:
            return standard
        direct = _Direct(found)
        if not hasattr(self, "_direct"):
            self._direct = {}
        self._direct[id(route)] = (route, direct)
        return direct.handler(standard)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a plain request here; FastAPI's route answers everything else."""
        route = _view(self, _selected(scope))
        entry = getattr(self, "_direct", {}).get(id(route))
        methods = route.methods
        if entry is None or entry[0] is not route or (methods and scope["method"] not in methods):
            await super().handle(scope, receive, send)
            return
        # Exceptions go to the app's exception middleware, which renders them with the same
        # handlers FastAPI's per-route wrapper would have used.
        request = Request(scope, receive, send)
        answered = await entry[1].answer(request)
        if isinstance(answered, _Fallback):
            scope[_TRIED] = True  # FastAPI's handler answers without the fast path trying again
            await super().handle(scope, _replayed(answered.body, receive), send)
            return
        await answered(scope, receive, send)


def _building() -> Any:
    # FastAPI builds an included route's handler from its view of the route in the including
    # router (prefix and included dependencies applied), set in this context variable...
    context = getattr(fastapi.routing, "_effective_route_context_var", None)
    return context.get() if context is not None else None


def _selected(scope: Scope) -> Any:
    # ... and names the view it selected for a request in the scope.
    find = getattr(fastapi.routing, "_get_scope_effective_route_context", None)
    return find(scope) if find is not None else None


def _view(route: APIRoute, effective: Any) -> Any:
    """FastAPI's view of `route` when it is the one given, else the route itself."""
    if effective is not None and getattr(effective, "original_route", None) is route:
        return effective
    return route
