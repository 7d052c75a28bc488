"""The live path: sources' relays publish to NATS, reporting's consumers apply; equals a rebuild."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
from reporting_support import (
    SURVIVORS,
    Empowerment,
    Intake,
    Medical,
    Psychosocial,
    exact,
    programme_scenario,
    scenario,
    settings,
)
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_events.relay import OutboxRelay
from uponyaji_events.tasks import stop_tasks
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_reporting import consumers, queries
from uponyaji_reporting.projections import MIGRATIONS


async def _table(pool: asyncpg.Pool, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]  # noqa: S608


async def test_events_arrive_through_nats_and_live_equals_rebuilt(
    new_database: Callable[..., Any], own_nats: EmbeddedNats, wait_until: Any
) -> None:
    intake, psychosocial = Intake(await new_database()), Psychosocial(await new_database())
    medical, empowerment = Medical(await new_database()), Empowerment(await new_database())
    pool = await new_database()
    async with pool.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    sources = {
        "intake": intake,
        "psychosocial": psychosocial,
        "medical": medical,
        "empowerment": empowerment,
    }
    relays = [
        OutboxRelay(source.store, service=name, nats_url=own_nats.url)
        for name, source in sources.items()
    ]
    feeds = {name: source.feed for name, source in sources.items()}
    built = consumers.build(pool, settings("postgresql://unused", own_nats.url), feeds)
    assert [c.source for c in built] == list(sources)
    for c in built:
        c.idle_check = 30.0  # NATS, not the feed, must carry the events here
    tasks = [asyncio.create_task(r.run()) for r in relays]
    tasks += [asyncio.create_task(c.run()) for c in built]
    try:
        await scenario(intake, psychosocial)
        await programme_scenario(medical, empowerment)

        async def complete() -> bool:
            lag = await consumers.lag(built)
            return all(v["behind"] == 0 for v in lag.values())

        await wait_until(complete, 60, "reporting to catch up through NATS")
        # intake: 6 × (registered, assigned, reporting consent, incident) + 1 closure;
        # psychosocial: 5 × 3 + 2 + 1 flag
        programme = [len(await s.feed.read(0, 1000)) for s in (medical, empowerment)]
        assert programme == [23, 37]  # see programme_scenario: medical 12 + 5 + 4 + 1 + 1;
        # empowerment 6 × (needs, plan, grant, follow-up) + 6 payments + 5 trainings + 1 + 1
        assert sum(c.stats.applied_total for c in built) == (6 * 4 + 1) + (5 * 3 + 3) + 60
        journey = await queries.journey(pool, SURVIVORS[5], None)
        assert journey.stages == {
            "intake": "closed",
            "psychosocial": "open_risk_flag",
            "medical": "examined",
            "empowerment": "followed_up",
        }
        live = {t: await _table(pool, t) for t in ("journey_entries", "survivor_facts")}
    finally:
        await stop_tasks(tasks)
        for c in built:
            with contextlib.suppress(Exception):
                await c.close()
    await consumers.rebuild(pool, built, progress=False)
    assert {t: await _table(pool, t) for t in live} == live


async def test_nats_killed_mid_stream_every_journey_complete_nothing_counted_twice(
    new_database: Callable[..., Any], own_nats: EmbeddedNats, wait_until: Any
) -> None:
    intake, psychosocial = Intake(await new_database()), Psychosocial(await new_database())
    pool = await new_database()
    async with pool.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    relays = [
        OutboxRelay(intake.store, service="intake", nats_url=own_nats.url),
        OutboxRelay(psychosocial.store, service="psychosocial", nats_url=own_nats.url),
    ]
    feeds = {"intake": intake.feed, "psychosocial": psychosocial.feed}
    built = consumers.build(pool, settings("postgresql://unused", own_nats.url), feeds)
    tasks = [asyncio.create_task(r.run()) for r in relays]
    tasks += [asyncio.create_task(c.run()) for c in built]
    try:
        commands = asyncio.create_task(scenario(intake, psychosocial))

        async def some() -> bool:
            return sum(c.stats.applied_total for c in built) >= 8

        await wait_until(some, 60, "the first events")
        own_nats.kill()  # SIGKILL in the middle of the stream of commands
        await asyncio.sleep(0.5)
        own_nats.start()
        await commands

        async def complete() -> bool:
            lag = await consumers.lag(built)
            return all(v["behind"] == 0 for v in lag.values())

        await wait_until(complete, 90, "reporting to catch up after NATS came back")
    finally:
        await stop_tasks(tasks)
        for c in built:
            with contextlib.suppress(Exception):
                await c.close()
    kinds = await pool.fetch(
        "SELECT survivor_id, count(*) AS n FROM journey_entries GROUP BY 1 ORDER BY 1"
    )
    # 0-4: registered, assigned, consent, incident, PHQ-9, session, PHQ-9;
    # 5: 4 + 2 PHQ-9 + flag + closure
    assert [r["n"] for r in kinds] == [7, 7, 7, 7, 7, 8]
    assert [r["survivor_id"] for r in kinds] == SURVIVORS
    board = await exact(pool)
    assert (board["survivors"], board["active_caseload"]) == (6, 5)
    assert board["outcomes"]["PHQ-9"]["reliable_recovery"] == 5
    live = {t: await _table(pool, t) for t in ("journey_entries", "survivor_facts")}
    await consumers.rebuild(pool, built, progress=False)
    assert {t: await _table(pool, t) for t in live} == live
