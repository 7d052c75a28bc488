"""Audit alerts for the data protection officer, over reporting's access records (synthetic ids).

The alert `many_survivors_outside_caseload_in_a_day` counts distinct survivors a staff member read
(allowed), or that a list or search returned to them, while the record says they were not on that
person's caseload, per day in Kenya (UTC+3). Searches and the survivors lists name are counted too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from uponyaji_access import AuditKey
from uponyaji_access.lists import ListedRecord
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import alerts as alerts_module
from uponyaji_reporting import projections, queries
from uponyaji_reporting.projections import MIGRATIONS

LIMIT = queries.OUTSIDE_CASELOAD_A_DAY
NOON = datetime(2026, 3, 11, 12, tzinfo=UTC)
_positions = itertools.count(1)
KEY = AuditKey(b"test-audit-key-of-at-least-32-bytes-0123456789")


def staff(n: int) -> str:
    """A synthetic staff id."""
    return str(UUID(int=0x0190A8E57C0070008000000000000100 + n))


def survivor(n: int) -> UUID:
    """A synthetic survivor id."""
    return UUID(int=0x0190A8E57C0070008000000000001000 + n)


@pytest.fixture
async def pool(new_database: Callable[..., Any]) -> asyncpg.Pool:
    """Reporting's tables on a fresh database."""
    pool: asyncpg.Pool = await new_database()
    async with pool.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    return pool


async def record(
    pool: asyncpg.Pool,
    reader: str,
    read: UUID,
    at: datetime,
    on_caseload: bool | None,
    outcome: str = "allowed",
    scope: str | None = "any",
) -> None:
    """One access record as the projection stores it from a SurvivorDataAccessed event."""
    await pool.execute(
        "INSERT INTO access_records (source, position, staff_id, role, action, survivor_id, "
        "purpose, outcome, route, at, on_caseload, scope) "
        "VALUES ('intake', $1, $2, 'intake_officer', 'survivor.read', $3, 'care', $4, "
        "'/survivors/{survivor_id}', $5, $6, $7)",
        next(_positions),
        reader,
        read,
        outcome,
        at,
        on_caseload,
        scope,
    )


async def test_many_survivors_read_off_the_caseload_in_a_day_raise_an_alert(
    pool: asyncpg.Pool,
) -> None:
    wanderer, nearly, ours, older, lead = staff(1), staff(2), staff(3), staff(4), staff(5)
    for n in range(LIMIT):
        await record(pool, wanderer, survivor(n), NOON + timedelta(minutes=n), False)
    await record(pool, wanderer, survivor(0), NOON + timedelta(hours=1), False)  # again: one
    await record(pool, wanderer, survivor(50), NOON, True)  # their own: not counted
    for n in range(LIMIT - 1):  # one short of the threshold, plus reads of their own caseload
        await record(pool, nearly, survivor(n), NOON, False)
        await record(pool, nearly, survivor(20 + n), NOON, True)
    await record(pool, nearly, survivor(30), NOON, False, "not_found")  # refused: not a read
    for n in range(LIMIT + 5):  # their caseload, or records that cannot say (before v2)
        await record(pool, ours, survivor(n), NOON, True)
        await record(pool, older, survivor(n), NOON, None)
        await record(pool, lead, survivor(n), NOON, False, scope="aggregate")  # de-identified

    alerts = await queries.access_alerts(pool, start=None, end=None)

    assert alerts == [
        {
            "staff_id": wanderer,
            "day": "2026-03-11",
            "survivors_read": LIMIT + 1,
            "survivors_outside_caseload": LIMIT,
            "survivors_refused": 0,
            "searches": 0,
            "survivors_listed": 0,
            "reasons": ["many_survivors_outside_caseload_in_a_day"],
        },
    ]
    march_12 = datetime(2026, 3, 12, tzinfo=UTC)
    assert await queries.access_alerts(pool, start=march_12, end=None) == []


async def test_the_day_is_the_kenyan_day_and_alerts_keep_their_other_reasons(
    pool: asyncpg.Pool,
) -> None:
    night, late, busy = staff(1), staff(3), staff(2)
    midnight = datetime(2026, 3, 11, 21, tzinfo=UTC)  # 12 March begins in Kenya (UTC+3)
    half = LIMIT // 2 + 1
    for n in range(half):  # 2 × half ≥ LIMIT reads either side of midnight in Kenya: no alert
        await record(pool, night, survivor(n), midnight - timedelta(minutes=n + 1), False)
        await record(pool, night, survivor(100 + n), midnight + timedelta(minutes=n), False)
    utc_midnight = datetime(2026, 3, 12, tzinfo=UTC)  # 03:00 on 12 March in Kenya
    for n in range(half):  # either side of midnight UTC, all on 12 March in Kenya: an alert
        await record(pool, late, survivor(n), utc_midnight - timedelta(minutes=n + 1), False)
        await record(pool, late, survivor(100 + n), utc_midnight + timedelta(minutes=n), False)
    for n in range(queries.MANY_SURVIVORS_A_DAY):
        await record(pool, busy, survivor(n), NOON, n < LIMIT)  # LIMIT on it, the rest off
    for n in range(queries.REFUSED_A_DAY):
        await record(pool, busy, survivor(200 + n), NOON, False, "not_found")

    alerts = await queries.access_alerts(pool, start=None, end=None)

    assert [(a["staff_id"], a["day"], a["reasons"]) for a in alerts] == [
        (late, "2026-03-12", ["many_survivors_outside_caseload_in_a_day"]),
        (
            busy,
            "2026-03-11",
            [
                "many_survivors_in_a_day",
                "many_survivors_outside_caseload_in_a_day",
                "repeated_refusals_off_caseload",
            ],
        ),
    ]
    assert alerts[1]["survivors_outside_caseload"] == queries.MANY_SURVIVORS_A_DAY - LIMIT
    records = await queries.access_records(
        pool, staff_id=night, survivor_id=None, start=None, end=None, limit=100
    )
    assert len(records) == 2 * half
    assert {r["on_caseload"] for r in records} == {False}


def listed_event(
    reader: str,
    results: list[tuple[UUID, bool | None]],
    at: datetime,
    *,
    query: str | None,
    action: str = "survivor.search",
    scope: str = "any",
) -> Event:
    """A `SurvivorsListed` audit event as libs/access writes it (its own payload builder)."""
    payload = ListedRecord(
        staff_id=UUID(reader),
        role="intake_officer",
        roles=("intake_officer",),
        sid="s",
        action=action,
        purpose="care",
        scope=scope,
        results=tuple(results),
        query_hash=None if query is None else KEY.query(query),
        method="POST",
        route="/survivors/search",
        at=at,
    ).payload()
    return Event(
        event_id=uuid4(),
        stream_type="audit",
        stream_id=f"audit-{reader}",
        version=1,
        type="intake.SurvivorsListed",
        schema_version=1,
        occurred_at=at,
        recorded_at=at,
        actor=Actor(id=reader, role="intake_officer"),
        correlation_id=uuid4(),
        causation_id=None,
        payload=payload,
        prev_hash=bytes(32),
        hash=bytes(32),
        position=next(_positions),
    )


async def project(pool: asyncpg.Pool, events: list[Event]) -> None:
    """Apply audit events as reporting's intake consumer does."""
    async with pool.acquire() as conn, conn.transaction():
        await projections.apply("intake", conn, events)


async def test_survivors_a_search_returned_off_the_caseload_count_towards_the_alert(
    pool: asyncpg.Pool,
) -> None:
    searcher, supervisor = staff(1), staff(2)
    off = [(survivor(n), False) for n in range(LIMIT)]
    await project(
        pool,
        [
            listed_event(searcher, off[: LIMIT // 2], NOON, query="Test Survivor"),
            listed_event(searcher, [*off[LIMIT // 2 :], (survivor(99), True)], NOON, query="UPJ"),
            # A supervisor's risk-flag list of their own caseload, seen many times: no alert.
            *(
                listed_event(
                    supervisor,
                    [(survivor(n), True) for n in range(40)],
                    NOON,
                    query=None,
                    action="riskflag.read",
                    scope="caseload",
                )
                for _ in range(5)
            ),
        ],
    )

    alerts = await queries.access_alerts(pool, start=None, end=None)

    assert alerts == [
        {
            "staff_id": searcher,
            "day": "2026-03-11",
            "survivors_read": 0,
            "survivors_outside_caseload": LIMIT,
            "survivors_refused": 0,
            "searches": 2,
            "survivors_listed": LIMIT + 1,
            "reasons": ["many_survivors_outside_caseload_in_a_day"],
        },
    ]
    records = await queries.access_records(
        pool, staff_id=searcher, survivor_id=survivor(99), start=None, end=None, limit=10
    )
    assert [(r["action"], r["on_caseload"]) for r in records] == [("survivor.search", True)]


async def test_many_searches_in_a_day_raise_an_alert_even_when_they_find_nobody(
    pool: asyncpg.Pool,
) -> None:
    prober, colleague = staff(1), staff(2)
    many = queries.MANY_SEARCHES_A_DAY
    await project(
        pool,
        [
            *(listed_event(prober, [], NOON, query=f"UPJ-2026-{n:06d}") for n in range(many)),
            *(
                listed_event(colleague, [], NOON, query=f"UPJ-2026-{n:06d}")
                for n in range(many - 1)
            ),
        ],
    )

    alerts = await queries.access_alerts(pool, start=None, end=None)

    assert [(a["staff_id"], a["searches"], a["reasons"]) for a in alerts] == [
        (prober, many, ["many_searches_in_a_day"]),
    ]
    hashes = await pool.fetch(
        "SELECT DISTINCT query_hash FROM access_records WHERE staff_id = $1", prober
    )
    assert len(hashes) == many  # one keyed hash per distinct text, never the text
    assert not any("UPJ" in str(r["query_hash"]) for r in hashes)


async def test_many_survivors_named_by_lists_in_a_day_raise_an_alert(pool: asyncpg.Pool) -> None:
    lister = staff(1)
    many = alerts_module.MANY_LISTED_A_DAY
    await project(
        pool,
        [
            listed_event(
                lister,
                [(survivor(n), True) for n in range(start, start + 50)],
                NOON,
                query=None,
                action="empowerment.followups.read",
                scope="caseload",
            )
            for start in range(0, many, 50)
        ],
    )

    [alert] = await queries.access_alerts(pool, start=None, end=None)

    assert (alert["survivors_listed"], alert["reasons"]) == (
        many,
        ["many_survivors_listed_in_a_day"],
    )
