"""The breach register's reads and writes: each step checked by the domain, logged, in one
transaction; reminders of the 72-hour deadline queued in the notification outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_notify import outbox

from ..errors import IdentityError
from . import domain
from .domain import BreachRuleBroken, Status

DPO = "data_protection_officer"
_REMINDER_NAMESPACE = UUID("6f1c1f5e-5b0a-4f0e-9c39-6b1d0d3a7a10")


class BreachNotFound(IdentityError):
    """No breach has this id."""

    status_code = 404


class BreachConflict(IdentityError):
    """The step breaks a rule of the register (e.g. notifying before assessing)."""


async def _locked(conn: Conn, breach_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM breaches WHERE breach_id = $1 FOR UPDATE", breach_id)
    if row is None:
        raise BreachNotFound(f"no breach {breach_id}")
    return row


async def _log(
    conn: Conn, breach_id: UUID, step: str, staff: UUID, at: datetime, **details: Any
) -> None:
    await conn.execute(
        "INSERT INTO breach_log (breach_id, step, staff_id, at, details) "
        "VALUES ($1, $2, $3, $4, $5::jsonb)",
        breach_id,
        step,
        staff,
        at,
        json.dumps(details, default=str),
    )


async def record(
    pool: asyncpg.Pool,
    staff: UUID,
    now: datetime,
    *,
    detected_at: datetime,
    aware_at: datetime,
    summary: str,
    nature: Sequence[str],
    data_classes: Sequence[str],
    people_affected: int | None,
    records_affected: int | None,
) -> UUID:
    """Record a new breach; its reference is BR-<year of awareness>-<number in that year>."""
    domain.check_recorded(detected_at, aware_at, now)
    breach_id = uuid4()
    async with pool.acquire() as conn, conn.transaction():
        year = aware_at.year
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('breach-reference'), $1)", year)
        count = await conn.fetchval(
            "SELECT count(*) FROM breaches WHERE reference LIKE $1", f"BR-{year}-%"
        )
        reference = f"BR-{year}-{count + 1:03d}"
        await conn.execute(
            "INSERT INTO breaches (breach_id, reference, detected_at, aware_at, summary, nature, "
            "data_classes, people_affected, records_affected, recorded_by, recorded_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            breach_id,
            reference,
            detected_at,
            aware_at,
            summary,
            list(nature),
            list(data_classes),
            people_affected,
            records_affected,
            staff,
            now,
        )
        await _log(conn, breach_id, "recorded", staff, now, reference=reference)
    return breach_id


async def assess(
    pool: asyncpg.Pool,
    breach_id: UUID,
    staff: UUID,
    now: datetime,
    *,
    risk: str,
    consequences: str,
    measures: str,
) -> None:
    """Record (or revise, before notification) the assessment of risk, consequences, measures."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, breach_id)
        if Status(row["status"]) not in (Status.RECORDED, Status.ASSESSED):
            raise BreachRuleBroken("the assessment is fixed once the Commissioner was notified")
        await conn.execute(
            "UPDATE breaches SET status = 'assessed', risk = $2, consequences = $3, "
            "measures = $4, assessed_at = $5 WHERE breach_id = $1",
            breach_id,
            risk,
            consequences,
            measures,
            now,
        )
        await _log(conn, breach_id, "assessed", staff, now, risk=risk)


async def notify_commissioner(
    pool: asyncpg.Pool,
    breach_id: UUID,
    staff: UUID,
    now: datetime,
    *,
    notified_at: datetime,
    content: str,
    reference: str | None,
    delay_reason: str | None,
) -> None:
    """Record what was sent to the Data Commissioner, when (late only with the reasons)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, breach_id)
        domain.check_commissioner(Status(row["status"]), row["aware_at"], notified_at, delay_reason)
        await conn.execute(
            "UPDATE breaches SET status = 'notified', commissioner_notified_at = $2, "
            "commissioner_content = $3, commissioner_reference = $4, delay_reason = $5 "
            "WHERE breach_id = $1",
            breach_id,
            notified_at,
            content,
            reference,
            delay_reason,
        )
        late = notified_at > domain.Clock(row["aware_at"], notified_at).deadline
        await _log(conn, breach_id, "commissioner_notified", staff, now, late=late)


async def tell_subjects(
    pool: asyncpg.Pool,
    breach_id: UUID,
    staff: UUID,
    now: datetime,
    *,
    told: bool,
    told_at: datetime | None,
    people_count: int | None,
    method: str | None,
    content: str | None,
    not_told_reason: str | None,
) -> None:
    """Record that (and how) the people affected were told, or why they were not."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, breach_id)
        domain.check_subjects(Status(row["status"]), told, not_told_reason, people_count)
        if row["subjects_told"] is not None:
            raise BreachRuleBroken("what the people affected were told is already recorded")
        await conn.execute(
            "UPDATE breaches SET subjects_told = $2, subjects_told_at = $3, subjects_count = $4, "
            "subjects_method = $5, subjects_content = $6, subjects_not_told_reason = $7 "
            "WHERE breach_id = $1",
            breach_id,
            told,
            told_at if told else None,
            people_count if told else None,
            method if told else None,
            content if told else None,
            None if told else not_told_reason,
        )
        await _log(conn, breach_id, "subjects_decided", staff, now, told=told)


async def close(
    pool: asyncpg.Pool,
    breach_id: UUID,
    staff: UUID,
    now: datetime,
    *,
    summary: str,
    not_notified_reason: str | None,
) -> None:
    """Close a breach (notified and decided, or assessed with why no notification is due)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, breach_id)
        status = Status(row["status"])
        domain.check_closure(status, row["subjects_told"] is not None, not_notified_reason)
        await conn.execute(
            "UPDATE breaches SET status = 'closed', closed_at = $2, closing_summary = $3, "
            "not_notified_reason = $4 WHERE breach_id = $1",
            breach_id,
            now,
            summary,
            not_notified_reason if status is Status.ASSESSED else None,
        )
        await _log(conn, breach_id, "closed", staff, now)


async def one(pool: asyncpg.Pool, breach_id: UUID) -> dict[str, Any]:
    """One breach with its history."""
    row = await pool.fetchrow("SELECT * FROM breaches WHERE breach_id = $1", breach_id)
    if row is None:
        raise BreachNotFound(f"no breach {breach_id}")
    log = await pool.fetch(
        "SELECT step, staff_id, at, details FROM breach_log WHERE breach_id = $1 ORDER BY id",
        breach_id,
    )
    history = [
        {
            **dict(r),
            "details": json.loads(r["details"])
            if isinstance(r["details"], str)
            else dict(r["details"]),
        }
        for r in log
    ]
    return {**dict(row), "history": history}


async def listing(pool: asyncpg.Pool, status: str | None, limit: int) -> list[dict[str, Any]]:
    """Breaches, those still running against the deadline first, then newest first."""
    rows = await pool.fetch(
        "SELECT * FROM breaches WHERE ($1::text IS NULL OR status = $1) "
        "ORDER BY (status IN ('recorded', 'assessed')) DESC, aware_at DESC LIMIT $2",
        status,
        limit,
    )
    return [dict(r) for r in rows]


async def queue_reminders(pool: asyncpg.Pool, now: datetime) -> int:
    """Queue every reminder now due for open breaches (once each: ids derive from the breach)."""
    rows = await pool.fetch(
        "SELECT breach_id, reference, aware_at, status FROM breaches "
        "WHERE status IN ('recorded', 'assessed')"
    )
    queued = 0
    async with pool.acquire() as conn, conn.transaction():
        for row in rows:
            for kind in domain.reminders_due(row["aware_at"], now, Status(row["status"])):
                notification = uuid5(_REMINDER_NAMESPACE, f"{row['breach_id']}/{kind}")
                result = await conn.fetchval(
                    "SELECT 1 FROM notifications WHERE notification_id = $1", notification
                )
                if result:
                    continue
                await outbox.add(
                    conn,
                    notification,
                    recipient_role=DPO,
                    team=None,
                    kind=kind,
                    link=f"/breaches/{row['breach_id']}",
                    at=now,
                    reference=row["reference"],
                )
                queued += 1
    return queued
