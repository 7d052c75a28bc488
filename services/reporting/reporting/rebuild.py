"""`python -m reporting.rebuild`: rebuild every reporting table from the sources' feeds.

Needs the sources' URLs and reporting's service client secret
(`REPORTING_SERVICE_CLIENT_SECRET_FILE`, which the launcher writes) or an operator's
`REPORTING_FEED_TOKEN`; refuses before truncating anything when a feed cannot be read.
"""

from __future__ import annotations

import asyncio

from uponyaji_access import ServiceTokens
from uponyaji_events.db import create_pool
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_events.store import EventStore

from . import consumers
from .projections import MIGRATIONS
from .settings import SERVICE, Settings


async def main() -> int:
    """Rebuild and print how many events were applied."""
    settings = Settings()  # required fields come from the environment
    pool = await create_pool(settings.database_url)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, [*kernel_migrations(), *directory_migrations(MIGRATIONS, SERVICE)])
        tokens = ServiceTokens.for_service(SERVICE)
        built = consumers.build(pool, settings, own=EventStore(pool), tokens=tokens)
        try:
            total = await consumers.rebuild(pool, built)
        finally:
            if tokens is not None:
                await tokens.aclose()
        print(f"rebuilt reporting from {len(built)} feeds: {total} events applied")
        return 0
    finally:
        await pool.close()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
