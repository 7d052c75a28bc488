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

import asyncpg
import pytest
from fastapi import FastAPI
from kit.services import SERVICES, World, declared, isolated
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

# The outbox relay moves its checkpoint in the background, whatever a rebuild does.
MOVING = frozenset({"relay_checkpoints"})
# When a consumer last moved: a rebuild moves it (its position and source epoch are compared).
WHEN_MOVED = {"consumer_positions": "updated_at"}


async def _identity(world: World) -> FastAPI:
    app = await world.start("identity")
    seed = importlib.import_module("uponyaji_identity.seed")
    assert await seed.seed(running(app).resources)
    return app


async def _intake(world: World) -> FastAPI:
    return await world.seeded_intake()


async def _seeded_follower(world: World, service: str) -> FastAPI:
    return await world.seeded_follower(service, await world.seeded_intake())


async def _reporting(world: World) -> FastAPI:
    return await world.reporting(await world.seeded_intake())


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
    isolated(monkeypatch)
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
