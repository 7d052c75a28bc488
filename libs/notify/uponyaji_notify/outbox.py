"""The outbox: notifications written in the transaction that caused them, delivered afterwards.

Rows are keyed by an id derived from the causing event, so replaying events never notifies twice.
Staff read the notifications addressed to their roles (and teams); a delivery loop hands pending
ones to a channel, at most `max_attempts` times each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from .channels import Channel, DeliveryFailed
from .message import Notification, compose

SCHEMA = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")


async def add(
    conn: Any,
    notification_id: UUID,
    *,
    recipient_role: str,
    team: str | None,
    kind: str,
    link: str,
    at: datetime,
    **facts: object,
) -> None:
    """Queue a notification (once per id: a replayed event adds nothing)."""
    compose(kind, link, **facts)  # an unknown kind or a missing fact fails here, not later
    await conn.execute(
        "INSERT INTO notifications (notification_id, recipient_role, team, kind, facts, link, "
        "created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) "
        "ON CONFLICT (notification_id) DO NOTHING",
        notification_id, recipient_role, team, kind, json.dumps(facts), link, at,
    )  # fmt: skip


def _notification(row: asyncpg.Record, link_base: str = "") -> Notification:
    link = link_base.rstrip("/") + row["link"]
    facts = row["facts"] if isinstance(row["facts"], dict) else json.loads(row["facts"])
    subject, text = compose(row["kind"], link, **facts)
    return Notification(
        notification_id=row["notification_id"], recipient_role=row["recipient_role"],
        team=row["team"], kind=row["kind"], subject=subject, text=text, link=link,
        created_at=row["created_at"],
    )  # fmt: skip


async def for_staff(
    pool: asyncpg.Pool, roles: Sequence[str], teams: Sequence[str], limit: int = 100
) -> list[Notification]:
    """The notifications addressed to one staff member's roles (and teams), newest first."""
    rows = await pool.fetch(
        "SELECT * FROM notifications WHERE recipient_role = ANY($1) "
        "AND (team IS NULL OR team = ANY($2)) ORDER BY created_at DESC, notification_id LIMIT $3",
        list(roles), list(teams), limit,
    )  # fmt: skip
    return [_notification(row) for row in rows]


def address_of(addresses: Mapping[str, str], role: str, team: str | None) -> str | None:
    """Where a notification goes: the `role:team` mailbox, else the role's, else nowhere."""
    if team is not None and f"{role}:{team}" in addresses:
        return addresses[f"{role}:{team}"]
    return addresses.get(role)


async def deliver_pending(
    pool: asyncpg.Pool,
    channel: Channel,
    addresses: Mapping[str, str],
    now: datetime,
    *,
    link_base: str = "",
    batch: int = 50,
    max_attempts: int = 10,
) -> int:
    """Hand undelivered notifications to the channel; return how many were delivered."""
    delivered = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM notifications WHERE delivered_at IS NULL AND attempts < $1 "
            "ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            max_attempts, batch,
        )  # fmt: skip
        for row in rows:
            address = address_of(addresses, row["recipient_role"], row["team"])
            if address is None:
                continue  # listed for staff in the application only
            try:
                await channel.send(address, _notification(row, link_base))
            except DeliveryFailed as problem:
                await conn.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $2 "
                    "WHERE notification_id = $1",
                    row["notification_id"], str(problem)[:500],
                )  # fmt: skip
                continue
            await conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, delivered_at = $2, "
                "delivered_to = $3, last_error = NULL WHERE notification_id = $1",
                row["notification_id"], now, address,
            )  # fmt: skip
            delivered += 1
    return delivered
