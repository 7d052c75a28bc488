"""Overload: past its concurrency limit a service answers 503 + Retry-After at once, not late.

A `gate` service holds each request until the test opens the gate, so the test knows exactly
how many requests are in flight. The probes stay answered while the service is full.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from kit.offline import trust_offline
from pydantic import Field
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import Service, ServiceSettings, resource, running, service_config
from uponyaji_service.overload import ConcurrencyLimit


class GateSettings(ServiceSettings):
    model_config = service_config("gate")
    port: int = Field(8098, ge=1, le=65535)


class Gate:
    """Requests wait here until the test opens it."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.entered = 0


router = APIRouter()


@router.post("/work")
async def work(gate: Annotated[Gate, Depends(resource(Gate))]) -> dict[str, Any]:
    gate.entered += 1
    await gate.open.wait()
    return {"done": True}


GATE: Service[GateSettings, Gate] = Service(
    name="gate",
    title="Gate",
    description="A test service",
    build=lambda parts: Gate(),
    routers=[router],
    feed=False,
)


@pytest.fixture
async def app(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    trust_offline(monkeypatch, tmp_path, "GATE", {"keys": []})
    monkeypatch.setenv("GATE_MAX_CONCURRENT_REQUESTS", "2")
    monkeypatch.setenv("GATE_MAX_QUEUED_REQUESTS", "1")
    monkeypatch.setenv("GATE_QUEUE_WAIT", "30")
    settings = GateSettings(database_url=new_database_url(), nats_url=nats_server.url)
    application = GATE.create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def _until(check: Callable[[], bool]) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


async def test_past_the_limit_and_the_queue_requests_are_refused_at_once(app: FastAPI) -> None:
    gate: Gate = running(app).resources
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gate") as client:
        held = [asyncio.create_task(client.post("/work")) for _ in range(3)]  # 2 run, 1 waits
        await _until(lambda: gate.entered == 2)
        # The service is full: these are answered while the held ones are still held.
        refused = [await client.post("/work") for _ in range(3)]
        health = await client.get("/live")
        assert not any(task.done() for task in held)
        gate.open.set()
        served = await asyncio.gather(*held)

    assert [r.status_code for r in refused] == [503, 503, 503]
    assert refused[0].headers["Retry-After"] == "1"
    assert refused[0].json()["error"] == "Overloaded"
    assert health.status_code == 200
    assert [r.status_code for r in served] == [200, 200, 200]  # the queued one was served too
    assert gate.entered == 3


async def test_a_queued_request_waits_at_most_its_wait_then_gets_503() -> None:
    release = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = ConcurrencyLimit(slow, limit=1, queue=4, wait=0.05)
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        first = asyncio.create_task(client.get("/a"))
        await _until(lambda: limited.stats.in_flight == 1)
        second = await client.get("/b")  # waits 50 ms for the slot, never gets it
        assert not first.done()
        release.set()
        assert (await first).status_code == 200
    assert second.status_code == 503
    assert limited.stats.refused_total == 1
    assert limited.stats.in_flight == 0


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        ConcurrencyLimit(lambda *a: None, limit=0)  # type: ignore[arg-type,return-value]
