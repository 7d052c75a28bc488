"""Probes: liveness (no database), readiness, and health (details only for an authorised caller).

- `GET /live`: 200 while the process answers; touches nothing else (a liveness probe).
- `GET /ready`: 200 when the service can take commands (its database answers), else 503.
- `GET /health`: 200 unless the database is down (503). Anonymous callers get `{"status"}`
  alone; a caller whose token the policy allows `health.read` (administrators, who operate the
  services, and other services) also gets the database, relay, consumers and dead letters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from uponyaji_access import Access, AccessError
from uponyaji_events.codec import dumps
from uponyaji_events.health import health_report
from uponyaji_events.runtime import ServiceRuntime

from uponyaji_service.probes import Alive, Health, Ready

# Who may see the details (the policy names them: administrators and services).
DETAIL_ACTION = "health.read"


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


async def _authorised(request: Request, access: Access | None) -> bool:
    """True when the request carries a valid token whose roles may read the details."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if access is None or scheme.lower() != "bearer" or not token:
        return False
    try:
        principal = await access.authenticate(token.strip())
    except AccessError:
        return False
    return access.policy.decide(principal, DETAIL_ACTION).allowed


def probes_router(runtime: ServiceRuntime, access: Callable[[], Access | None]) -> APIRouter:
    """The three probes of one service (`access` gives its Access once the lifespan built it)."""
    router = APIRouter(tags=["health"])

    @router.get("/live", response_model=Alive)
    async def live() -> Response:
        """The process answers (no database or NATS is touched)."""
        return _json({"status": "alive"}, 200)

    @router.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
    async def ready() -> Response:
        """200 when the service can take commands (its database answers); NATS may be down."""
        if runtime.pool is None:
            return _json({"ready": False}, 503)
        report = await health_report(runtime.pool, service=runtime.service)
        status = 503 if report["status"] == "down" else 200
        return _json({"ready": status == 200}, status)

    @router.get("/health", response_model=Health, responses={503: {"model": Health}})
    async def health(request: Request) -> Response:
        """The service's status; details (relay, consumers, dead letters) for operators."""
        if runtime.pool is None:
            return _json({"status": "starting"}, 503)
        report = await health_report(
            runtime.pool, service=runtime.service, relay=runtime.relay, consumers=runtime.consumers
        )
        status = 503 if report["status"] == "down" else 200
        if not await _authorised(request, access()):
            report = {"status": report["status"]}
        return _json(report, status)

    return router
