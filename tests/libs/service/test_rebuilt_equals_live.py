"""Every service's declared rebuild (what `uponyaji rebuild <service>` runs) gives back the read
tables its live projections wrote: real commands (each service's demo seed, a few survivors) on
fresh databases, a snapshot of every table, the rebuild, the same snapshot again.

Followers read a real intake's store (and reporting psychosocial's too) through the factory's
`feeds=`, so their consumers apply exactly what intake's commands published. One world serves
every case (a rebuild that works leaves it as it was).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from kit.services import SERVICES, World, database_factory, declared, isolated
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

# The outbox relay moves its checkpoint in the background, whatever a rebuild does.
MOVING = frozenset({"relay_checkpoints"})
# When a consumer last moved: a rebuild moves it (its position and source epoch are compared).
WHEN_MOVED = {"consumer_positions": "updated_at"}


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


@pytest.fixture(scope="module")
async def apps(
    postgres: Any,
    kernel_template: str,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, FastAPI]]:
    """Every service on its own fresh database, each with a few demo records: identity's staff,
    intake's survivors, the followers' journeys for them, reporting over intake and psychosocial."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolated(monkeypatch)
        async with AsyncExitStack() as stack:
            world = World(
                stack,
                tmp_path_factory.mktemp("rebuild"),
                database_factory(postgres, kernel_template),
                nats_server.url,
            )
            identity = await world.start("identity")
            seed = importlib.import_module("uponyaji_identity.seed")
            assert await seed.seed(running(identity).resources)
            intake = await world.seeded_intake()
            found = {"identity": identity, "intake": intake}
            for service in ("psychosocial", "medical", "empowerment"):
                found[service] = await world.seeded_follower(service, intake)
            sources = {"intake": intake, "psychosocial": found["psychosocial"]}
            found["reporting"] = await world.follower("reporting", sources)
            await running(found["reporting"]).consumer("reporting").catch_up()  # its own audit
            yield found


def test_every_service_with_read_tables_declares_its_rebuild() -> None:
    """`uponyaji rebuild <service>` works for each: the declaration names the rebuild."""
    missing = [s for s in SERVICES if declared(s).rebuild is None]
    assert not missing, f"no rebuild declared by {missing}"


@pytest.mark.parametrize("service", SERVICES)
async def test_rebuilt_read_tables_equal_the_live_ones(
    apps: dict[str, FastAPI], service: str
) -> None:
    app = apps[service]
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
