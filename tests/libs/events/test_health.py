"""Health output: what an operator sees when the database, NATS or a consumer is in trouble."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from fastapi import FastAPI
from support import service_name
from uponyaji_events.health import health_router
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.runtime import ServiceRuntime
from uponyaji_events.store import EventStore
from uponyaji_launcher.postgres import EmbeddedPostgres

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_health_reports_relay_lag_and_dead_letters(new_database: NewDatabase) -> None:
    pool = await new_database()
    store = EventStore(pool)
    relay = OutboxRelay(store, service=service_name(), nats_url="nats://127.0.0.1:1")
    relay.stats.active, relay.stats.head, relay.stats.checkpoint = True, 40, 25
    await pool.execute(
        "INSERT INTO dead_letters (consumer, source, position, event_id, event_type, attempts, "
        "error, event) VALUES ('c', 's', 3, gen_random_uuid(), 'x.Y', 5, 'boom', '{}')"
    )
    app = FastAPI()
    runtime = ServiceRuntime("test", "unused", "unused", pool=pool, store=store, relay=relay)
    app.include_router(health_router(runtime))

    async with client(app) as http:
        response = await http.get("/health")
        ready = await http.get("/ready")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["relay"]["lag"] == 15
    assert body["nats"] == {"connected": False}
    assert body["dead_letters"] == 1
    assert ready.json() == {"ready": True}


async def test_health_is_503_when_the_database_is_gone(
    new_database_url: Callable[[], str], postgres: EmbeddedPostgres
) -> None:
    url = new_database_url()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    app = FastAPI()
    app.include_router(health_router(ServiceRuntime("test", url, "unused", pool=pool)))
    postgres.psql(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    try:
        async with client(app) as http:
            response = await http.get("/health")
            ready = await http.get("/ready")
    finally:
        pool.terminate()

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert ready.status_code == 503
