"""`python -m fakesvc.seed`: idempotent demo data, printing the demo account as a JSON line."""

from __future__ import annotations

import asyncio
import json
import os

import asyncpg

DEMO = ("demo.counsellor", "not-a-real-password-1", "JBSWY3DPEHPK3PXP", "counsellor")


async def seed() -> None:
    """Create the demo account when the store is empty; print every demo account."""
    if os.environ.get("FAKESVC_SEED_FAIL"):
        raise SystemExit("FAKESVC_SEED_FAIL: simulated seeding failure")
    conn = await asyncpg.connect(os.environ["FAKESVC_DATABASE_URL"])
    try:
        # The table is the app's migration (made by the owner role): seeding only writes.
        if await conn.fetchval("SELECT count(*) FROM demo_accounts") == 0:
            await conn.execute("INSERT INTO demo_accounts VALUES ($1, $2, $3, $4)", *DEMO)
            print("seeded one demo account")
        else:
            print("already seeded")
        for row in await conn.fetch("SELECT * FROM demo_accounts"):
            print(json.dumps(dict(row)))
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(seed())
