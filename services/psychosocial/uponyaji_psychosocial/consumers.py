"""Intake's events → local tables: survivors, assignment, consent, closure, merge and erasure.

The service factory runs one kernel `Consumer` of intake with `on_intake_event` (NATS as the fast
path, intake's feed, read with psychosocial's service token, to repair gaps; see
docs/service-shape.md).

On `intake.ErasureRequested` this service destroys its data key for the survivor and confirms
with `psychosocial.DataKeyDestroyed`, in the consumer's transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts import kernel
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event

from . import domain
from .handlers import Psychosocial
from .settings import SERVICE

log = logging.getLogger("uponyaji.psychosocial.consumers")
ERASURE_ACTOR = Actor.system("psychosocial-erasure")


async def _survivor(conn: Conn, survivor_id: UUID, case_number: str | None = None) -> None:
    await conn.execute(
        "INSERT INTO survivors (survivor_id, case_number) VALUES ($1, $2) "
        "ON CONFLICT (survivor_id) DO UPDATE "
        "SET case_number = coalesce($2, survivors.case_number), updated_at = now()",
        survivor_id,
        case_number,
    )


async def _status(conn: Conn, survivor_id: UUID, status: str) -> None:
    await _survivor(conn, survivor_id)
    await conn.execute(
        "UPDATE survivors SET status = $2, updated_at = now() WHERE survivor_id = $1",
        survivor_id,
        status,
    )


async def _consent(conn: Conn, payload: i.ConsentGranted | i.ConsentWithdrawn) -> None:
    await _survivor(conn, payload.survivor_id)
    await conn.execute(
        "INSERT INTO consents (survivor_id, scope, granted, changed_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (survivor_id, scope) DO UPDATE SET granted = $3, changed_at = $4",
        payload.survivor_id,
        payload.scope.value,
        isinstance(payload, i.ConsentGranted),
        payload.at,
    )


async def _assigned(conn: Conn, payload: i.CaseAssigned) -> None:
    await _survivor(conn, payload.survivor_id)
    worker = str(payload.lead_case_worker_id) if payload.lead_case_worker_id else None
    await conn.execute(
        "INSERT INTO caseload (survivor_id, team, case_worker, assigned_at) "
        "VALUES ($1, $2, $3, now()) ON CONFLICT (survivor_id) DO UPDATE "
        "SET team = $2, case_worker = $3, assigned_at = now()",
        payload.survivor_id,
        str(payload.team_id),
        worker,
    )


async def _erase(ps: Psychosocial, conn: Conn, payload: i.ErasureRequested) -> None:
    """Destroy our key for the survivor and confirm once per request (re-delivery is a no-op)."""
    await _survivor(conn, payload.survivor_id, payload.case_number)
    await conn.execute(
        "UPDATE survivors SET erasure_requested_at = coalesce(erasure_requested_at, now()), "
        "updated_at = now() WHERE survivor_id = $1",
        payload.survivor_id,
    )
    key_id = await conn.fetchval(
        "SELECT key_id FROM sealing_keys WHERE subject_id = $1 AND destroyed_at IS NULL",
        str(payload.survivor_id),
    )
    await ps.keys.destroyer(conn).destroy(payload.survivor_id)
    stream = str(payload.request_id)
    if await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream):
        return  # already confirmed
    confirmation = kernel.DataKeyDestroyed(
        request_id=payload.request_id,
        survivor_id=payload.survivor_id,
        key_id=UUID(str(key_id)) if key_id is not None else None,
        destroyed_at=datetime.now(UTC),
    )
    event = domain.contracts().to_new_event(confirmation, service=SERVICE)
    await ps.store.append("erasure", stream, 0, [event], actor=ERASURE_ACTOR, conn=conn)
    log.info("destroyed the data key of an erased survivor (request %s)", payload.request_id)


async def on_intake_event(ps: Psychosocial, conn: Conn, event: Event) -> None:
    """Apply one intake event to the local tables (events we do not need are skipped)."""
    if event.type not in HANDLED:
        return
    payload = domain.contracts().validate(
        event.type, event.payload, schema_version=event.schema_version
    )
    if isinstance(payload, i.SurvivorRegistered):
        await _survivor(conn, payload.survivor_id, payload.case_number)
    elif isinstance(payload, i.CaseAssigned):
        await _assigned(conn, payload)
    elif isinstance(payload, i.ConsentGranted | i.ConsentWithdrawn):
        await _consent(conn, payload)
    elif isinstance(payload, i.CaseClosed):
        await _status(conn, payload.survivor_id, "closed")
    elif isinstance(payload, i.CaseReopened):
        await _status(conn, payload.survivor_id, "open")
    elif isinstance(payload, i.SurvivorsMerged):
        await _survivor(conn, payload.merged_survivor_id, payload.merged_case_number)
        await conn.execute(
            "UPDATE survivors SET merged_into = $2, updated_at = now() WHERE survivor_id = $1",
            payload.merged_survivor_id,
            payload.survivor_id,
        )
    elif isinstance(payload, i.ErasureRequested):
        await _erase(ps, conn, payload)


HANDLED = frozenset(
    f"intake.{name}"
    for name in (
        "SurvivorRegistered", "CaseAssigned", "ConsentGranted", "ConsentWithdrawn", "CaseClosed",
        "CaseReopened", "SurvivorsMerged", "ErasureRequested",
    )
)  # fmt: skip
