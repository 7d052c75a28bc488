"""Every service's declared rebuild (what `uponyaji rebuild <service>` runs) gives back the read
tables its live projections wrote: real commands (each service's demo seed, a few survivors) on
fresh databases, a snapshot of every table, the rebuild, the same snapshot again.

Followers read a real intake's store (and reporting psychosocial's too) through the factory's
`feeds=`, so their consumers apply exactly what intake's commands published.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from uponyaji_events import StoreFeed
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import Service, running

# The outbox relay moves its checkpoint in the background, whatever a rebuild does.
MOVING = frozenset({"relay_checkpoints"})
# When a consumer last moved: a rebuild moves it (its position and source epoch are compared).
WHEN_MOVED = {"consumer_positions": "updated_at"}
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
        for name in sources:
            result = await running(app).consumer(name).catch_up()
            assert not getattr(result, "failed", None), running(app).consumer(name).stats.last_error
        return app


async def _identity(world: World) -> FastAPI:
    app = await world.start("identity")
    seed = importlib.import_module("uponyaji_identity.seed")
    assert await seed.seed(running(app).resources)
    return app


async def _intake(world: World) -> FastAPI:
    return await world.seeded_intake()


async def _seeded_follower(world: World, service: str) -> FastAPI:
    app = await world.follower(service, {"intake": await world.seeded_intake()})
    seed = importlib.import_module(f"uponyaji_{service}.seed")
    made, _ = await seed.seed(world.settings[service], limit=INTAKE_SURVIVORS, wait=0)
    assert made, f"{service}'s seed found no survivor to record"
    return app


async def _reporting(world: World) -> FastAPI:
    intake = await world.seeded_intake()
    psychosocial = await world.follower("psychosocial", {"intake": intake})
    seed = importlib.import_module("uponyaji_psychosocial.seed")
    assert (await seed.seed(world.settings["psychosocial"], limit=INTAKE_SURVIVORS, wait=0))[0]
    app = await world.follower("reporting", {"intake": intake, "psychosocial": psychosocial})
    await running(app).consumer("reporting").catch_up()  # its own audit records
    return app


DRIVE: dict[str, Callable[[World], Awaitable[FastAPI]]] = {
    "identity": _identity,
    "intake": _intake,
    "psychosocial": lambda world: _seeded_follower(world, "psychosocial"),
    "medical": lambda world: _seeded_follower(world, "medical"),
    "empowerment": lambda world: _seeded_follower(world, "empowerment"),
    "reporting": _reporting,
}


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[str]]:
    """Every table of the service's database, rows as JSON text in a stable order."""
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    found = {}
    for row in tables:
        name = row["tablename"]
        if name in MOVING:
            continue
        row_json = f"to_jsonb(t) - '{WHEN_MOVED[name]}'" if name in WHEN_MOVED else "to_jsonb(t)"
        rows = await pool.fetch(f'SELECT ({row_json})::text AS row FROM "{name}" t')  # noqa: S608
        found[name] = sorted(r["row"] for r in rows)
    return found


@pytest.fixture
async def world(
    tmp_path: Path,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    """Services of one test, stopped (and their pools closed) at its end."""
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    for service in SERVICES:
        # Nothing listens there: no service reaches a real identity or a peer from this test.
        monkeypatch.setenv(f"{service.upper()}_IDENTITY_URL", "http://127.0.0.1:9")
    async with AsyncExitStack() as stack:
        yield World(stack, tmp_path, new_database_url, nats_server.url)


def test_every_service_with_read_tables_declares_its_rebuild() -> None:
    """`uponyaji rebuild <service>` works for each: the declaration names the rebuild."""
    assert set(DRIVE) == set(SERVICES)
    missing = [s for s in SERVICES if declared(s).rebuild is None]
    assert not missing, f"no rebuild declared by {missing}"


@pytest.mark.parametrize("service", SERVICES)
async def test_rebuilt_read_tables_equal_the_live_ones(world: World, service: str) -> None:
    app = await DRIVE[service](world)
    pool = running(app).parts.pool
    store = running(app).parts.store
    await store.sequence()  # the seeds' last events get their positions
    await store.epoch()  # the store's identity is made when first asked for (a rebuild asks)
    live = await snapshot(pool)
    rebuild = declared(service).rebuild
    assert rebuild is not None
    pages: list[int] = []
    applied = await rebuild(running(app), pages.append)
    assert applied > 0
    assert sum(pages) == applied  # the progress bar is told every page
    rebuilt = await snapshot(pool)
    changed = {t: (live[t], rebuilt.get(t)) for t in live if rebuilt.get(t) != live[t]}
    assert not changed, f"{service}: tables differ after the rebuild: {sorted(changed)}"
