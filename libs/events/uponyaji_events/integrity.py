"""Tamper evidence: recompute every event's hash and check each stream's chain."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from uponyaji_events.codec import event_hash
from uponyaji_events.envelope import GENESIS_HASH, Event
from uponyaji_events.store import EVENT_COLUMNS, row_to_event


@dataclass
class VerifyReport:
    """What a verification found: how many events were checked and every problem seen."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no event was altered, removed or re-ordered."""
        return not self.problems


def check_chain(events: list[Event], report: VerifyReport) -> None:
    """Check one stream's events (in version order) and add any problem to the report."""
    prev = GENESIS_HASH
    for expected_version, event in enumerate(events, start=1):
        report.checked += 1
        where = f"stream {event.stream_id} version {event.version} (event {event.event_id})"
        if event.version != expected_version:
            report.problems.append(f"{where}: expected version {expected_version}; events missing")
        if event.prev_hash != prev:
            report.problems.append(f"{where}: prev_hash does not match the previous event")
        if event_hash(event) != event.hash:
            report.problems.append(f"{where}: content does not match its hash")
        prev = event.hash


async def verify(
    pool: asyncpg.Pool, stream_id: str | None = None, *, chunk: int = 5000
) -> VerifyReport:
    """Verify one stream, or every stream in the store when stream_id is None."""
    report = VerifyReport()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        if stream_id is not None:
            rows = await conn.fetch(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version",  # noqa: S608
                stream_id,
            )
            check_chain([row_to_event(r) for r in rows], report)
            return report
        current: list[Event] = []
        cursor = conn.cursor(
            f"SELECT {EVENT_COLUMNS} FROM events ORDER BY stream_id, version",  # noqa: S608
            prefetch=chunk,
        )
        async for row in cursor:
            event = row_to_event(row)
            if current and current[-1].stream_id != event.stream_id:
                check_chain(current, report)
                current = []
            current.append(event)
        if current:
            check_chain(current, report)
    return report
