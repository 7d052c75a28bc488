"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds clinical text in clear.
"""

from __future__ import annotations

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_uuid, event_name
from uponyaji_events.read_model import ReadModel, Row

from .domain.state import ENTRY_IDS

CARE_IDS = {"SpecialistReferralMade": "specialist_referral_id", "FollowUpScheduled": "follow_up_id"}
_ENCOUNTER = Row(
    "encounters",
    "encounter_id survivor_id kind occurred_at county_code",
    by="recorded_by",
    at="recorded_at",
)
_ENTRY = Row(
    "record_entries",
    "survivor_id encounter_id supersedes",
    by="recorded_by",
    at="recorded_at",
    key="entry_id",
)
_SIGNED = "survivor_id content content_sha256 pdf_sha256 signer_id key_id signature signed_at"
_REPORT = Row("reports", f"report_id encounter_id place_county_code {_SIGNED}")
_CUSTODY = Row("custody", "evidence_id", by="actor", at="at", event_id="event_id")


async def _encounter(conn: Conn, event: Event) -> None:
    await _ENCOUNTER.insert(conn, event, {"payload": event.payload})


async def _entry(conn: Conn, event: Event) -> None:
    p, name = event.payload, event_name(event)
    entry_id = as_uuid(p[ENTRY_IDS.get(name) or CARE_IDS[name]])
    await _ENTRY.insert(conn, event, {"entry_id": entry_id, "kind": name, "payload": p})


async def _status(conn: Conn, event: Event) -> None:
    p = event.payload
    entry_id = p.get("specialist_referral_id") or p["follow_up_id"]
    status = p.get("outcome") or p["attendance"]
    await conn.execute(
        "UPDATE record_entries SET status = $2, status_note = $3, status_by = $4, status_at = $5 "
        "WHERE entry_id = $1",
        as_uuid(entry_id),
        status,
        p.get("note"),
        event.actor.id,
        event.recorded_at,
    )


async def _grade(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE record_entries SET grade = $2 WHERE entry_id = $1",
        as_uuid(p["finding_id"]),
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
        as_uuid(p["encounter_id"]),
        as_uuid(p["survivor_id"]),
        p["level"] if psych else None,
        None if psych else p["level"],
        p.get("interpretation"),
        p.get("recommendations"),
        event.recorded_at,
    )


async def _report(conn: Conn, event: Event) -> None:
    overall = await conn.fetchval(
        "SELECT overall_level FROM evaluations WHERE encounter_id = $1",
        as_uuid(event.payload["encounter_id"]),
    )
    await _REPORT.insert(conn, event, {"overall_level": overall})


async def _custody(conn: Conn, event: Event, kind: str) -> None:
    await _CUSTODY.insert(conn, event, {"kind": kind, "payload": event.payload})


async def _captured(conn: Conn, event: Event) -> None:
    await _EVIDENCE(conn, event)
    await _custody(conn, event, "captured")


async def _handed(conn: Conn, event: Event) -> None:
    p = event.payload
    await conn.execute(
        "UPDATE evidence SET holder_id = $2, location = $3 WHERE evidence_id = $1",
        as_uuid(p["evidence_id"]),
        as_uuid(p["to_holder_id"]),
        p["to_location"],
    )
    await _custody(conn, event, "handed_over")


async def _accessed(conn: Conn, event: Event) -> None:
    await _custody(conn, event, "accessed")


async def _alarm(conn: Conn, event: Event) -> None:
    await conn.execute(
        "UPDATE evidence SET alarm = true WHERE evidence_id = $1",
        as_uuid(event.payload["evidence_id"]),
    )
    await _custody(conn, event, "alarm")


async def _answer(conn: Conn, event: Event) -> None:
    status = "accepted" if event.type.endswith("ReferralAccepted") else "declined"
    await conn.execute(
        "UPDATE referrals SET status = $2, answered_at = $3 WHERE referral_id = $1",
        as_uuid(event.payload["referral_id"]),
        status,
        event.recorded_at,
    )


_EVIDENCE = Row(
    "evidence",
    "evidence_id survivor_id encounter_id kind media_type size_bytes sha256 captured_at "
    "identifying scale_present description holder_id location",
    by="recorded_by",
    at="recorded_at",
)
READ_MODEL = ReadModel(
    tables=(
        "custody",
        "evidence",
        "addenda",
        "reports",
        "signing_public_keys",
        "forms_issued",
        "evaluations",
        "record_entries",
        "encounters",
    ),
    appliers={
        "medical.EncounterOpened": _encounter,
        **{f"medical.{name}": _entry for name in (*ENTRY_IDS, *CARE_IDS)},
        "medical.SpecialistReferralOutcomeRecorded": _status,
        "medical.FollowUpAttendanceRecorded": _status,
        "medical.FindingGraded": _grade,
        "medical.PsychologicalEvaluationGraded": _evaluation,
        "medical.OverallEvaluationRecorded": _evaluation,
        "medical.FormIssued": Row(
            "forms_issued",
            "document_id survivor_id encounter_id form pdf_sha256 blank_fields",
            by="issued_by",
            at="issued_at",
        ),
        "medical.SigningKeyIssued": Row(
            "signing_public_keys", "key_id clinician_id public_key issued_at"
        ),
        "medical.ReportSigned": _report,
        "medical.AddendumSigned": Row("addenda", f"addendum_id report_id {_SIGNED}"),
        "medical.EvidenceCaptured": _captured,
        "medical.EvidenceHandedOver": _handed,
        "medical.EvidenceAccessed": _accessed,
        "medical.EvidenceIntegrityAlarm": _alarm,
        "medical.ReferralAccepted": _answer,
        "medical.ReferralDeclined": _answer,
    },
)
READ_TABLES = READ_MODEL.tables
apply_all = READ_MODEL.apply_all
rebuild = READ_MODEL.rebuild
