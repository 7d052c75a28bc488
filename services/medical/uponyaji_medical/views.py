"""Shaping read rows for callers: unsealing (only what the field rules allow) and JSON forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_events.sealing import ERASED, InvalidSealError, KeyNotFoundError, Sealer

from .domain import icd11

# Sealed fields of each stored payload, by event name (the context is `medical.<name>/<field>`).
SEALED = {
    "EncounterOpened": ("facility", "restrictions", "limitation"),
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


@dataclass(frozen=True)
class Reader:
    """Unseals one survivor's values; erased survivors and unreadable values read as erased."""

    sealer: Sealer
    survivor_id: UUID
    erased: bool = False

    async def text(self, event: str, name: str, value: Any) -> str | None:
        """The plaintext of a sealed value (None stays None)."""
        if value is None:
            return None
        if self.erased:
            return ERASED
        try:
            return await self.sealer.unseal_or_erased(
                self.survivor_id, f"medical.{event}/{name}", str(value)
            )
        except (InvalidSealError, KeyNotFoundError):
            return ERASED

    async def payload(self, event: str, raw: Any) -> dict[str, Any]:
        """A stored payload with its sealed fields unsealed."""
        data: dict[str, Any] = dict(json.loads(raw) if isinstance(raw, str) else raw)
        for name in SEALED.get(event, ()):
            if name in data:
                data[name] = await self.text(event, name, data[name])
        return data


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
        "interpretation": await read.text(event, "interpretation", row["interpretation"]),
        "recommendations": await read.text(event, "recommendations", row["recommendations"]),
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
        "description": await read.text("EvidenceCaptured", "description", row["description"]),
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
