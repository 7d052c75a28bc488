"""Gathering one examination's record, unsealed, into the report and form inputs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn

from .. import domain
from ..errors import InvalidCommand, NotFound
from ..views import Reader


async def gather(conn: Conn, read: Reader, survivor_id: UUID, encounter_id: UUID) -> dict[str, Any]:
    """The examination's encounter, current entries, grading and evidence, unsealed."""
    row = await conn.fetchrow(
        "SELECT e.payload, s.case_number FROM encounters e JOIN survivors s USING (survivor_id) "
        "WHERE e.encounter_id = $1 AND e.survivor_id = $2",
        encounter_id,
        survivor_id,
    )
    if row is None:
        raise NotFound(f"encounter_id: no encounter {encounter_id} of this survivor")
    entries = await conn.fetch(
        "SELECT kind, payload, grade, status FROM record_entries WHERE survivor_id = $1 "
        "AND encounter_id = $2 AND superseded_by IS NULL ORDER BY recorded_at",
        survivor_id,
        encounter_id,
    )
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        data = await read.payload(entry["kind"], entry["payload"])
        by_kind.setdefault(entry["kind"], []).append(
            {**data, "grade": entry["grade"], "status": entry["status"]}
        )
    evaluation = await conn.fetchrow(
        "SELECT * FROM evaluations WHERE encounter_id = $1", encounter_id
    )
    evidence = await conn.fetch(
        "SELECT evidence_id, kind, media_type, sha256, captured_at, identifying, scale_present, "
        "description FROM evidence WHERE survivor_id = $1 AND encounter_id = $2 "
        "ORDER BY recorded_at",
        survivor_id,
        encounter_id,
    )
    return {
        "case_number": row["case_number"],
        "encounter": await read.payload("EncounterOpened", row["payload"]),
        "entries": by_kind,
        "evaluation": evaluation,
        "evidence": evidence,
    }


def _latest(found: dict[str, Any], kind: str) -> dict[str, Any] | None:
    items = found["entries"].get(kind, [])
    return items[-1] if items else None


async def report_input(
    found: dict[str, Any],
    read: Reader,
    report_id: UUID,
    survivor_id: UUID,
    signer: dict[str, Any] | None,
    truthful: bool,
) -> domain.ReportInput:
    """The report input of a medico-legal examination."""
    encounter_id = found["encounter"]["encounter_id"]
    if found["encounter"]["kind"] != "medico_legal_examination":
        raise InvalidCommand("encounter_id: reports are written for medico-legal examinations")
    evaluation = found["evaluation"]
    psych = _latest(found, "PsychologicalFindingsRecorded")
    overall = None
    if evaluation is not None and evaluation["overall_level"]:
        event = "OverallEvaluationRecorded"
        overall = {
            "level": evaluation["overall_level"],
            "interpretation": await read.text(
                event, "interpretation", evaluation["interpretation"], record=encounter_id
            ),
            "recommendations": await read.text(
                event, "recommendations", evaluation["recommendations"], record=encounter_id
            ),
        }
    photos = [
        {
            "evidence_id": str(e["evidence_id"]),
            "sha256": e["sha256"],
            "captured_at": e["captured_at"].isoformat() if e["captured_at"] else None,
            "identifying": e["identifying"],
            "scale_present": e["scale_present"],
        }
        for e in found["evidence"]
        if e["kind"] == "photograph"
    ]
    tests = [
        {"kind": e["kind"], "summary": f"{e['media_type']}, SHA-256 {e['sha256']}"}
        for e in found["evidence"]
        if e["kind"] in ("xray", "scan")
    ]
    tests += [
        {"kind": f"referral to {r['specialty']}", "summary": r.get("status") or "awaiting outcome"}
        for r in found["entries"].get("SpecialistReferralMade", [])
    ]
    return domain.ReportInput(
        report_id=str(report_id),
        survivor_id=str(survivor_id),
        case_number=found["case_number"],
        encounter=found["encounter"],
        history=_latest(found, "HistoryRecorded"),
        findings=found["entries"].get("FindingDocumented", []),
        psychological=(
            {
                "summary": psych["summary"],
                "grade": evaluation["psych_level"] if evaluation is not None else None,
            }
            if psych is not None
            else None
        ),
        photographs=photos,
        tests=tests,
        diagnoses=[{"code": d["code"]} for d in found["entries"].get("DiagnosisRecorded", [])],
        overall=overall,
        signer=signer,
        truthful=truthful,
    )


async def form_input(found: dict[str, Any], read: Reader, examiner: UUID) -> dict[str, Any]:
    """The P3 and MOH 363 input: the same record, nothing added."""
    samples = [
        {
            "description": await read.text(
                "EvidenceCaptured", "description", e["description"], record=e["evidence_id"]
            )
        }
        for e in found["evidence"]
        if e["kind"] == "physical_sample"
    ]
    psych = _latest(found, "PsychologicalFindingsRecorded")
    evaluation = found["evaluation"]
    return {
        "case_number": found["case_number"],
        "examiner_id": str(examiner),
        "encounter": found["encounter"],
        "history": _latest(found, "HistoryRecorded"),
        "findings": found["entries"].get("FindingDocumented", []),
        "treatments": found["entries"].get("TreatmentRecorded", []),
        "referrals": found["entries"].get("SpecialistReferralMade", []),
        "samples": samples,
        "psychological": (
            {
                "summary": psych["summary"],
                "grade": evaluation["psych_level"] if evaluation is not None else None,
            }
            if psych is not None
            else None
        ),
    }
