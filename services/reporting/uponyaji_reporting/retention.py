"""Audit retention in reporting: the audit review keeps `REPORTING_AUDIT_RETENTION_DAYS` of reads.

Every service's audit records are events in its own store, which is append-only (its hash
chains and signatures are the tamper evidence) and holds ids and names of actions only, never
a survivor's name or notes. Reporting's copy of them (`access_records`, the table behind the
audit review and its alerts) is what staff search; records older than the retention period are
deleted from it once a day (and after a rebuild, at the next round). NATS keeps its copies for
the streams' `max_age` only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

log = logging.getLogger("uponyaji.reporting.retention")
ROUND_SECONDS = 24 * 3600.0


async def prune_access_records(pool: asyncpg.Pool, now: datetime, days: int) -> int:
    """Delete audit-review rows older than `days`; how many were deleted."""
    status = await pool.execute(
        "DELETE FROM access_records WHERE at < $1", now - timedelta(days=days)
    )
    return int(status.split()[-1])


async def run_forever(
    pool: asyncpg.Pool, clock: Callable[[], datetime], days: int, every: float = ROUND_SECONDS
) -> None:
    """The background job: prune, then wait a day."""
    while True:
        try:
            pruned = await prune_access_records(pool, clock(), days)
            if pruned:
                log.info("audit retention: %d access record(s) older than %d days", pruned, days)
        except (OSError, asyncpg.PostgresError):
            log.warning("audit retention round failed; retried next round", exc_info=True)
        await asyncio.sleep(every)
