"""Real services started in-process on fresh databases, followers reading their sources' stores.

`World` starts any service by name with test settings; a follower gets `StoreFeed`s on its
sources' stores through the factory's `feeds=` and is caught up by the test, so it applies exactly
what the sources' own commands recorded. The services' demo seeds drive the commands.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from uponyaji_events import StoreFeed
from uponyaji_service import Service, running

INTAKE_SURVIVORS = 6  # enough for every follower's seed to find consenting survivors
SERVICES = ("identity", "intake", "psychosocial", "medical", "empowerment", "reporting")


def declared(service: str) -> Service[Any, Any]:
    """The one `Service` declared in a service's app module."""
    module = importlib.import_module(f"uponyaji_{service}.app")
    found = [value for value in vars(module).values() if isinstance(value, Service)]
    assert len(found) == 1, f"uponyaji_{service}.app declares {len(found)} services"
    return found[0]


class World:
    """Services started on fresh databases, each closed when the test ends."""

    def __init__(
        self, stack: AsyncExitStack, tmp: Path, database_url: Callable[[], str], nats: str
    ) -> None:
        self.stack, self.tmp, self.database_url, self.nats = stack, tmp, database_url, nats
        self.settings: dict[str, Any] = {}

    async def start(self, service: str, feeds: dict[str, StoreFeed] | None = None) -> FastAPI:
        """One service, its consumers driven by the test (none of them run by themselves)."""
        settings_class = importlib.import_module(f"uponyaji_{service}.settings").Settings
        settings = settings_class(
            database_url=self.database_url(),
            nats_url=self.nats,
            kek_file=self.tmp / f"{service}.kek",
        )
        self.settings[service] = settings
        app: FastAPI = importlib.import_module(f"uponyaji_{service}.app").create_app(
            settings, feeds=feeds or {}
        )
        await self.stack.enter_async_context(app.router.lifespan_context(app))
        return app

    async def seeded_intake(self) -> FastAPI:
        """A real intake holding a few demo survivors, recorded by its own command handlers."""
        app = await self.start("intake")
        seed = importlib.import_module("uponyaji_intake.seed")
        assert await seed.seed(self.settings["intake"], count=INTAKE_SURVIVORS, wait_for_teams=0)
        return app

    async def follower(self, service: str, sources: dict[str, FastAPI]) -> FastAPI:
        """A service following `sources` through their stores, caught up with them."""
        feeds = {name: StoreFeed(running(app).parts.store) for name, app in sources.items()}
        for app in sources.values():
            await running(app).parts.store.sequence()
        app = await self.start(service, feeds)
        for name, feed in feeds.items():
            consumer = running(app).consumer(name)
            await consumer.catch_up()
            # All applied: a refused event (bad signature, broken chain) stops a consumer below.
            assert await consumer.position() == await feed.head(), consumer.stats.last_error
        return app

    async def seeded_follower(self, service: str, intake: FastAPI) -> FastAPI:
        """A follower of `intake`, with its own demo records for intake's survivors."""
        app = await self.follower(service, {"intake": intake})
        seed = importlib.import_module(f"uponyaji_{service}.seed")
        made, _ = await seed.seed(self.settings[service], limit=INTAKE_SURVIVORS, wait=0)
        assert made, f"{service}'s seed found no survivor to record"
        return app


def database_factory(postgres: Any, template: str) -> Callable[[], str]:
    """Fresh databases cloned from the kernel's template (for fixtures wider than one test)."""

    def make() -> str:
        name = f"world_{uuid.uuid4().hex[:12]}"
        postgres.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url: str = postgres.url(name)
        return url

    return make


def isolated(monkeypatch: Any) -> None:
    """Test settings for every service: no launcher map, no identity or peer reachable."""
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    for service in SERVICES:
        # Nothing listens there: no service reaches a real identity or a peer from a test.
        monkeypatch.setenv(f"{service.upper()}_IDENTITY_URL", "http://127.0.0.1:9")
