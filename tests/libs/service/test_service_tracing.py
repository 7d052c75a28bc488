"""A traced service: one server span per request, and its direct routes still served directly.

With an OpenTelemetry tracer provider installed (as when OTLP export is configured), the factory
instruments the app. Each request must give exactly one HTTP server span, named by its route,
and a `DirectRoute` must still answer a plain request itself rather than through FastAPI's
dependency machinery (which is what it saves a command's CPU on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import fastapi.routing
import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.utils import solve_dependencies
from kit.offline import trust_offline
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import BaseModel, Field
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import DirectRoute, Service, ServiceSettings, service_config

SURVIVOR = "0b6f2a4e-8a51-4b0e-9f3c-3f1f6f0e5d11"
ROUTE = "/survivors/{survivor_id}/scores"


class TracedSettings(ServiceSettings):
    model_config = service_config("traced")
    port: int = Field(8097, ge=1, le=65535)


class Score(BaseModel):
    """A command's body."""

    responses: list[int] = Field(min_length=1)


class Scored(BaseModel):
    """A command's answer."""

    survivor_id: str
    total: int


async def caller(request: Request) -> str:
    """An authorisation-like dependency taking only the request."""
    return request.headers.get("authorization", "anonymous")


router = APIRouter(route_class=DirectRoute)


@router.post(ROUTE, status_code=201, response_model=Scored)
async def score(survivor_id: UUID, body: Score, who: Annotated[str, Depends(caller)]) -> Scored:
    """Total a survivor's responses."""
    return Scored(survivor_id=str(survivor_id), total=sum(body.responses))


TRACED: Service[TracedSettings, None] = Service(
    name="traced",
    title="Traced",
    description="A test service",
    build=lambda parts: None,
    routers=[router],
    feed=False,
)


@pytest.fixture
async def app(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
    span_exporter: InMemorySpanExporter,  # installs a real tracer provider first
) -> AsyncIterator[FastAPI]:
    trust_offline(monkeypatch, tmp_path, "TRACED", {"keys": []})
    settings = TracedSettings(database_url=new_database_url(), nats_url=nats_server.url)
    application = TRACED.create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_a_traced_request_has_one_server_span_and_is_served_directly(
    app: FastAPI, span_exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved: list[str] = []

    async def counted(**kwargs: Any) -> Any:
        resolved.append(kwargs["request"].url.path)
        return await solve_dependencies(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    span_exporter.clear()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://traced") as client:
        answered = await client.post(f"/survivors/{SURVIVOR}/scores", json={"responses": [1, 2, 3]})
        refused = await client.post(f"/survivors/{SURVIVOR}/scores", json={"responses": []})

    assert answered.status_code == 201
    assert answered.json() == {"survivor_id": SURVIVOR, "total": 6}
    assert refused.status_code == 422
    assert resolved == [f"/survivors/{SURVIVOR}/scores"]  # only the malformed one was FastAPI's
    servers = [s for s in span_exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in servers] == [f"POST {ROUTE}", f"POST {ROUTE}"]
    assert [(s.attributes or {}).get("http.status_code") for s in servers] == [201, 422]
    assert [(s.attributes or {}).get("http.route") for s in servers] == [ROUTE, ROUTE]
    assert len({s.context.trace_id for s in servers if s.context}) == 2  # a trace per request
