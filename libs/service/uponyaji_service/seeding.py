"""Demo seeding: wait until a stage service has applied the intake events it follows.

A stage seeds its demo records for survivors intake registered, so it first waits until its
intake consumer has applied intake's head (read from intake's health details with the stage's
service token). Without a token or an intake to ask, it waits until its survivors table has been
still for a few seconds.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from uponyaji_access import ServiceTokens
from uponyaji_events.db import Conn, create_pool
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate

from uponyaji_service.settings import ServiceSettings

STILL_SECONDS = 5.0  # with no head to compare: this long without a new survivor is caught up
POLL_SECONDS = 0.5
APPLIED = "SELECT coalesce(max(position), 0) FROM consumer_positions WHERE source = 'intake'"


@asynccontextmanager
async def stage_seeding(
    settings: ServiceSettings, service: str, migrations: Path, lock: int, wait: float
) -> AsyncIterator[tuple[asyncpg.Pool, Conn]]:
    """The stage's pool and a connection: schema migrated, intake caught up, seeding lock held."""
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, kernel_migrations() + directory_migrations(migrations, service))
            if not await caught_up(pool, service, settings, wait):
                print(
                    f"{service}.seed: intake's events still arriving; seeding what is known",
                    file=sys.stderr,
                )
            await conn.execute("SELECT pg_advisory_lock($1)", lock)  # one seeder at a time
            try:
                yield pool, conn
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", lock)
    finally:
        await pool.close()


async def intake_head(url: str, tokens: ServiceTokens | None) -> int | None:
    """Intake's latest position from its health details (None: no token, or intake away)."""
    try:
        headers = await tokens.headers("intake") if tokens is not None else {}
        async with httpx.AsyncClient(base_url=url, timeout=3.0, trust_env=False) as client:
            report = (await client.get("/health", headers=headers)).json()
        return int(report["relay"]["head"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


async def caught_up(
    pool: asyncpg.Pool, service: str, settings: ServiceSettings, wait: float
) -> bool:
    """Wait up to `wait` s until `service` has applied intake's head (or its tables are still)."""
    url = settings.service_url("intake")
    tokens = ServiceTokens.for_service(service) if url else None
    try:
        return await _wait_for_intake(pool, url, tokens, time.monotonic() + wait)
    finally:
        if tokens is not None:
            await tokens.aclose()


async def _wait_for_intake(
    pool: asyncpg.Pool, url: str | None, tokens: ServiceTokens | None, deadline: float
) -> bool:
    last, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        position = int(await pool.fetchval(APPLIED) or 0)
        head = await intake_head(url, tokens) if url else None
        if head is not None and head > 0 and position >= head:
            return True
        known = int(await pool.fetchval("SELECT count(*) FROM survivors"))
        if known != last:
            last, still_since = known, time.monotonic()
        elif head is None and known and time.monotonic() - still_since > STILL_SECONDS:
            return True
        await asyncio.sleep(POLL_SECONDS)
    return False
