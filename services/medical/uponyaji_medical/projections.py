"""Our own events → our read tables; applied in the command's transaction, rebuildable from zero.

Sealed values are copied as ciphertext: a read table never holds clinical text in clear.
"""

from __future__ import annotations

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.folding import as_uuid, event_name
from uponyaji_events.read_model import Change, ReadModel, Row

from .domain.state import ENTRY_IDS

CARE_IDS = {"SpecialistReferralMade": "specialist_referral_id", "FollowUpScheduled": "follow_up_id"}
_ENCOUNTER = Row(
    "encounters",
    "encounter_id survivor_id kind occurred_at county_code payload=@payload recorded_by=@actor "
    "recorded_at=@at",
)
_ENTRY = Row(
    "record_entries",
    "survivor_id encounter_id payload=@payload supersedes recorded_by=@actor recorded_at=@at",
    key="entry_id",
)
_SIGNED = "survivor_id content content_sha256 pdf_sha256 signer_id key_id signature signed_at"
_REPORT = Row("reports", f"report_id encounter_id place_county_code {_SIGNED}")
_HANDED = Change("evidence", "holder_id=to_holder_id location=to_location", key="evidence_id")
_ALARM = Change("evidence", key="evidence_id", also="alarm = true")
_CUSTODY = Row("custody", "event_id=@id evidence_id payload=@payload actor=@actor at=@at")


async def _entry(conn: Conn, event: Event) -> None:
    p, name = event.payload, event_name(event)
    entry_id = as_uuid(p[ENTRY_IDS.get(name) or CARE_IDS[name]])
    await _ENTRY.insert(conn, event, {"entry_id": entry_id, "kind": name})


def _answered(answer: str, entry: str) -> Change:
    """A specialist referral's outcome, or a follow-up's attendance, onto its record entry."""
    return Change(
        "record_entries",
        f"status={answer} status_note=note status_by=@actor status_at=@at",
        key=f"entry_id={entry}",
    )


def _referral_answer(status: str) -> Change:
    """A referral from intake accepted or declined."""
    return Change("referrals", "answered_at=@at", key="referral_id", also=f"status = '{status}'")


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
    await _CUSTODY.insert(conn, event, {"kind": kind})


async def _captured(conn: Conn, event: Event) -> None:
    await _EVIDENCE(conn, event)
    await _custody(conn, event, "captured")


async def _handed(conn: Conn, event: Event) -> None:
    await _HANDED(conn, event)
    await _custody(conn, event, "handed_over")


async def _accessed(conn: Conn, event: Event) -> None:
    await _custody(conn, event, "accessed")


async def _alarm(conn: Conn, event: Event) -> None:
    await _ALARM(conn, event)
    await _custody(conn, event, "alarm")


_EVIDENCE = Row(
    "evidence",
    "evidence_id survivor_id encounter_id kind media_type size_bytes sha256 "
    "captured_at identifying scale_present description holder_id location "
    "recorded_by=@actor recorded_at=@at",
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
        "medical.EncounterOpened": _ENCOUNTER,
        **{f"medical.{name}": _entry for name in (*ENTRY_IDS, *CARE_IDS)},
        "medical.SpecialistReferralOutcomeRecorded": _answered("outcome", "specialist_referral_id"),
        "medical.FollowUpAttendanceRecorded": _answered("attendance", "follow_up_id"),
        "medical.FindingGraded": Change("record_entries", "grade=level", key="entry_id=finding_id"),
        "medical.PsychologicalEvaluationGraded": _evaluation,
        "medical.OverallEvaluationRecorded": _evaluation,
        "medical.FormIssued": Row(
            "forms_issued",
            "document_id survivor_id encounter_id form pdf_sha256 blank_fields "
            "issued_by=@actor issued_at=@at",
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
        "medical.ReferralAccepted": _referral_answer("accepted"),
        "medical.ReferralDeclined": _referral_answer("declined"),
    },
)
READ_TABLES = READ_MODEL.tables
apply_all = READ_MODEL.apply_all
rebuild = READ_MODEL.rebuild
