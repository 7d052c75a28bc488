"""The fixtures of a stage service's own tests, written once for medical, psychosocial, empowerment.

A service's conftest names its app factory, settings class, signing key and fake intake, and
takes the fixtures by name:

    signing_key, settings, intake, app, http, pool, as_staff = stage_fixtures(
        "medical", create_app, Settings, SigningKey, FakeIntake, NAIROBI
    )

- `signing_key` (session): the key "identity" signs the tests' tokens and step-up proofs with;
- `settings`: the service on a fresh database, trusting that key, with no identity reachable;
- `intake`: a fake intake with its own signed event store;
- `app`: the service running (lifespan entered), reading the fake intake's feed;
- `http`: a client talking to it in-process; `pool`: its own pool (to count events, read tables);
- `as_staff("counsellor", teams=(NAIROBI,))`: a client acting as a new staff member.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support import signed_store
from uponyaji_events import StoreFeed
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

from kit.intake import FakeIntake
from kit.offline import trust_offline
from kit.tokens import As, SigningKey, Staff


class StageFixtures(NamedTuple):
    """The fixture functions a conftest binds to module-level names."""

    signing_key: Any
    settings: Any
    intake: Any
    app: Any
    http: Any
    pool: Any
    as_staff: Any


def stage_fixtures(
    service: str,
    create_app: Callable[..., FastAPI],
    settings_type: Callable[..., Any],
    key_type: Callable[[], SigningKey],
    intake_type: Callable[[Any], FakeIntake],
    team: Any,
    **settings_given: Any,
) -> StageFixtures:
    """The fixtures of `service`'s tests (staff of `team` by default; more Settings as keywords)."""
    prefix = service.upper()

    @pytest.fixture(scope="session")
    def signing_key() -> SigningKey:
        """The key 'identity' signs the tests' tokens and step-up proofs with."""
        return key_type()

    @pytest.fixture
    def settings(
        tmp_path: Path,
        new_database_url: Callable[[], str],
        nats_server: EmbeddedNats,
        signing_key: SigningKey,
        monkeypatch: pytest.MonkeyPatch,
    ) -> Any:
        """Settings for one service on a fresh database, trusting the test signing key."""
        trust_offline(monkeypatch, tmp_path, prefix, signing_key.jwks())
        monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
        return settings_type(
            database_url=new_database_url(),
            nats_url=nats_server.url,
            kek_file=tmp_path / "secrets" / f"{service}.kek",
            **settings_given,
        )

    @pytest.fixture
    async def intake(new_database: Callable[..., Any]) -> FakeIntake:
        """A fake intake with its own event store."""
        return intake_type(signed_store(await new_database(max_size=4), "intake"))

    @pytest.fixture
    async def app(settings: Any, intake: FakeIntake) -> AsyncIterator[FastAPI]:
        """The service running, reading the fake intake's feed (handed over by `intake.deliver`)."""
        application = create_app(settings, feeds={"intake": StoreFeed(intake.store)})
        async with application.router.lifespan_context(application):
            yield application

    @pytest.fixture
    async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client talking to the service in-process."""
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
            yield client

    @pytest.fixture
    def pool(app: FastAPI) -> asyncpg.Pool:
        """The service's own pool (to count events and look at tables)."""
        found: asyncpg.Pool = running(app).parts.pool
        return found

    @pytest.fixture
    def as_staff(http: httpx.AsyncClient, signing_key: SigningKey) -> Callable[..., As]:
        """`as_staff("counsellor", teams=(NAIROBI,))`: a client acting as a new staff member."""

        def make(*roles: str, teams: tuple[Any, ...] = (team,)) -> As:
            return As(http, signing_key, Staff(roles=roles, teams=teams))

        return make

    return StageFixtures(signing_key, settings, intake, app, http, pool, as_staff)
