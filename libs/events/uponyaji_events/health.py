"""Health and readiness: database, NATS, relay lag and dead letters, for operators and probes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import asyncpg
from fastapi import APIRouter, Response

from uponyaji_events.codec import dumps
from uponyaji_events.consumer import Consumer
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.runtime import ServiceRuntime


async def health_report(
    pool: asyncpg.Pool,
    *,
    service: str,
    relay: OutboxRelay | None = None,
    consumers: Sequence[Consumer] = (),
) -> dict[str, Any]:
    """Collect the service's health: `ok`, `degraded` (NATS or a consumer behind) or `down`."""
    report: dict[str, Any] = {"service": service}
    started = time.perf_counter()
    try:
        dead = await pool.fetchval("SELECT count(*) FROM dead_letters")
        report["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1e3, 1)}
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        report["database"] = {"ok": False, "error": type(exc).__name__}
        report["status"] = "down"
        return report
    report["dead_letters"] = int(dead)
    alarms = int(await pool.fetchval("SELECT count(*) FROM integrity_alarms"))
    report["integrity_alarms"] = alarms
    degraded = dead > 0 or alarms > 0
    if relay is not None:
        report["relay"] = relay.stats.as_dict()
        report["nats"] = {"connected": relay.stats.connected}
        degraded |= relay.stats.active and not relay.stats.connected
    report["consumers"] = {c.name + ":" + c.source: c.stats.as_dict() for c in consumers}
    report["status"] = "degraded" if degraded else "ok"
    return report


def health_router(runtime: ServiceRuntime) -> APIRouter:
    """`GET /health` (200 unless the database is down) and `GET /ready` (for load balancers)."""
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health() -> Response:
        """The service's health, with relay lag, consumers and dead letters."""
        if runtime.pool is None:
            return Response(
                dumps({"status": "starting"}), status_code=503, media_type="application/json"
            )
        report = await health_report(
            runtime.pool, service=runtime.service, relay=runtime.relay, consumers=runtime.consumers
        )
        status = 503 if report["status"] == "down" else 200
        return Response(dumps(report), status_code=status, media_type="application/json")

    @router.get("/ready")
    async def ready() -> Response:
        """200 when the service can take commands (its database answers); NATS may be down."""
        if runtime.pool is None:
            return Response(dumps({"ready": False}), status_code=503, media_type="application/json")
        report = await health_report(runtime.pool, service=runtime.service)
        status = 503 if report["status"] == "down" else 200
        return Response(
            dumps({"ready": status == 200}), status_code=status, media_type="application/json"
        )

    return router
