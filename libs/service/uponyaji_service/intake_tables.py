"""Intake's events → a participant service's local tables about survivors.

Medical, psychosocial and empowerment each keep the same small tables fed by intake's events:
`survivors` (case number, status, merge, erasure request), `consents` (scope → granted, since
when) and `caseload` (team, lead case worker). `IntakeTables` applies intake's events to them in
the consumer's transaction; a service passes its name, its store and keys (for the erasure
confirmation), the extra survivor columns it keeps from the registration, and handlers for the
intake events only it needs (referrals addressed to it, say).

On `intake.ErasureRequested` the service destroys its data key for the survivor (their sealed
values become unreadable), runs its own `on_erasure` step (medical deletes evidence files), and
confirms with `<service>.DataKeyDestroyed` once per request; a re-delivery is a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts import kernel
from uponyaji_events.contracts.registry import ContractRegistry
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.store import EventStore

from uponyaji_service.keys import Keys

log = logging.getLogger("uponyaji.service.intake_tables")

# An intake event only this service needs: (connection, validated payload, envelope).
ExtraHandler = Callable[[Conn, Any, Event], Awaitable[None]]
# Extra `survivors` columns a service keeps from the registration, by column name.
RegistrationColumns = Callable[[i.SurvivorRegistered, Event], Mapping[str, object]]
OnErasure = Callable[[Conn, UUID], Awaitable[None]]

BASE_EVENTS = frozenset(
    f"intake.{name}"
    for name in (
        "SurvivorRegistered",
        "CaseAssigned",
        "ConsentGranted",
        "ConsentWithdrawn",
        "CaseClosed",
        "CaseReopened",
        "SurvivorsMerged",
        "ErasureRequested",
    )
)


def _no_columns(_payload: i.SurvivorRegistered, _event: Event) -> Mapping[str, object]:
    return {}


@dataclass(frozen=True)
class IntakeTables:
    """A participant service's survivors, consents and caseload tables, fed by intake."""

    service: str
    store: EventStore
    keys: Keys
    contracts: ContractRegistry
    registration: RegistrationColumns = _no_columns
    extra: Mapping[str, ExtraHandler] = field(default_factory=dict)
    on_erasure: OnErasure | None = None

    @property
    def handled(self) -> frozenset[str]:
        """The intake event types this service applies."""
        return BASE_EVENTS | frozenset(self.extra)

    async def apply(self, conn: Conn, event: Event) -> None:
        """Apply one intake event to the local tables (events we do not need are skipped)."""
        if event.type not in self.handled:
            return
        payload = self.contracts.validate(
            event.type, event.payload, schema_version=event.schema_version
        )
        extra = self.extra.get(event.type)
        if extra is not None:
            await extra(conn, payload, event)
        elif isinstance(payload, i.SurvivorRegistered):
            columns = self.registration(payload, event)
            await survivor(conn, payload.survivor_id, payload.case_number, columns)
        elif isinstance(payload, i.CaseAssigned):
            await _assigned(conn, payload)
        elif isinstance(payload, i.ConsentGranted | i.ConsentWithdrawn):
            await _consent(conn, payload)
        elif isinstance(payload, i.CaseClosed):
            await _status(conn, payload.survivor_id, "closed")
        elif isinstance(payload, i.CaseReopened):
            await _status(conn, payload.survivor_id, "open")
        elif isinstance(payload, i.SurvivorsMerged):
            await survivor(conn, payload.merged_survivor_id, payload.merged_case_number)
            await conn.execute(
                "UPDATE survivors SET merged_into = $2, updated_at = now() WHERE survivor_id = $1",
                payload.merged_survivor_id,
                payload.survivor_id,
            )
        elif isinstance(payload, i.ErasureRequested):
            await self._erase(conn, payload)

    async def _erase(self, conn: Conn, payload: i.ErasureRequested) -> None:
        """Destroy our key for the survivor and confirm once per request."""
        await survivor(conn, payload.survivor_id, payload.case_number)
        await conn.execute(
            "UPDATE survivors SET erasure_requested_at = coalesce(erasure_requested_at, now()), "
            "updated_at = now() WHERE survivor_id = $1",
            payload.survivor_id,
        )
        key_id = await conn.fetchval(
            "SELECT key_id FROM sealing_keys WHERE subject_id = $1 AND destroyed_at IS NULL",
            str(payload.survivor_id),
        )
        await self.keys.destroyer(conn).destroy(payload.survivor_id)
        if self.on_erasure is not None:
            await self.on_erasure(conn, payload.survivor_id)
        stream = str(payload.request_id)
        if await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream):
            return  # already confirmed
        confirmation: BaseModel = kernel.DataKeyDestroyed(
            request_id=payload.request_id,
            survivor_id=payload.survivor_id,
            key_id=UUID(str(key_id)) if key_id is not None else None,
            destroyed_at=datetime.now(UTC),
        )
        event = self.contracts.to_new_event(confirmation, service=self.service)
        actor = Actor.system(f"{self.service}-erasure")
        await self.store.append("erasure", stream, 0, [event], actor=actor, conn=conn)
        log.info("destroyed the data key of an erased survivor (request %s)", payload.request_id)


async def survivor(
    conn: Conn,
    survivor_id: UUID,
    case_number: str | None = None,
    columns: Mapping[str, object] | None = None,
) -> None:
    """Make sure the survivor has a local row; set the case number and any given columns."""
    names = list(columns or {})
    values = [(columns or {})[name] for name in names]
    inserted = "".join(f", {name}" for name in names)
    params = "".join(f", ${n}" for n in range(3, 3 + len(names)))
    # A column keeps its value when intake did not send one (later events carry none).
    kept = "".join(
        f", {name} = coalesce(${n}, survivors.{name})" for n, name in enumerate(names, start=3)
    )
    await conn.execute(
        f"INSERT INTO survivors (survivor_id, case_number{inserted}) VALUES ($1, $2{params}) "  # noqa: S608 - column names are the service's constants
        "ON CONFLICT (survivor_id) DO UPDATE SET "
        f"case_number = coalesce($2, survivors.case_number){kept}, updated_at = now()",
        survivor_id,
        case_number,
        *values,
    )


def referrals_to(service: str, at_column: str) -> ExtraHandler:
    """A handler of `intake.ReferralMade` keeping the referrals addressed to `service` in its
    `referrals` table (the time intake recorded it goes to `at_column`)."""

    async def made(conn: Conn, payload: i.ReferralMade, event: Event) -> None:
        if payload.target.value != service:
            return
        await survivor(conn, payload.survivor_id)
        await conn.execute(
            f"INSERT INTO referrals (referral_id, survivor_id, urgency, {at_column}) "  # noqa: S608 - a constant column name
            "VALUES ($1, $2, $3, $4) ON CONFLICT (referral_id) DO NOTHING",
            payload.referral_id,
            payload.survivor_id,
            payload.urgency.value,
            event.recorded_at,
        )

    return made


async def _status(conn: Conn, survivor_id: UUID, status: str) -> None:
    await survivor(conn, survivor_id)
    await conn.execute(
        "UPDATE survivors SET status = $2, updated_at = now() WHERE survivor_id = $1",
        survivor_id,
        status,
    )


async def _consent(conn: Conn, payload: i.ConsentGranted | i.ConsentWithdrawn) -> None:
    await survivor(conn, payload.survivor_id)
    await conn.execute(
        "INSERT INTO consents (survivor_id, scope, granted, changed_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (survivor_id, scope) DO UPDATE SET granted = $3, changed_at = $4",
        payload.survivor_id,
        payload.scope.value,
        isinstance(payload, i.ConsentGranted),
        payload.at,
    )


async def _assigned(conn: Conn, payload: i.CaseAssigned) -> None:
    await survivor(conn, payload.survivor_id)
    worker = str(payload.lead_case_worker_id) if payload.lead_case_worker_id else None
    await conn.execute(
        "INSERT INTO caseload (survivor_id, team, case_worker, assigned_at) "
        "VALUES ($1, $2, $3, now()) ON CONFLICT (survivor_id) DO UPDATE "
        "SET team = $2, case_worker = $3, assigned_at = now()",
        payload.survivor_id,
        str(payload.team_id),
        worker,
    )


class IntakeCaseload:
    """libs/access `Caseload` over the `survivors` and `caseload` tables intake's events keep."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def teams_and_workers(self, survivor_id: UUID) -> tuple[Set[str], Set[str]] | None:
        """The survivor's team and lead case worker; None when intake never told us of them."""
        row = await self.pool.fetchrow(
            "SELECT s.survivor_id, c.team, c.case_worker FROM survivors s "
            "LEFT JOIN caseload c USING (survivor_id) WHERE s.survivor_id = $1",
            survivor_id,
        )
        if row is None:
            return None
        teams = {row["team"]} if row["team"] else set()
        workers = {row["case_worker"]} if row["case_worker"] else set()
        return teams, workers
