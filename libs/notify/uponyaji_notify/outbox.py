"""The outbox: notifications written in the transaction that caused them, delivered afterwards.

Rows are keyed by an id derived from the causing event, so replaying events never notifies twice.
Staff read the notifications addressed to their roles (and teams) or to them by name; a delivery
loop hands pending ones to a channel, at most `max_attempts` times each.

Delivery goes to people where they are known: the staff named on the notification and the
staff holding its role on its team, as a `Recipients` directory answers (identity's
`GET /staff/addresses`); only when it knows nobody's address does the role's mailbox (the
`addresses` setting) receive it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
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
    staff: Sequence[UUID] = (),
    **facts: object,
) -> None:
    """Queue a notification (once per id: a replayed event adds nothing); `staff` names people."""
    compose(kind, link, **facts)  # an unknown kind or a missing fact fails here, not later
    await conn.execute(
        "INSERT INTO notifications (notification_id, recipient_role, team, kind, facts, link, "
        "created_at, recipient_staff) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::uuid[]) "
        "ON CONFLICT (notification_id) DO NOTHING",
        notification_id,
        recipient_role,
        team,
        kind,
        json.dumps(facts),
        link,
        at,
        list(dict.fromkeys(staff)),
    )


def _notification(row: asyncpg.Record, link_base: str = "") -> Notification:
    link = link_base.rstrip("/") + row["link"]
    facts = row["facts"] if isinstance(row["facts"], dict) else json.loads(row["facts"])
    subject, text = compose(row["kind"], link, **facts)
    return Notification(
        notification_id=row["notification_id"],
        recipient_role=row["recipient_role"],
        team=row["team"],
        kind=row["kind"],
        subject=subject,
        text=text,
        link=link,
        created_at=row["created_at"],
    )


async def for_staff(
    pool: asyncpg.Pool,
    roles: Sequence[str],
    teams: Sequence[str],
    limit: int = 100,
    *,
    staff_id: UUID | None = None,
) -> list[Notification]:
    """The notifications for one staff member: to their roles (and teams) or them, newest first."""
    rows = await pool.fetch(
        "SELECT * FROM notifications WHERE (recipient_role = ANY($1) "
        "AND (team IS NULL OR team = ANY($2))) OR $4::uuid = ANY(recipient_staff) "
        "ORDER BY created_at DESC, notification_id LIMIT $3",
        list(roles),
        list(teams),
        limit,
        staff_id,
    )
    return [_notification(row) for row in rows]


def address_of(addresses: Mapping[str, str], role: str, team: str | None) -> str | None:
    """Where a notification goes: the `role:team` mailbox, else the role's, else nowhere."""
    if team is not None and f"{role}:{team}" in addresses:
        return addresses[f"{role}:{team}"]
    return addresses.get(role)


class Recipients(Protocol):
    """Staff e-mail addresses: of the people named, and of those holding a role (on a team)."""

    async def addresses(
        self, staff: Sequence[UUID], role: str | None, team: str | None
    ) -> list[str]:
        """The addresses known (raise DeliveryFailed when the directory cannot be asked)."""
        ...


async def _targets(
    row: asyncpg.Record, addresses: Mapping[str, str], recipients: Recipients | None
) -> list[str]:
    """The people's addresses when the directory knows any, else the role's mailbox."""
    if recipients is not None:
        people = await recipients.addresses(
            list(row["recipient_staff"] or ()), row["recipient_role"], row["team"]
        )
        if people:
            return list(dict.fromkeys(people))
    mailbox = address_of(addresses, row["recipient_role"], row["team"])
    return [mailbox] if mailbox is not None else []


async def deliver_pending(
    pool: asyncpg.Pool,
    channel: Channel,
    addresses: Mapping[str, str],
    now: datetime,
    *,
    link_base: str = "",
    batch: int = 50,
    max_attempts: int = 10,
    recipients: Recipients | None = None,
) -> int:
    """Hand undelivered notifications to the channel; return how many were delivered.

    Each goes to the people it is for when `recipients` knows their addresses, else to the
    role's mailbox from `addresses`; with neither, it is listed in the application only.
    """
    delivered = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM notifications WHERE delivered_at IS NULL AND attempts < $1 "
            "ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            max_attempts,
            batch,
        )
        for row in rows:
            try:
                targets = await _targets(row, addresses, recipients)
                if not targets:
                    continue  # listed for staff in the application only
                for address in targets:
                    await channel.send(address, _notification(row, link_base))
            except DeliveryFailed as problem:
                await conn.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $2 "
                    "WHERE notification_id = $1",
                    row["notification_id"],
                    str(problem)[:500],
                )
                continue
            await conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, delivered_at = $2, "
                "delivered_to = $3, last_error = NULL WHERE notification_id = $1",
                row["notification_id"],
                now,
                ", ".join(targets)[:2000],
            )
            delivered += 1
    return delivered
