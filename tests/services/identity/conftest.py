"""Fixtures of identity's tests: the real app on a fresh database and the session's NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from identity_support import ServerClock
from uponyaji_identity.app import create_app
from uponyaji_identity.context import Identity
from uponyaji_identity.settings import Settings
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running


@pytest.fixture
def settings_for(
    new_database_url: Callable[[], str], nats_server: EmbeddedNats, tmp_path: Path
) -> Callable[..., Settings]:
    """Factory of test settings on a fresh database (override any field by keyword)."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": new_database_url(),
            "nats_url": nats_server.url,
            "kek_file": tmp_path / "secrets" / "identity.kek",
            "UPONYAJI_ENV": "test",
            "auth_rate_per_minute": 10_000,
            "maintenance_interval": 0.2,
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    """Test settings on a fresh database."""
    return settings_for()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """Identity's app with its lifespan running (migrated, keys made, relay started)."""
    application = create_app(settings, clock=ServerClock())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def ctx(app: FastAPI) -> Identity:
    """The app's handler context (store, keys, sessions...)."""
    found: Identity = running(app).resources
    return found


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
        yield http
