"""Calls to the services' HTTP APIs with the signed-in user's token.

The portal decides nothing: a service's refusal (401/403/404/409/422) comes back as a
`ServiceError` carrying the service's own message and, for 422, the message of each field.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send
from uponyaji_access.client_address import FORWARDED_FOR, TrustedProxies

from .settings import Settings

# The address of the staff member whose request the portal is serving (None outside requests).
CLIENT_ADDRESS: ContextVar[str | None] = ContextVar("portal_client_address", default=None)


class ClientAddressMiddleware:
    """Remember each request's client address, so calls to the services forward it.

    Identity keeps sign-in locks and audit records per client address; behind the portal every
    sign-in would otherwise come from the portal's own address (one lock for all staff). The
    portal's own reverse proxies, if any, are named in `UPONYAJI_TRUSTED_PROXIES` as for any
    service; identity lists the portal there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.proxies = TrustedProxies.from_environment()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the client address for the request's duration."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name.decode("latin-1").lower() == FORWARDED_FOR
        ]
        token = CLIENT_ADDRESS.set(self.proxies.client(peer[0] if peer else None, forwarded))
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)


@dataclass
class ServiceError(Exception):
    """A service answered 4xx/5xx (or could not be reached)."""

    status: int
    error: str
    detail: str
    fields: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # field → the validation's problem type

    def __str__(self) -> str:
        return f"{self.status} {self.error}: {self.detail}"


def _error(response: httpx.Response) -> ServiceError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    fields: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for problem in body.get("problems") or []:
        name = str(problem.get("field", "body"))
        fields.setdefault(name, str(problem.get("problem", "invalid")))
        if isinstance(problem.get("type"), str):
            kinds.setdefault(name, problem["type"])
    detail = body.get("detail")
    if not isinstance(detail, str):
        detail = response.reason_phrase
    return ServiceError(
        response.status_code, str(body.get("error", "Error")), detail, fields, body, kinds
    )


# An idle pooled connection is dropped well before the services' servers close it (uvicorn
# after 5 s): reusing one just as the server closes it fails the request, which a staff member
# would see as the service being unavailable.
KEEPALIVE_SECONDS = 2.0


def _headers(token: str | None) -> dict[str, str]:
    """The caller's bearer token and, within a request, the staff member's address."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = CLIENT_ADDRESS.get()
    if client is not None:  # the staff member's address, for identity's locks and audit
        headers["X-Forwarded-For"] = client
    return headers


class Backend:
    """One pooled HTTP client per service; every call carries the caller's bearer token."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, service: str) -> httpx.AsyncClient:
        """The pooled client of a service."""
        if service not in self._clients:
            self._clients[service] = httpx.AsyncClient(
                base_url=self._settings.url(service),
                timeout=self._settings.http_timeout,
                trust_env=False,
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            )
        return self._clients[service]

    async def aclose(self) -> None:
        """Close every client."""
        for client in self._clients.values():
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """A request; 2xx answers are returned, anything else raises `ServiceError`."""
        headers = _headers(token)
        if content is not None:
            headers["Content-Type"] = "application/octet-stream"
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = await self.client(service).request(
                method, path, json=json, params=clean, headers=headers, content=content
            )
        except httpx.HTTPError:
            raise ServiceError(503, "ServiceUnavailable", service) from None
        if response.status_code >= 400:
            raise _error(response)
        return response

    async def stream(
        self, service: str, path: str, token: str | None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A GET whose body is read as it arrives (the caller closes it with `aclose`); an
        answer other than 2xx raises `ServiceError`, as `call` does."""
        client = self.client(service)
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        request = client.build_request("GET", path, params=clean, headers=_headers(token))
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError:
            raise ServiceError(503, "ServiceUnavailable", service) from None
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise _error(response)
        return response

    async def get(
        self, service: str, path: str, token: str | None, **params: Any
    ) -> dict[str, Any]:
        """GET a JSON object."""
        body: dict[str, Any] = (await self.call(service, "GET", path, token, params=params)).json()
        return body

    async def post(self, service: str, path: str, token: str | None, body: Any) -> dict[str, Any]:
        """POST JSON; the JSON answer ({} for 204)."""
        response = await self.call(service, "POST", path, token, json=body)
        if response.status_code == 204 or not response.content:
            return {}
        answer: dict[str, Any] = response.json()
        return answer
