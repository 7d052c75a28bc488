"""Shaping read rows for callers: unsealing (only what the field rules allow) and JSON forms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_events.sealing import ERASED, UNREADABLE, InvalidSealError, Sealer

from .domain import icd11

# Sealed fields of each stored payload, by event name (the context is `medical.<name>/<field>`).
SEALED = {
    "EncounterOpened": ("facility", "restrictions", "limitation", "retrospective_reason"),
    "HistoryRecorded": (
        "allegation",
        "symptoms_acute",
        "symptoms_current",
        "medical_history",
        "reason",
    ),
    "FindingDocumented": ("description", "reason"),
    "PsychologicalFindingsRecorded": ("summary", "reason"),
    "DiagnosisRecorded": ("note", "reason"),
    "TreatmentRecorded": ("details", "reason"),
    "SpecialistReferralMade": ("reason",),
    "OverallEvaluationRecorded": ("interpretation", "recommendations"),
    "EvidenceCaptured": ("description",),
}

# The record each event's sealed values are bound to (sealed v2): the id in this payload field.
# A value copied into another entry, encounter, referral, evidence item or report (of the same
# survivor or another) does not authenticate there and reads as UNREADABLE.
RECORD = {
    "EncounterOpened": "encounter_id",
    "HistoryRecorded": "entry_id",
    "FindingDocumented": "finding_id",
    "PsychologicalFindingsRecorded": "entry_id",
    "DiagnosisRecorded": "diagnosis_id",
    "TreatmentRecorded": "treatment_id",
    "SpecialistReferralMade": "specialist_referral_id",
    "SpecialistReferralOutcomeRecorded": "specialist_referral_id",
    "OverallEvaluationRecorded": "encounter_id",
    "EvidenceCaptured": "evidence_id",
    "EvidenceHandedOver": "evidence_id",
    "ReferralAccepted": "referral_id",
    "ReferralDeclined": "referral_id",
    "ReportSigned": "report_id",
    "AddendumSigned": "addendum_id",
}


@dataclass(frozen=True)
class Reader:
    """Unseals one survivor's values; erased survivors read as erased, and values that do not
    authenticate where they are read (altered or moved) as UNREADABLE (counted in `refused`)."""

    sealer: Sealer
    survivor_id: UUID
    erased: bool = False
    refused: list[str] = field(default_factory=list)

    async def text(self, event: str, name: str, value: Any, *, record: Any) -> str | None:
        """The plaintext of a sealed value bound to `record` (None stays None)."""
        if value is None:
            return None
        if self.erased:
            return ERASED
        context = f"medical.{event}/{name}"
        shown = await self.sealer.reveal(self.survivor_id, context, str(value), record=str(record))
        if shown == UNREADABLE:
            self.refused.append(context)
        return shown

    async def payload(self, event: str, raw: Any) -> dict[str, Any]:
        """A stored payload with its sealed fields unsealed (bound to the payload's own id)."""
        data: dict[str, Any] = dict(json.loads(raw) if isinstance(raw, str) else raw)
        record = data.get(RECORD.get(event, ""))
        for name in SEALED.get(event, ()):
            if name in data:
                data[name] = await self.text(event, name, data[name], record=record)
        return data

    def check(self) -> None:
        """Refuse (409) to build a signed or issued document on values that did not open."""
        if self.refused:
            raise InvalidSealError(
                f"{len(self.refused)} sealed value(s) of this record do not authenticate where "
                f"they are stored ({', '.join(sorted(set(self.refused)))}): altered or moved "
                "from another record; nothing was signed or issued"
            )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def entry(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """One record entry, unsealed, with its correction links, grade and status."""
    data = await read.payload(row["kind"], row["payload"])
    if row["kind"] == "DiagnosisRecorded":
        data["title"] = icd11.title(data["code"])
    return {
        "type": row["kind"],
        **data,
        "grade": row["grade"],
        "status": row["status"],
        "superseded_by": str(row["superseded_by"]) if row["superseded_by"] else None,
        "recorded_by": row["recorded_by"],
        "recorded_at": _iso(row["recorded_at"]),
    }


async def evaluation(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """An examination's psychological and overall grading."""
    event = "OverallEvaluationRecorded"
    return {
        "encounter_id": str(row["encounter_id"]),
        "psychological_level": row["psych_level"],
        "overall_level": row["overall_level"],
        "interpretation": await read.text(
            event, "interpretation", row["interpretation"], record=row["encounter_id"]
        ),
        "recommendations": await read.text(
            event, "recommendations", row["recommendations"], record=row["encounter_id"]
        ),
    }


async def evidence(row: asyncpg.Record, read: Reader) -> dict[str, Any]:
    """An evidence item's metadata (never its file)."""
    return {
        "evidence_id": str(row["evidence_id"]),
        "kind": row["kind"],
        "encounter_id": str(row["encounter_id"]) if row["encounter_id"] else None,
        "media_type": row["media_type"],
        "size_bytes": row["size_bytes"],
        "sha256": row["sha256"],
        "captured_at": _iso(row["captured_at"]),
        "identifying": row["identifying"],
        "scale_present": row["scale_present"],
        "description": await read.text(
            "EvidenceCaptured", "description", row["description"], record=row["evidence_id"]
        ),
        "holder_id": str(row["holder_id"]),
        "location": row["location"],
        "integrity_alarm": row["alarm"],
        "recorded_at": _iso(row["recorded_at"]),
    }


def plain(row: asyncpg.Record) -> dict[str, Any]:
    """A row as JSON-ready values (ids and times as strings)."""
    return {
        key: str(value) if isinstance(value, UUID) else _iso(value) for key, value in row.items()
    }


async def specialist_referral(row: asyncpg.Record, read: Reader, *, notes: bool) -> dict[str, Any]:
    """A specialist referral with its latest outcome (reason and note only with `notes`)."""
    data = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    referral_id = row["entry_id"]
    reason = note = None
    if notes:
        made, outcome = "SpecialistReferralMade", "SpecialistReferralOutcomeRecorded"
        reason = await read.text(made, "reason", data.get("reason"), record=referral_id)
        note = await read.text(outcome, "note", row["status_note"], record=referral_id)
    return {
        "specialist_referral_id": str(referral_id),
        "encounter_id": str(row["encounter_id"]),
        "specialty": data["specialty"],
        "reason": reason,
        "referred_by": row["recorded_by"],
        "referred_at": _iso(row["recorded_at"]),
        "outcome": row["status"],
        "outcome_note": note,
        "outcome_by": row["status_by"],
        "outcome_at": _iso(row["status_at"]) if row["status_at"] else None,
    }


def follow_up(row: asyncpg.Record, today: date) -> dict[str, Any]:
    """A follow-up appointment with its attendance; overdue when past and not recorded."""
    data = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    due_on = date.fromisoformat(str(data["due_on"]))
    return {
        "follow_up_id": str(row["entry_id"]),
        "encounter_id": str(row["encounter_id"]),
        "due_on": due_on.isoformat(),
        "overdue": row["status"] is None and due_on < today,
        "booked_by": row["recorded_by"],
        "booked_at": _iso(row["recorded_at"]),
        "attendance": row["status"],
        "attendance_by": row["status_by"],
        "attendance_at": _iso(row["status_at"]) if row["status_at"] else None,
    }
