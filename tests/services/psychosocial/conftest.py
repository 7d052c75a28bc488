"""Psychosocial's fixtures: the app on a fresh database, a fake intake, staff and clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from psychosocial_support import NAIROBI, As, FakeIntake, SigningKey, Staff
from support import signed_store
from uponyaji_events import StoreFeed
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_psychosocial.app import create_app
from uponyaji_psychosocial.settings import Settings
from uponyaji_service import running


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The key 'identity' signs the tests' tokens with."""
    return SigningKey()


@pytest.fixture
def settings(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    signing_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Settings for one psychosocial on a fresh database."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(signing_key.jwks()))
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.setenv("PSYCHOSOCIAL_JWKS_FILE", str(jwks))
    monkeypatch.setenv("PSYCHOSOCIAL_IDENTITY_URL", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    return Settings(
        database_url=new_database_url(),
        nats_url=nats_server.url,
        kek_file=tmp_path / "secrets" / "psychosocial.kek",
    )


@pytest.fixture
async def app(settings: Settings, intake: FakeIntake) -> AsyncIterator[FastAPI]:
    """A running psychosocial reading the fake intake's feed (handed over by `intake.deliver`)."""
    application = create_app(settings, feeds={"intake": StoreFeed(intake.store)})
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to psychosocial in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://psychosocial") as client:
        yield client


@pytest.fixture
def pool(app: FastAPI) -> asyncpg.Pool:
    """Psychosocial's own pool (to count events and look at tables)."""
    pool: asyncpg.Pool = running(app).parts.pool
    return pool


@pytest.fixture
async def intake(new_database: Callable[..., Any]) -> FakeIntake:
    """A fake intake with its own event store."""
    return FakeIntake(signed_store(await new_database(max_size=4), "intake"))


@pytest.fixture
def as_staff(http: httpx.AsyncClient, signing_key: SigningKey) -> Callable[..., As]:
    """`as_staff("counsellor", teams=(NAIROBI,))`: a client acting as a new staff member."""

    def make(*roles: str, teams: tuple[Any, ...] = (NAIROBI,)) -> As:
        return As(http, signing_key, Staff(roles=roles, teams=teams))

    return make


@pytest.fixture
def counsellor(as_staff: Callable[..., As]) -> As:
    """A counsellor of the Nairobi test team."""
    return as_staff("counsellor")
