"""A service that does not answer hides only its own part of a page: the survivor record still
shows what intake says when psychosocial is away (a stand-in intake; nothing on psychosocial's
port, nor on any other service's)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uponyaji_launcher.ports import free_port
from uponyaji_portal.app import create_app
from uponyaji_portal.session import COOKIE, Session, SessionCodec, load_key
from uponyaji_portal.settings import SERVICES, Settings

SURVIVOR = str(uuid.uuid4())


def stand_in_intake() -> FastAPI:
    """Intake's read routes answering for one synthetic survivor."""
    app = FastAPI()

    @app.get("/survivors/{survivor_id}")
    async def record(survivor_id: str) -> dict[str, Any]:
        return {
            "survivor_id": survivor_id,
            "case_number": "UPJ-2026-000042",
            "status": "open",
            "registered_at": "2026-12-01T07:00:00+00:00",
            "county_code": "047",
            "gender": "female",
            "age_band": "25-34",
            "identity": None,
        }

    @app.get("/survivors/{survivor_id}/consents")
    async def consents(survivor_id: str) -> dict[str, Any]:
        return {"current": [{"scope": "documentation", "status": "granted"}], "history": []}

    @app.get("/survivors/{survivor_id}/incidents")
    async def incidents(survivor_id: str) -> dict[str, Any]:
        return {"incidents": []}

    @app.get("/survivors/{survivor_id}/referrals")
    async def referrals(survivor_id: str) -> dict[str, Any]:
        return {"referrals": []}

    return app


@pytest.fixture(scope="module")
def intake_url() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(stand_in_intake(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def test_the_record_shows_intakes_part_when_psychosocial_is_away(
    intake_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "portal.kek"
    settings = Settings(
        UPONYAJI_ENV="test",
        kek_file=key,
        # Every other service on a port where nothing listens: not its default port, where a
        # local stack may be running.
        UPONYAJI_SERVICE_URLS={
            **{name: f"http://127.0.0.1:{free_port()}" for name in SERVICES},
            "intake": intake_url,
        },
    )
    client = TestClient(create_app(settings), follow_redirects=False)
    now = time.time()
    session = Session(
        access_token="a-token",
        access_expires=now + 600,
        roles=["counsellor"],
        username="demo.counsellor",
        started=now,
        seen=now,
    )
    client.cookies.set(COOKIE, SessionCodec(load_key(key, "test")).seal(session))
    page = client.get(f"/survivors/{SURVIVOR}")
    assert page.status_code == 200
    assert "UPJ-2026-000042" in page.text
    assert "Documentation of the case" in page.text  # intake's consent section
    assert "Counselling is not answering right now" in page.text
    assert 'id="sessions-title"' not in page.text
