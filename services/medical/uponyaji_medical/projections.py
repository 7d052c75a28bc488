"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds clinical text in clear.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.projection import replay
from uponyaji_events.store import EventStore

from .domain.state import ENTRY_IDS

READ_TABLES = (
    "custody",
    "evidence",
    "addenda",
    "reports",
    "signing_public_keys",
    "forms_issued",
    "evaluations",
    "record_entries",
    "encounters",
)
CARE_IDS = {"SpecialistReferralMade": "specialist_referral_id", "FollowUpScheduled": "follow_up_id"}


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _encounter(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO encounters (encounter_id, survivor_id, kind, occurred_at, county_code, "
        "payload, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        UUID(p["encounter_id"]),
        UUID(p["survivor_id"]),
        p["kind"],
        _at(p["occurred_at"]),
        p["county_code"],
        p,
        event.actor.id,
        event.recorded_at,
    )


async def _entry(conn: Conn, event: Event) -> None:
    p, name = event.payload, event.type.rsplit(".", 1)[-1]
    entry_id = UUID(p[ENTRY_IDS.get(name) or CARE_IDS[name]])
    await conn.execute(
        "INSERT INTO record_entries (entry_id, survivor_id, encounter_id, kind, payload, "
        "supersedes, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        entry_id,
        UUID(p["survivor_id"]),
        _uuid(p.get("encounter_id")),
        name,
        p,
        _uuid(p.get("supersedes")),
        event.actor.id,
        event.recorded_at,
    )
    if p.get("supersedes"):
        await conn.execute(
            "UPDATE record_entries SET superseded_by = $2 WHERE entry_id = $1",
            UUID(p["supersedes"]),
            entry_id,
        )


async def _status(conn: Conn, event: Event) -> None:
    p = event.payload
    entry_id = p.get("specialist_referral_id") or p["follow_up_id"]
    status = p.get("outcome") or p["attendance"]
    await conn.execute(
        "UPDATE record_entries SET status = $2, status_note = $3, status_by = $4, status_at = $5 "
        "WHERE entry_id = $1",
        UUID(entry_id),
        status,
        p.get("note"),
        event.actor.id,
        event.recorded_at,
    )


async def _grade(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE record_entries SET grade = $2 WHERE entry_id = $1",
        UUID(p["finding_id"]),
        p["level"],
    )


async def _evaluation(conn: Conn, event: Event) -> None:
    p = event.payload
    psych = event.type.endswith("PsychologicalEvaluationGraded")
    await conn.execute(
        "INSERT INTO evaluations (encounter_id, survivor_id, psych_level, overall_level, "
        "interpretation, recommendations, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (encounter_id) DO UPDATE SET "
        "psych_level = coalesce($3, evaluations.psych_level), "
        "overall_level = coalesce($4, evaluations.overall_level), "
        "interpretation = coalesce($5, evaluations.interpretation), "
        "recommendations = coalesce($6, evaluations.recommendations), updated_at = $7",
        UUID(p["encounter_id"]),
        UUID(p["survivor_id"]),
        p["level"] if psych else None,
        None if psych else p["level"],
        p.get("interpretation"),
        p.get("recommendations"),
        event.recorded_at,
    )


async def _form(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO forms_issued (document_id, survivor_id, encounter_id, form, pdf_sha256, "
        "blank_fields, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        UUID(p["document_id"]),
        UUID(p["survivor_id"]),
        UUID(p["encounter_id"]),
        p["form"],
        p["pdf_sha256"],
        p["blank_fields"],
        event.actor.id,
        event.recorded_at,
    )


async def _key(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO signing_public_keys (key_id, clinician_id, public_key, issued_at) "
        "VALUES ($1, $2, $3, $4)",
        UUID(p["key_id"]),
        UUID(p["clinician_id"]),
        p["public_key"],
        _at(p["issued_at"]),
    )


async def _report(conn: Conn, event: Event) -> None:
    p = event.payload
    overall = await conn.fetchval(
        "SELECT overall_level FROM evaluations WHERE encounter_id = $1", UUID(p["encounter_id"])
    )
    await conn.execute(
        "INSERT INTO reports (report_id, survivor_id, encounter_id, content, content_sha256, "
        "pdf_sha256, signer_id, key_id, signature, signed_at, overall_level, place_county_code) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        UUID(p["report_id"]),
        UUID(p["survivor_id"]),
        UUID(p["encounter_id"]),
        p["content"],
        p["content_sha256"],
        p["pdf_sha256"],
        UUID(p["signer_id"]),
        UUID(p["key_id"]),
        p["signature"],
        _at(p["signed_at"]),
        overall,
        p["place_county_code"],
    )


async def _addendum(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO addenda (addendum_id, report_id, survivor_id, content, content_sha256, "
        "pdf_sha256, signer_id, key_id, signature, signed_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        UUID(p["addendum_id"]),
        UUID(p["report_id"]),
        UUID(p["survivor_id"]),
        p["content"],
        p["content_sha256"],
        p["pdf_sha256"],
        UUID(p["signer_id"]),
        UUID(p["key_id"]),
        p["signature"],
        _at(p["signed_at"]),
    )


async def _custody(conn: Conn, event: Event, kind: str) -> None:
    await conn.execute(
        "INSERT INTO custody (event_id, evidence_id, kind, payload, actor, at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        event.event_id,
        UUID(event.payload["evidence_id"]),
        kind,
        event.payload,
        event.actor.id,
        event.recorded_at,
    )


async def _captured(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "INSERT INTO evidence (evidence_id, survivor_id, encounter_id, kind, media_type, "
        "size_bytes, sha256, captured_at, identifying, scale_present, description, holder_id, "
        "location, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        UUID(p["evidence_id"]),
        UUID(p["survivor_id"]),
        _uuid(p.get("encounter_id")),
        p["kind"],
        p.get("media_type"),
        p.get("size_bytes"),
        p.get("sha256"),
        _at(p["captured_at"]) if p.get("captured_at") else None,
        p["identifying"],
        p["scale_present"],
        p.get("description"),
        UUID(p["holder_id"]),
        p["location"],
        event.actor.id,
        event.recorded_at,
    )
    await _custody(conn, event, "captured")


async def _handed(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE evidence SET holder_id = $2, location = $3 WHERE evidence_id = $1",
        UUID(p["evidence_id"]),
        UUID(p["to_holder_id"]),
        p["to_location"],
    )
    await _custody(conn, event, "handed_over")


async def _accessed(conn: Conn, event: Event) -> None:
    await _custody(conn, event, "accessed")


async def _alarm(conn: Conn, event: Event) -> None:
    await conn.execute(
        "UPDATE evidence SET alarm = true WHERE evidence_id = $1",
        UUID(event.payload["evidence_id"]),
    )
    await _custody(conn, event, "alarm")


async def _answer(conn: Conn, event: Event) -> None:
    status = "accepted" if event.type.endswith("ReferralAccepted") else "declined"
    await conn.execute(
        "UPDATE referrals SET status = $2, answered_at = $3 WHERE referral_id = $1",
        UUID(event.payload["referral_id"]),
        status,
        event.recorded_at,
    )


APPLY: dict[str, Callable[[Conn, Event], Awaitable[None]]] = {
    "medical.EncounterOpened": _encounter,
    **{f"medical.{name}": _entry for name in (*ENTRY_IDS, *CARE_IDS)},
    "medical.SpecialistReferralOutcomeRecorded": _status,
    "medical.FollowUpAttendanceRecorded": _status,
    "medical.FindingGraded": _grade,
    "medical.PsychologicalEvaluationGraded": _evaluation,
    "medical.OverallEvaluationRecorded": _evaluation,
    "medical.FormIssued": _form,
    "medical.SigningKeyIssued": _key,
    "medical.ReportSigned": _report,
    "medical.AddendumSigned": _addendum,
    "medical.EvidenceCaptured": _captured,
    "medical.EvidenceHandedOver": _handed,
    "medical.EvidenceAccessed": _accessed,
    "medical.EvidenceIntegrityAlarm": _alarm,
    "medical.ReferralAccepted": _answer,
    "medical.ReferralDeclined": _answer,
}


async def apply_all(conn: Conn, events: Iterable[Event]) -> None:
    """Apply our events to the read tables (audit and erasure events change none)."""
    for event in events:
        project = APPLY.get(event.type)
        if project is not None:
            await project(conn, event)


async def rebuild(
    store: EventStore, *, page: int = 1000, on_page: Callable[[int], None] | None = None
) -> int:
    """Empty the read tables and replay every event in commit order; return how many."""
    return await replay(store, READ_TABLES, apply_all, page=page, on_page=on_page)
