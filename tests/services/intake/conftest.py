"""Intake's fixtures: the app on a fresh database with a test signing key, staff and clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from intake_support import NAIROBI, As, SigningKey, Staff
from uponyaji_intake.app import create_app
from uponyaji_intake.settings import Settings
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The key 'identity' signs the tests' tokens with."""
    return SigningKey()


@pytest.fixture
def intake_settings(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    signing_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Settings (and the access library's environment) for one intake on a fresh database."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(signing_key.jwks()))
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.setenv("INTAKE_JWKS_FILE", str(jwks))
    monkeypatch.setenv("INTAKE_IDENTITY_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    return Settings(
        database_url=new_database_url(),
        nats_url=nats_server.url,
        kek_file=tmp_path / "secrets" / "intake.kek",
    )


@pytest.fixture
async def app(intake_settings: Settings) -> AsyncIterator[FastAPI]:
    """A running intake (lifespan entered: migrated, relay and access started)."""
    application = create_app(intake_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to intake in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client


@pytest.fixture
def pool(app: FastAPI) -> asyncpg.Pool:
    """Intake's own pool (to count events and look at tables)."""
    pool: asyncpg.Pool = running(app).parts.pool
    return pool


@pytest.fixture
def as_staff(http: httpx.AsyncClient, signing_key: SigningKey) -> Callable[..., As]:
    """`as_staff("intake_officer", teams=(NAIROBI,))`: a client acting as a new staff member."""

    def make(*roles: str, teams: tuple[Any, ...] = (NAIROBI,)) -> As:
        return As(http, signing_key, Staff(roles=roles, teams=teams))

    return make


@pytest.fixture
def officer(as_staff: Callable[..., As]) -> As:
    """An intake officer of the Nairobi test team."""
    return as_staff("intake_officer")
