"""Medical's fixtures: the app on a fresh database reading a fake intake, staff and clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from medical_api_support import NAIROBI, As, FakeIntake, SigningKey, Staff
from support import signed_store
from uponyaji_events import StoreFeed
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_medical.app import create_app
from uponyaji_medical.settings import Settings
from uponyaji_service import running


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The key 'identity' signs the tests' tokens and step-up proofs with."""
    return SigningKey()


@pytest.fixture
def settings(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    signing_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Settings for one medical on a fresh database."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(signing_key.jwks()))
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.setenv("MEDICAL_JWKS_FILE", str(jwks))
    monkeypatch.setenv("MEDICAL_IDENTITY_URL", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    return Settings(
        database_url=new_database_url(),
        nats_url=nats_server.url,
        kek_file=tmp_path / "secrets" / "medical.kek",
        max_upload_bytes=1_000_000,  # the limit is a setting; tests need not send 50 MB
    )


@pytest.fixture
async def intake(new_database: Callable[..., Any]) -> FakeIntake:
    """A fake intake with its own event store."""
    return FakeIntake(signed_store(await new_database(max_size=4), "intake"))


@pytest.fixture
async def app(settings: Settings, intake: FakeIntake) -> AsyncIterator[FastAPI]:
    """A running medical reading the fake intake's feed (handed over by `intake.deliver`)."""
    application = create_app(settings, feeds={"intake": StoreFeed(intake.store)})
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to medical in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://medical") as client:
        yield client


@pytest.fixture
def pool(app: FastAPI) -> asyncpg.Pool:
    """Medical's own pool (to count events and look at tables)."""
    found: asyncpg.Pool = running(app).parts.pool
    return found


@pytest.fixture
def as_staff(http: httpx.AsyncClient, signing_key: SigningKey) -> Callable[..., As]:
    """`as_staff("clinician", teams=(NAIROBI,))`: a client acting as a new staff member."""

    def make(*roles: str, teams: tuple[Any, ...] = (NAIROBI,)) -> As:
        return As(http, signing_key, Staff(roles=roles, teams=teams))

    return make


@pytest.fixture
def clinician(as_staff: Callable[..., As]) -> As:
    """A clinician of the Nairobi test team."""
    return as_staff("clinician")
