"""Closed-case retention: a case closed longer ago than the retention period is erased.

The Data Protection Act keeps personal data no longer than its purpose needs. Once a case has
been closed for `INTAKE_CLOSED_CASE_RETENTION_DAYS` (and not reopened), intake records an
erasure request for it exactly as the data protection officer would (actor
`system:intake-retention`): the erasure saga then destroys every service's data key for the
survivor and reporting unlinks the case number. The check runs in intake's background every
`INTAKE_RETENTION_CHECK_HOURS`, and on demand with `python -m uponyaji_intake.retention`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from uponyaji_events.envelope import Actor

from .handlers import Intake
from .handlers.erasure import request_erasure
from .schemas import ErasureBody

RETENTION_ACTOR = Actor.system("intake-retention")
log = logging.getLogger("uponyaji.intake.retention")


async def due(pool: asyncpg.Pool, now: datetime, days: int) -> list[UUID]:
    """Survivors whose case was closed more than `days` ago and who are not erased yet."""
    rows = await pool.fetch(
        "SELECT survivor_id FROM survivors WHERE status = 'closed' AND closed_at < $1 "
        "AND erasure_status IS NULL ORDER BY closed_at",
        now - timedelta(days=days),
    )
    return [r["survivor_id"] for r in rows]


async def enforce(intake: Intake, now: datetime, days: int) -> list[UUID]:
    """Request the erasure of every case past its retention; the survivors erased."""
    erased = []
    for survivor_id in await due(intake.store.pool, now, days):
        try:  # received today: the day the retention period ran out or, late, the day it ran
            await request_erasure(intake, survivor_id, ErasureBody(), RETENTION_ACTOR)
        except Exception as exc:  # one refusal (e.g. reopened meanwhile) must not stop the rest
            log.warning("retention: survivor %s not erased (%s)", survivor_id, type(exc).__name__)
            continue
        erased.append(survivor_id)
    if erased:
        log.info("retention: %d closed case(s) past %d days erased", len(erased), days)
    return erased


async def run_forever(
    intake: Intake, clock: Callable[[], datetime], days: int, every_hours: float
) -> None:
    """The background job: enforce, then wait `every_hours`."""
    while True:
        try:
            await enforce(intake, clock(), days)
        except (OSError, asyncpg.PostgresError):
            log.warning("retention round failed; retried next round", exc_info=True)
        await asyncio.sleep(every_hours * 3600)


async def main() -> list[UUID]:
    """One round now, with intake's settings from the environment (prints the survivors)."""
    from uponyaji_service import running

    from .app import create_app

    app = create_app()
    async with app.router.lifespan_context(app):
        parts = running(app).parts
        days = parts.settings.closed_case_retention_days
        erased = await enforce(running(app).resources, parts.clock(), days)
    print(json.dumps({"erased": [str(s) for s in erased], "retention_days": days}))
    return erased


if __name__ == "__main__":
    asyncio.run(main())
