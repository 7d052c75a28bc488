"""Read-side SQL: a survivor's record, evidence and custody, reports, referrals, aggregates."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn

Rows = list[asyncpg.Record]


async def survivor(pool: asyncpg.Pool, survivor_id: UUID) -> asyncpg.Record | None:
    """What intake told us of a survivor (case number, erasure)."""
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT survivor_id, case_number, status, erasure_requested_at FROM survivors "
        "WHERE survivor_id = $1",
        survivor_id,
    )
    return row


async def record(pool: asyncpg.Pool, survivor_id: UUID) -> dict[str, Rows]:
    """Every table of a survivor's record, in one connection and snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return {
            "encounters": await conn.fetch(
                "SELECT * FROM encounters WHERE survivor_id = $1 ORDER BY occurred_at",
                survivor_id,
            ),
            "entries": await conn.fetch(
                "SELECT * FROM record_entries WHERE survivor_id = $1 ORDER BY recorded_at",
                survivor_id,
            ),
            "evaluations": await conn.fetch(
                "SELECT * FROM evaluations WHERE survivor_id = $1", survivor_id
            ),
            "reports": await conn.fetch(
                "SELECT r.report_id, r.encounter_id, r.content_sha256, r.pdf_sha256, "
                "r.signer_id, r.signed_at, r.overall_level, "
                "(SELECT count(*) FROM addenda a WHERE a.report_id = r.report_id) AS addenda "
                "FROM reports r WHERE r.survivor_id = $1 ORDER BY r.signed_at",
                survivor_id,
            ),
            "evidence": await conn.fetch(
                "SELECT * FROM evidence WHERE survivor_id = $1 ORDER BY recorded_at", survivor_id
            ),
            "forms": await conn.fetch(
                "SELECT * FROM forms_issued WHERE survivor_id = $1 ORDER BY issued_at", survivor_id
            ),
        }


async def evidence_item(
    pool: asyncpg.Pool, survivor_id: UUID, evidence_id: UUID
) -> asyncpg.Record | None:
    """One evidence item of the survivor (None: no such item of theirs)."""
    return await pool.fetchrow(
        "SELECT * FROM evidence WHERE survivor_id = $1 AND evidence_id = $2",
        survivor_id,
        evidence_id,
    )


async def report_survivor(pool: asyncpg.Pool, report_id: UUID) -> UUID | None:
    """The survivor a report belongs to (None: no such report)."""
    found = await pool.fetchval("SELECT survivor_id FROM reports WHERE report_id = $1", report_id)
    return UUID(str(found)) if found is not None else None


async def referral_survivor(pool: asyncpg.Pool, referral_id: UUID) -> UUID | None:
    """The survivor a referral to medical is about (None: no such referral)."""
    found = await pool.fetchval(
        "SELECT survivor_id FROM referrals WHERE referral_id = $1", referral_id
    )
    return UUID(str(found)) if found is not None else None


async def report(pool: asyncpg.Pool, survivor_id: UUID, report_id: UUID) -> asyncpg.Record | None:
    """A signed report of this survivor."""
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT r.*, k.public_key FROM reports r JOIN signing_public_keys k USING (key_id) "
        "WHERE r.report_id = $1 AND r.survivor_id = $2",
        report_id,
        survivor_id,
    )
    return row


async def addenda(pool: asyncpg.Pool, report_id: UUID) -> Rows:
    """A report's addenda, oldest first, with their signers' public keys."""
    return list(
        await pool.fetch(
            "SELECT a.*, k.public_key FROM addenda a JOIN signing_public_keys k USING (key_id) "
            "WHERE a.report_id = $1 ORDER BY a.signed_at",
            report_id,
        )
    )


async def custody(pool: asyncpg.Pool, evidence_id: UUID) -> Rows:
    """An item's chain of custody (capture, hand-overs, accesses, alarms), oldest first."""
    return list(
        await pool.fetch(
            "SELECT kind, payload, actor, at FROM custody WHERE evidence_id = $1 ORDER BY at",
            evidence_id,
        )
    )


async def pending_referrals(
    pool: asyncpg.Pool, caseload: tuple[frozenset[str], str] | None
) -> Rows:
    """Referrals to medical not yet answered, oldest first, limited to a caseload when given."""
    teams, worker = (sorted(caseload[0]), caseload[1]) if caseload is not None else (None, None)
    return list(
        await pool.fetch(
            "SELECT r.*, s.case_number FROM referrals r JOIN survivors s USING (survivor_id) "
            "LEFT JOIN caseload c USING (survivor_id) WHERE r.status = 'pending' "
            "AND ($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2) "
            "ORDER BY r.made_at LIMIT 500",
            teams,
            worker,
        )
    )


async def booked_follow_ups(
    pool: asyncpg.Pool,
    caseload: tuple[frozenset[str], str] | None,
    days: tuple[date, date],
    limit: int,
) -> tuple[Rows, Rows]:
    """Follow-ups due within `days` (inclusive), and those due before them with no attendance
    recorded, of survivors not being erased, limited to a caseload when given; by day, then
    case number."""
    teams, worker = (sorted(caseload[0]), caseload[1]) if caseload is not None else (None, None)
    first, last = (day.isoformat() for day in days)
    select = (
        "SELECT e.*, s.case_number FROM record_entries e JOIN survivors s USING (survivor_id) "
        "LEFT JOIN caseload c USING (survivor_id) WHERE e.kind = 'FollowUpScheduled' "
        "AND s.erasure_requested_at IS NULL "
        "AND ($1::text[] IS NULL OR c.team = ANY($1) OR c.case_worker = $2) AND "
    )
    order = " ORDER BY e.payload->>'due_on', s.case_number, e.entry_id LIMIT $4"
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        booked = await conn.fetch(
            select + "e.payload->>'due_on' BETWEEN $3 AND $5" + order,
            teams,
            worker,
            first,
            limit,
            last,
        )
        unrecorded = await conn.fetch(
            select + "e.status IS NULL AND e.payload->>'due_on' < $3" + order,
            teams,
            worker,
            first,
            limit,
        )
    return list(booked), list(unrecorded)


async def aggregates(pool: asyncpg.Pool) -> dict[str, Rows]:
    """Programme figures' records, of survivors who consented to de-identified reporting only:
    encounters by kind, evaluations by overall level, reports signed (with addenda, days from
    intake), each row naming its records by id for the disclosure control's keys."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await _aggregates(conn)


async def _aggregates(conn: Conn) -> dict[str, Rows]:
    return {
        "encounters": await conn.fetch(
            "SELECT kind, array_agg(encounter_id) AS ids FROM encounters e "
            "WHERE e.survivor_id IN (SELECT survivor_id FROM reportable) "
            "GROUP BY kind ORDER BY kind"
        ),
        "overall_levels": await conn.fetch(
            "SELECT overall_level AS level, array_agg(encounter_id) AS ids FROM evaluations v "
            "WHERE overall_level IS NOT NULL "
            "AND v.survivor_id IN (SELECT survivor_id FROM reportable) "
            "GROUP BY overall_level ORDER BY overall_level"
        ),
        "reports": await conn.fetch(
            "SELECT r.report_id, EXISTS (SELECT 1 FROM addenda a WHERE a.report_id = r.report_id) "
            "AS with_addenda, extract(epoch FROM r.signed_at - s.registered_at) / 86400 AS days "
            "FROM reports r JOIN survivors s USING (survivor_id) "
            "WHERE r.survivor_id IN (SELECT survivor_id FROM reportable)"
        ),
    }


async def care(pool: asyncpg.Pool, survivor_id: UUID, kind: str) -> Rows:
    """A survivor's specialist referrals or follow-ups (`kind`: the event name), oldest first."""
    return list(
        await pool.fetch(
            "SELECT * FROM record_entries WHERE survivor_id = $1 AND kind = $2 "
            "ORDER BY recorded_at, entry_id",
            survivor_id,
            kind,
        )
    )
