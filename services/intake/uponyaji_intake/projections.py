"""Intake's events → its read tables. Applied in the command's own transaction, and rebuildable.

Sealed values are copied as ciphertext. The blind index is the one table that needs plaintext:
it is recomputed by unsealing the survivor's identity in memory, so a rebuild after an erasure
(key destroyed) finds nothing to index, as it should.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_time, as_uuid, event_name
from uponyaji_events.read_model import Apply, Change, ReadModel, Row
from uponyaji_events.sealing import Sealer
from uponyaji_events.store import EventStore

from .blind_index import BlindIndexer
from .identity import index_values, open_fields, stored_fields
from .seal import Unseal

READ_TABLES = (
    "survivor_blind_index",
    "consent_history",
    "consents",
    "incidents",
    "referrals",
    "erasure_requests",
    "caseload",
    "survivors",
)
_AGGREGATES = ("county_code", "gender", "age_band", "preferred_language")
_SURVIVOR = Row(
    "survivors",
    "survivor_id case_number county_code gender age_band disabilities "
    "preferred_language birth_date_estimated version=@version registered_by=@actor "
    "registered_at=@at updated_at=@at",
)
_INCIDENT = Row(
    "incidents",
    "incident_id survivor_id county_code place_type perpetrators methods details=@payload "
    "context_event=@type documented_by=@actor documented_at=@at",
    conflict="ON CONFLICT DO NOTHING",
)
_REFERRAL = Row(
    "referrals",
    "referral_id survivor_id target urgency made_by=@actor made_at=@at updated_at=@at",
    conflict="ON CONFLICT DO NOTHING",
)
_ERASURE = Row(
    "erasure_requests",
    "request_id survivor_id received_on participants=services requested_by=@actor requested_at=@at",
    conflict="ON CONFLICT DO NOTHING",
)
_CLOSED = Change(
    "survivors", "closure_reason=reason closed_at=@at", key="survivor_id", also="status = 'closed'"
)
_REOPENED = Change(
    "survivors", key="survivor_id", also="status = 'open', closure_reason = NULL, closed_at = NULL"
)
_ERASURE_DONE = Change("erasure_requests", "completed_at=@at", key="request_id")
_REFERRAL_STATUS = Change("referrals", "status updated_at=@at", key="referral_id")
_CONSENT_HISTORY = Row(
    "consent_history",
    "event_id=@id survivor_id scope method given_by=party language at "
    "recorded_by=@actor recorded_role=@role recorded_at=@at",
    conflict="ON CONFLICT DO NOTHING",
)


@dataclass(frozen=True)
class Projector:
    """Applies intake events to the read tables; unseals only to recompute the blind index."""

    indexer: BlindIndexer
    sealer: Sealer
    model: ReadModel = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        appliers: dict[str, Apply] = {
            "SurvivorRegistered": self._registered,
            "IdentityCorrected": self._identity_corrected,
            "SurvivorsMerged": self._merged,
            "ConsentGranted": self._consent,
            "ConsentWithdrawn": self._consent,
            "CaseAssigned": self._assigned,
            "CaseClosed": self._closed,
            "CaseReopened": self._reopened,
            "IncidentDocumented": self._incident,
            "ReferralMade": self._referral,
            "ReferralStatusChanged": self._referral_status,
            "ErasureRequested": self._erasure_requested,
            "DataKeyDestroyed": self._key_destroyed,
            "ErasureCompleted": self._erasure_completed,
        }
        model = ReadModel(READ_TABLES, {f"intake.{n}": a for n, a in appliers.items()}, upcast=True)
        object.__setattr__(self, "model", model)

    async def apply_all(self, conn: Conn, events: Sequence[Event]) -> None:
        """Apply events in order (events of other types, e.g. audit records, change nothing)."""
        await self.model.apply_all(conn, events)

    async def _registered(self, conn: Conn, e: Event) -> None:
        p = e.payload
        identity = stored_fields(e.type, p)
        await _SURVIVOR.insert(
            conn, e, {"identity": identity, "registered_on": p.get("registered_on") or None}
        )
        await self.reindex(conn, as_uuid(p["survivor_id"]))

    async def _identity_corrected(self, conn: Conn, e: Event) -> None:
        p = e.payload
        await conn.execute(
            "UPDATE survivors SET identity = identity || $2, version = $3, updated_at = $4, "
            "county_code = coalesce($5::text, county_code), gender = coalesce($6::text, gender), "
            "age_band = coalesce($7::text, age_band), "
            "preferred_language = coalesce($8::text, preferred_language), "
            "birth_date_estimated = coalesce($9::boolean, birth_date_estimated), "
            "disabilities = coalesce($10::text[], disabilities) WHERE survivor_id = $1",
            as_uuid(p["survivor_id"]),
            stored_fields(e.type, p),
            e.version,
            e.recorded_at,
            *(p.get(c) for c in _AGGREGATES),
            p.get("birth_date_estimated"),
            p.get("disabilities"),
        )
        await self.reindex(conn, as_uuid(p["survivor_id"]))

    async def _merged(self, conn: Conn, e: Event) -> None:
        p = e.payload
        kept, merged = as_uuid(p["survivor_id"]), as_uuid(p["merged_survivor_id"])
        await self._touch(conn, e, kept)
        await conn.execute(
            "UPDATE survivors SET status = 'merged', merged_into = $2, updated_at = $3 "
            "WHERE survivor_id = $1",
            merged,
            kept,
            e.recorded_at,
        )
        await self.reindex(conn, merged)
        await self.reindex(conn, kept)

    async def _consent(self, conn: Conn, e: Event) -> None:
        p = e.payload
        survivor = as_uuid(p["survivor_id"])
        granted = event_name(e) == "ConsentGranted"
        status = "granted" if granted else "withdrawn"
        await conn.execute(
            "INSERT INTO consents (survivor_id, scope, status, method, given_by, language, "
            "changed_at, changed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (survivor_id, scope) DO UPDATE SET status = $3, method = $4, "
            "given_by = $5, language = $6, changed_at = $7, changed_by = $8",
            survivor,
            p["scope"],
            status,
            p["method"],
            p["party"],
            p["language"],
            e.recorded_at,
            e.actor.id,
        )
        sealed = {
            name: None if p.get(name) is None else {"v": p[name], "e": e.type}
            for name in ("witness", "reason")
        }
        await _CONSENT_HISTORY.insert(conn, e, {**sealed, "granted": granted})
        await self._touch(conn, e, survivor)

    async def _assigned(self, conn: Conn, e: Event) -> None:
        p = e.payload
        survivor = as_uuid(p["survivor_id"])
        worker = p.get("lead_case_worker_id")
        await conn.execute(
            "INSERT INTO caseload (survivor_id, team, lead_case_worker, assigned_at) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (survivor_id) DO UPDATE "
            "SET team = $2, lead_case_worker = $3, assigned_at = $4",
            survivor,
            p["team_id"],
            UUID(worker) if worker else None,
            e.recorded_at,
        )
        await self._touch(conn, e, survivor)

    async def _closed(self, conn: Conn, e: Event) -> None:
        await _CLOSED(conn, e)
        await self._touch(conn, e, as_uuid(e.payload["survivor_id"]))

    async def _reopened(self, conn: Conn, e: Event) -> None:
        await _REOPENED(conn, e)
        await self._touch(conn, e, as_uuid(e.payload["survivor_id"]))

    async def _incident(self, conn: Conn, e: Event) -> None:
        await _INCIDENT(conn, e)

    async def _referral(self, conn: Conn, e: Event) -> None:
        details = {"payload": e.payload, "e": e.type}
        await _REFERRAL.insert(conn, e, {"status": "pending", "details": details})

    async def _referral_status(self, conn: Conn, e: Event) -> None:
        note = e.payload.get("note")
        await _REFERRAL_STATUS.update(
            conn, e, {"status_note": None if note is None else {"v": note, "e": e.type}}
        )

    async def _erasure_requested(self, conn: Conn, e: Event) -> None:
        survivor = as_uuid(e.payload["survivor_id"])
        await _ERASURE(conn, e)
        await conn.execute(
            "UPDATE survivors SET erasure_status = 'requested', updated_at = $2 "
            "WHERE survivor_id = $1",
            survivor,
            e.recorded_at,
        )
        await conn.execute("DELETE FROM survivor_blind_index WHERE survivor_id = $1", survivor)

    async def _key_destroyed(self, conn: Conn, e: Event) -> None:
        p = e.payload
        await record_confirmation(conn, "intake", e.event_id, p)

    async def _erasure_completed(self, conn: Conn, e: Event) -> None:
        p = e.payload
        await _ERASURE_DONE(conn, e)
        await conn.execute(
            "UPDATE survivors SET erasure_status = 'completed', updated_at = $2 "
            "WHERE survivor_id = $1 AND NOT EXISTS (SELECT 1 FROM erasure_requests "
            "WHERE survivor_id = $1 AND completed_at IS NULL)",
            as_uuid(p["survivor_id"]),
            e.recorded_at,
        )

    async def _touch(self, conn: Conn, e: Event, survivor: UUID) -> None:
        await conn.execute(
            "UPDATE survivors SET version = $2, updated_at = $3 WHERE survivor_id = $1",
            survivor,
            e.version,
            e.recorded_at,
        )

    async def reindex(self, conn: Conn, survivor: UUID) -> None:
        """Recompute a survivor's blind index from their identity and the records merged in."""
        await conn.execute("DELETE FROM survivor_blind_index WHERE survivor_id = $1", survivor)
        rows = await conn.fetch(
            "SELECT survivor_id, identity FROM survivors WHERE erasure_status IS NULL "
            "AND ((survivor_id = $1 AND status <> 'merged') OR merged_into = $1)",
            survivor,
        )
        entries: set[tuple[str, bytes]] = set()
        for row in rows:
            view = await open_fields(Unseal(self.sealer, row["survivor_id"]), row["identity"])
            entries |= {(k.value, d) for k, d in self.indexer.entries(**index_values(view))}
        if entries and any(row["survivor_id"] == survivor for row in rows):
            await conn.executemany(
                "INSERT INTO survivor_blind_index (survivor_id, kind, digest) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                [(survivor, kind, digest) for kind, digest in sorted(entries)],
            )


async def record_confirmation(conn: Conn, service: str, event_id: UUID, p: dict[str, Any]) -> None:
    """Remember one service's DataKeyDestroyed (idempotent)."""
    key_id = p.get("key_id")
    await conn.execute(
        "INSERT INTO erasure_confirmations (request_id, service, event_id, survivor_id, key_id, "
        "destroyed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        as_uuid(p["request_id"]),
        service,
        event_id,
        as_uuid(p["survivor_id"]),
        as_uuid(key_id) if key_id else None,
        as_time(p["destroyed_at"]),
    )


async def rebuild(
    store: EventStore,
    projector: Projector,
    *,
    page: int = 1000,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Empty the read tables and replay every intake event; return how many were replayed."""
    return await projector.model.rebuild(store, page=page, on_page=on_page)
