"""Intake's events → its read tables. Applied in the command's own transaction, and rebuildable.

Sealed values are copied as ciphertext. The blind index is the one table that needs plaintext:
it is recomputed by unsealing the survivor's identity in memory, so a rebuild after an erasure
(key destroyed) finds nothing to index, as it should.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.projection import replay
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


@dataclass(frozen=True)
class Projector:
    """Applies intake events to the read tables; unseals only to recompute the blind index."""

    indexer: BlindIndexer
    sealer: Sealer

    async def apply_all(self, conn: Conn, events: Sequence[Event]) -> None:
        """Apply events in order."""
        for event in events:
            await self.apply(conn, event)

    async def apply(self, conn: Conn, event: Event) -> None:
        """Apply one event (events of other types, e.g. audit records, change nothing here)."""
        name = event.type.removeprefix("intake.")
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            await handler(conn, event, event.payload)

    async def _on_SurvivorRegistered(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "INSERT INTO survivors (survivor_id, case_number, registered_at, registered_by, "
            "county_code, gender, age_band, disabilities, preferred_language, "
            "birth_date_estimated, identity, version, updated_at, registered_on) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $3, $13)",
            UUID(p["survivor_id"]),
            p["case_number"],
            e.recorded_at,
            e.actor.id,
            p["county_code"],
            p["gender"],
            p["age_band"],
            p["disabilities"],
            p["preferred_language"],
            p["birth_date_estimated"],
            stored_fields(e.type, p),
            e.version,
            date.fromisoformat(p["registered_on"]) if p.get("registered_on") else None,
        )
        await self.reindex(conn, UUID(p["survivor_id"]))

    async def _on_IdentityCorrected(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "UPDATE survivors SET identity = identity || $2, version = $3, updated_at = $4, "
            "county_code = coalesce($5::text, county_code), gender = coalesce($6::text, gender), "
            "age_band = coalesce($7::text, age_band), "
            "preferred_language = coalesce($8::text, preferred_language), "
            "birth_date_estimated = coalesce($9::boolean, birth_date_estimated), "
            "disabilities = coalesce($10::text[], disabilities) WHERE survivor_id = $1",
            UUID(p["survivor_id"]),
            stored_fields(e.type, p),
            e.version,
            e.recorded_at,
            *(p.get(c) for c in _AGGREGATES),
            p.get("birth_date_estimated"),
            p.get("disabilities"),
        )
        await self.reindex(conn, UUID(p["survivor_id"]))

    async def _on_SurvivorsMerged(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        kept, merged = UUID(p["survivor_id"]), UUID(p["merged_survivor_id"])
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

    async def _on_ConsentGranted(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await self._consent(conn, e, p, granted=True)

    async def _on_ConsentWithdrawn(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await self._consent(conn, e, p, granted=False)

    async def _consent(self, conn: Conn, e: Event, p: dict[str, Any], *, granted: bool) -> None:
        survivor = UUID(p["survivor_id"])
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
        witness = None if p.get("witness") is None else {"v": p["witness"], "e": e.type}
        reason = None if p.get("reason") is None else {"v": p["reason"], "e": e.type}
        await conn.execute(
            "INSERT INTO consent_history (event_id, survivor_id, scope, granted, method, "
            "given_by, language, witness, reason, at, recorded_at, recorded_by, recorded_role) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
            "ON CONFLICT DO NOTHING",
            e.event_id,
            survivor,
            p["scope"],
            granted,
            p["method"],
            p["party"],
            p["language"],
            witness,
            reason,
            _ts(p["at"]),
            e.recorded_at,
            e.actor.id,
            e.actor.role,
        )
        await self._touch(conn, e, survivor)

    async def _on_CaseAssigned(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        survivor = UUID(p["survivor_id"])
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

    async def _on_CaseClosed(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "UPDATE survivors SET status = 'closed', closure_reason = $2, closed_at = $3 "
            "WHERE survivor_id = $1",
            UUID(p["survivor_id"]),
            p["reason"],
            e.recorded_at,
        )
        await self._touch(conn, e, UUID(p["survivor_id"]))

    async def _on_CaseReopened(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "UPDATE survivors SET status = 'open', closure_reason = NULL, closed_at = NULL "
            "WHERE survivor_id = $1",
            UUID(p["survivor_id"]),
        )
        await self._touch(conn, e, UUID(p["survivor_id"]))

    async def _on_IncidentDocumented(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "INSERT INTO incidents (incident_id, survivor_id, documented_at, documented_by, "
            "county_code, place_type, perpetrators, methods, details, context_event) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            UUID(p["incident_id"]),
            UUID(p["survivor_id"]),
            e.recorded_at,
            e.actor.id,
            p.get("county_code"),
            p["place_type"],
            p["perpetrators"],
            p["methods"],
            p,
            e.type,
        )

    async def _on_ReferralMade(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "INSERT INTO referrals (referral_id, survivor_id, target, urgency, status, details, "
            "made_at, made_by, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $6) "
            "ON CONFLICT DO NOTHING",
            UUID(p["referral_id"]),
            UUID(p["survivor_id"]),
            p["target"],
            p["urgency"],
            {"payload": p, "e": e.type},
            e.recorded_at,
            e.actor.id,
        )

    async def _on_ReferralStatusChanged(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "UPDATE referrals SET status = $2, updated_at = $3, "
            "status_note = $4 WHERE referral_id = $1",
            UUID(p["referral_id"]),
            p["status"],
            e.recorded_at,
            None if p.get("note") is None else {"v": p["note"], "e": e.type},
        )

    async def _on_ErasureRequested(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        survivor = UUID(p["survivor_id"])
        await conn.execute(
            "INSERT INTO erasure_requests (request_id, survivor_id, received_on, requested_at, "
            "requested_by, participants) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            UUID(p["request_id"]),
            survivor,
            _date(p["received_on"]),
            e.recorded_at,
            e.actor.id,
            p["services"],
        )
        await conn.execute(
            "UPDATE survivors SET erasure_status = 'requested', updated_at = $2 "
            "WHERE survivor_id = $1",
            survivor,
            e.recorded_at,
        )
        await conn.execute("DELETE FROM survivor_blind_index WHERE survivor_id = $1", survivor)

    async def _on_DataKeyDestroyed(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await record_confirmation(conn, "intake", e.event_id, p)

    async def _on_ErasureCompleted(self, conn: Conn, e: Event, p: dict[str, Any]) -> None:  # noqa: N802
        await conn.execute(
            "UPDATE erasure_requests SET completed_at = $2 WHERE request_id = $1",
            UUID(p["request_id"]),
            e.recorded_at,
        )
        await conn.execute(
            "UPDATE survivors SET erasure_status = 'completed', updated_at = $2 "
            "WHERE survivor_id = $1 AND NOT EXISTS (SELECT 1 FROM erasure_requests "
            "WHERE survivor_id = $1 AND completed_at IS NULL)",
            UUID(p["survivor_id"]),
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
        UUID(p["request_id"]),
        service,
        event_id,
        UUID(p["survivor_id"]),
        UUID(key_id) if key_id else None,
        _ts(p["destroyed_at"]),
    )


async def rebuild(
    store: EventStore,
    projector: Projector,
    *,
    page: int = 1000,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Empty the read tables and replay every intake event; return how many were replayed."""
    return await replay(
        store, READ_TABLES, projector.apply_all, page=page, upcast=True, on_page=on_page
    )


def _ts(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value
