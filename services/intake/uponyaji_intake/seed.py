"""`python -m uponyaji_intake.seed`: ~200 synthetic survivors, development only, once.

Run by the launcher after intake is healthy, with intake's environment. The demo teams are
identity's "Nairobi Field Office" and "Mombasa Field Office": their ids come from identity's
`TeamCreated` events, which intake's consumer keeps in its `teams` table (the seed waits for
them a little); without identity, stand-in ids derived from the names are used. Prints nothing on
stdout (it creates no demo logins) and a one-line summary on stderr.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
from uponyaji_events import EventStore
from uponyaji_events.db import create_pool
from uponyaji_events.envelope import Actor
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_service import Keys

from . import demo, queries
from .app import MIGRATIONS
from .blind_index import BlindIndexer
from .handlers import Intake, care, survivors
from .schemas import (
    ClosureBody,
    ConsentBody,
    IncidentBody,
    ReferralBody,
    ReferralStatusBody,
    RegisterSurvivorBody,
)
from .settings import Settings

SEEDER = Actor.system("intake-seed")
COUNT = 200
_LOCK = 0x696E_7365_6564  # "inseed": one seeder at a time
TEAM_NAMES = {demo.NAIROBI: "Nairobi Field Office", demo.MOMBASA: "Mombasa Field Office"}


async def demo_teams(pool: asyncpg.Pool, settings: Settings, wait: float) -> dict[str, UUID]:
    """The demo teams' ids from identity's announcements (stand-ins when identity is absent)."""
    deadline = time.monotonic() + (wait if settings.service_url("identity") else 0)
    while True:
        found = {slug: await queries.team_by_name(pool, name) for slug, name in TEAM_NAMES.items()}
        if all(found.values()) or time.monotonic() >= deadline:
            return {
                slug: team or uuid5(NAMESPACE_URL, f"urn:uponyaji:demo-team:{slug}")
                for slug, team in found.items()
            }
        await asyncio.sleep(0.5)


async def seed_one(intake: Intake, subject: demo.DemoSurvivor, team: UUID) -> None:
    """Record one demo survivor's registration, consents, incidents, referrals and closure."""
    body = RegisterSurvivorBody.model_validate(subject.registration)
    done = await survivors.register(intake, body, SEEDER, teams=frozenset({team}))
    sid = done.survivor_id
    grants = [c for c in subject.consents if c["decision"] == "grant"]
    withdrawals = [c for c in subject.consents if c["decision"] != "grant"]
    for consent in grants:
        await care.record_consent(intake, sid, ConsentBody.model_validate(consent), SEEDER)
    for incident in subject.incidents:
        await care.document_incident(intake, sid, IncidentBody.model_validate(incident), SEEDER)
    for referral, statuses in subject.referrals:
        events = await care.make_referral(
            intake, sid, ReferralBody.model_validate(referral), SEEDER
        )
        for status in statuses:
            answer = ReferralStatusBody.model_validate({"status": status})
            await care.update_referral(intake, sid, UUID(events[0].stream_id), answer, SEEDER)
    for consent in withdrawals:  # after the work the consent allowed
        await care.record_consent(intake, sid, ConsentBody.model_validate(consent), SEEDER)
    if subject.closure is not None:
        closure = ClosureBody.model_validate(subject.closure)
        await care.close_or_reopen(intake, sid, closure, SEEDER)


async def seed(settings: Settings, *, count: int = COUNT, wait_for_teams: float = 30.0) -> int:
    """Seed `count` survivors unless intake already holds survivors; return how many were made."""
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, kernel_migrations() + directory_migrations(MIGRATIONS, "intake"))
            await conn.execute("SELECT pg_advisory_lock($1)", _LOCK)
            try:
                if await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE stream_type = 'survivor')"
                ):
                    return 0
                teams = await demo_teams(pool, settings, wait_for_teams)
                keys = Keys.open(pool, settings.kek_file)
                intake = Intake(
                    EventStore(pool),
                    keys,
                    BlindIndexer.from_kek(keys.kek),
                    settings.case_number_prefix,
                    tuple(settings.participants()),
                )
                rng = random.Random(2026)
                for n in range(1, count + 1):
                    subject = demo.survivor(n, rng)
                    await seed_one(intake, subject, teams[subject.team])
                return count
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK)
    finally:
        await pool.close()


def main() -> int:
    """Seed when UPONYAJI_ENV is development (or test); refuse anywhere else."""
    settings = Settings()  # required fields come from the environment
    if not settings.development:
        print("intake.seed: demo data is for development only; nothing done", file=sys.stderr)
        return 2
    started = time.monotonic()
    made = asyncio.run(seed(settings))
    took = time.monotonic() - started
    if made:
        print(f"intake.seed: {made} synthetic survivors in {took:.1f}s", file=sys.stderr)
    else:
        print("intake.seed: intake already holds survivors; nothing seeded", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
