"""The service factory with a small declared service: lifespan, unit of work, consumers, probes.

`tally` counts things: a command appends to a stream through the unit of work (its projection
keeps a read table), and it follows a source service's events through an injected feed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from kit.offline import trust_offline
from pydantic import Field, ValidationError
from support import signed_store
from uponyaji_events import StoreFeed
from uponyaji_events.consumer import Handler
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import (
    DomainError,
    Follow,
    NotRunning,
    Parts,
    Running,
    Service,
    ServiceSettings,
    resource,
    running,
    service_config,
)

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "libs" / "access"))

from access_support import SigningKey, Staff, bearer  # noqa: E402
from uponyaji_access import service_subject  # noqa: E402

ACTOR = Actor(id="staff-test-1", role="admin")
FIXED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class TallySettings(ServiceSettings):
    model_config = service_config("tally")
    port: int = Field(8099, ge=1, le=65535)
    source_url: str | None = None


class TooMany(DomainError):
    """A tally stops at three."""


class Tally:
    """The command side: counts through the unit of work; remembers what the source said."""

    def __init__(self, parts: Parts[TallySettings]) -> None:
        self.parts = parts
        self.heard: list[str] = []

    async def count(self, name: str) -> list[Event]:
        async with self.parts.unit_of_work() as uow:
            history = await uow.load(name)
            if len(history) >= 3:
                raise TooMany(f"{name} already counted three times", extra={"limit": 3})
            at = self.parts.clock().isoformat()
            new = [NewEvent(type="tally.Counted", payload={"name": name, "at": at})]
            return await uow.append("tally", name, len(history), new, actor=ACTOR)


async def project(conn: Conn, events: Sequence[Event]) -> None:
    for event in events:
        await conn.execute(
            "INSERT INTO tallies (name, n) VALUES ($1, 1) "
            "ON CONFLICT (name) DO UPDATE SET n = tallies.n + 1",
            event.payload["name"],
        )


router = APIRouter()
TallyDep = Annotated[Tally, Depends(resource(Tally))]


@router.post("/tallies/{name}", status_code=201)
async def count(name: str, tally: TallyDep) -> dict[str, Any]:
    events = await tally.count(name)
    return {"version": events[-1].version, "at": events[-1].payload["at"]}


def hear(running: Running[TallySettings, Tally]) -> Handler:
    async def handle(conn: Conn, event: Event) -> None:
        running.resources.heard.append(event.type)

    return handle


async def build(parts: Parts[TallySettings]) -> Tally:
    await parts.pool.execute("CREATE TABLE IF NOT EXISTS tallies (name text PRIMARY KEY, n int)")
    return Tally(parts)


TALLY: Service[TallySettings, Tally] = Service(
    name="tally",
    title="Tally",
    description="A test service",
    settings=TallySettings,
    build=build,
    routers=[router],
    project=project,
    # "optional" is followed only where it is deployed: its URL known or a feed given for it.
    follows=[Follow("source", handler=hear), Follow("optional", handler=hear, optional=True)],
)


@pytest.fixture
def key() -> SigningKey:
    return SigningKey()


@pytest.fixture
def settings(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
) -> TallySettings:
    trust_offline(monkeypatch, tmp_path, "TALLY", key.jwks())
    return TallySettings(database_url=new_database_url(), nats_url=nats_server.url)


@pytest.fixture
async def source(new_database: Callable[..., Any]) -> EventStore:
    return signed_store(await new_database(max_size=2), "source")  # consumers verify signatures


@pytest.fixture
async def app(settings: TallySettings, source: EventStore) -> AsyncIterator[FastAPI]:
    application = TALLY.create_app(
        settings, feeds={"source": StoreFeed(source)}, clock=lambda: FIXED
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally") as client:
        yield client


async def test_a_command_appends_and_projects_with_the_given_clock(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    first = await http.post("/tallies/apples")
    second = await http.post("/tallies/apples")

    assert first.status_code == second.status_code == 201
    assert second.json() == {"version": 2, "at": FIXED.isoformat()}
    pool: asyncpg.Pool = running(app).parts.pool
    assert await pool.fetchval("SELECT n FROM tallies WHERE name = 'apples'") == 2


async def test_a_domain_error_is_rendered_with_status_and_extra_body_and_nothing_written(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    for _ in range(3):
        await http.post("/tallies/pears")
    refused = await http.post("/tallies/pears")

    assert refused.status_code == 409
    assert refused.json() == {
        "error": "TooMany",
        "detail": "pears already counted three times",
        "limit": 3,
    }
    pool: asyncpg.Pool = running(app).parts.pool
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'pears'") == 3


async def test_an_injected_feed_is_what_the_consumer_reads(
    app: FastAPI, source: EventStore
) -> None:
    await source.append(
        "thing", "t-1", 0, [NewEvent(type="source.Happened", payload={})], actor=ACTOR
    )
    await source.sequence()
    consumer = running(app).consumer("source")

    assert await consumer.catch_up() == 1
    assert running(app).resources.heard == ["source.Happened"]
    with pytest.raises(KeyError, match="follows"):
        running(app).consumer("elsewhere")


async def test_health_details_only_for_an_authorised_caller(
    http: httpx.AsyncClient, key: SigningKey
) -> None:
    anonymous = await http.get("/health")
    counsellor = await http.get(
        "/health", headers=bearer(key.sign(Staff(roles=("counsellor",)).claims(aud=["tally"])))
    )
    admin = await http.get(
        "/health", headers=bearer(key.sign(Staff(roles=("admin",)).claims(aud=["tally"])))
    )
    monitor = Staff(("service",), staff_id=service_subject("monitor"), username="service:monitor")
    service = await http.get("/health", headers=bearer(key.sign(monitor.claims(aud=["tally"]))))

    assert anonymous.status_code == 200
    assert set(anonymous.json()) == {"status"}
    assert set(counsellor.json()) == {"status"}
    for details in (admin.json(), service.json()):  # operators and other services: health.read
        assert details["status"] in ("ok", "degraded")  # degraded until the relay reaches NATS
        assert details["service"] == "tally"
        assert details["database"]["ok"] is True
        assert "source:source" not in details["consumers"]
        assert "tally:source" in details["consumers"]


async def test_requests_get_a_correlation_id_and_keep_a_valid_given_one(
    http: httpx.AsyncClient,
) -> None:
    fresh = await http.get("/live")
    kept = await http.get("/live", headers={"X-Correlation-ID": "req-42"})
    unsafe = await http.get("/live", headers={"X-Correlation-ID": "bad id\n"})

    assert len(fresh.headers["x-correlation-id"]) == 32
    assert kept.headers["x-correlation-id"] == "req-42"
    assert unsafe.headers["x-correlation-id"] != "bad id\n"


async def test_liveness_needs_no_database_and_readiness_waits_for_it(
    settings: TallySettings,
) -> None:
    app = TALLY.create_app(settings)  # lifespan not entered: no pool, no database touched
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally") as client:
        live = await client.get("/live")
        ready = await client.get("/ready")
        health = await client.get("/health")
        command = await client.post("/tallies/apples")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert health.json() == {"status": "starting"}
    assert command.status_code == 503
    assert command.json()["error"] == NotRunning.__name__


def test_settings_environment_is_one_of_three_and_peers_come_from_the_launcher_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPONYAJI_SERVICE_URLS", json.dumps({"source": "http://s", "other": "o"}))
    monkeypatch.setenv("UPONYAJI_ENV", "development")
    settings = TallySettings(database_url="postgresql://x/tally")
    assert settings.development
    assert settings.service_url("other") == "o"
    assert settings.service_url("source") == "http://s"
    assert TallySettings(database_url="x", source_url="http://own").service_url("source") == (
        "http://own"
    )
    monkeypatch.setenv("UPONYAJI_ENV", "staging")
    with pytest.raises(ValidationError, match="production"):
        TallySettings(database_url="postgresql://x/tally")


def test_create_app_reads_the_declared_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare: Service[TallySettings, Tally] = Service(name="tally", description="d", build=build)
    with pytest.raises(TypeError, match="declares no settings"):
        bare.create_app()
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.delenv("TALLY_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="database_url"):
        TALLY.create_app()
    monkeypatch.setenv("TALLY_DATABASE_URL", "postgresql://unused/tally")
    app = replace(TALLY, title="").create_app()  # built, not started: nothing is connected
    assert app.title == "Uponyaji tally"  # the default title


async def test_an_optional_source_is_followed_only_where_it_is_deployed(
    settings: TallySettings, source: EventStore
) -> None:
    feed = StoreFeed(source)
    with_url = settings.model_copy(update={"service_urls": {"optional": "http://127.0.0.1:9"}})
    for given, feeds, followed in (
        (settings, {"source": feed}, {"source"}),
        (settings, {"source": feed, "optional": feed}, {"source", "optional"}),
        (with_url, {"source": feed}, {"source", "optional"}),
    ):
        app = TALLY.create_app(given, feeds=feeds)
        async with app.router.lifespan_context(app):
            assert set(running(app).consumers) == followed


async def test_a_sealing_service_without_a_kek_file_refuses_to_start(
    settings: TallySettings,
) -> None:
    sealing = Service(name="tally", title="T", description="d", build=build, sealing=True)
    app = sealing.create_app(settings)

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(ValueError, match="TALLY_KEK_FILE"):
        await start()


def test_a_service_route_that_would_hide_a_kernel_route_refuses_to_build(
    settings: TallySettings,
) -> None:
    # The service's routes are matched before the kernel's, so one matching /ready or
    # /notary/proofs/events/{event_id} would take the kernel's requests.
    for path in ("/{page}", "/notary/proofs/{kind}/{id}"):
        greedy = APIRouter()

        @greedy.get(path)
        async def page() -> None:
            """Answers any path of its shape."""

        service = Service(name="tally", title="T", description="d", build=build, routers=[greedy])
        with pytest.raises(ValueError, match="hides"):
            service.create_app(settings)
    TALLY.create_app(settings)  # /tallies/{name} hides nothing
