"""Recording the clinical record: encounters, entries (with corrections), grading, care."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel
from uponyaji_events.contracts import medical as m
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..schemas import (
    AttendanceBody,
    DiagnosisBody,
    EncounterBody,
    FindingBody,
    FollowUpBody,
    GradeBody,
    HistoryBody,
    OutcomeBody,
    OverallBody,
    PsychologicalBody,
    SpecialistBody,
    TreatmentBody,
)
from .base import Medical, Tx, survivor_tx

EXAMINATION = domain.EXAMINATION
ENTRY_MODELS: dict[type[BaseModel], tuple[type[BaseModel], tuple[str, ...]]] = {
    HistoryBody: (
        m.HistoryRecorded,
        ("allegation", "symptoms_acute", "symptoms_current", "medical_history"),
    ),
    FindingBody: (m.FindingDocumented, ("description",)),
    PsychologicalBody: (m.PsychologicalFindingsRecorded, ("summary",)),
    DiagnosisBody: (m.DiagnosisRecorded, ("note",)),
    TreatmentBody: (m.TreatmentRecorded, ("details",)),
}
ID_FIELD = {
    m.HistoryRecorded: "entry_id",
    m.FindingDocumented: "finding_id",
    m.PsychologicalFindingsRecorded: "entry_id",
    m.DiagnosisRecorded: "diagnosis_id",
    m.TreatmentRecorded: "treatment_id",
}


async def _sealed(
    tx: Tx, event: str, fields: dict[str, Any], names: tuple[str, ...], record: UUID
) -> None:
    for name in names:
        fields[name] = await tx.seal(f"medical.{event}/{name}", fields.get(name), record=record)


async def open_encounter(
    med: Medical, survivor_id: UUID, body: EncounterBody, actor: Actor, caller: UUID
) -> list[Event]:
    """Open an encounter: needs medical_examination consent."""
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        fields = body.model_dump()
        fields["clinician_ids"] = body.clinician_ids or [caller]
        fields["present"] = [p.model_dump() for p in body.present]
        encounter_id = uuid4()
        sealed = ("facility", "restrictions", "limitation", "retrospective_reason")
        await _sealed(tx, "EncounterOpened", fields, sealed, encounter_id)
        payload = m.EncounterOpened(encounter_id=encounter_id, survivor_id=survivor_id, **fields)
        since = tx.facts.since.get(EXAMINATION)
        command = domain.OpenEncounter(payload, med.now(), since)
        return await tx.record(domain.decide(tx.state, command), actor)


async def record_entry(
    med: Medical, survivor_id: UUID, body: BaseModel, actor: Actor
) -> list[Event]:
    """Record (or correct) a history, finding, psychological, diagnosis or treatment entry."""
    model, texts = ENTRY_MODELS[type(body)]
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        fields = body.model_dump()
        entry_id = uuid4()
        await _sealed(tx, model.__name__, fields, (*texts, "reason"), entry_id)
        fields[ID_FIELD[model]] = entry_id
        payload = model(survivor_id=survivor_id, **fields)
        photos: frozenset[UUID] = frozenset()
        if isinstance(body, FindingBody) and body.photo_ids:
            rows = await tx.conn.fetch(
                "SELECT evidence_id FROM evidence WHERE survivor_id = $1 AND kind = 'photograph' "
                "AND evidence_id = ANY($2::uuid[])",
                survivor_id,
                body.photo_ids,
            )
            photos = frozenset(UUID(str(r["evidence_id"])) for r in rows)
        command = domain.RecordEntry(payload, photos)  # type: ignore[arg-type]
        return await tx.record(domain.decide(tx.state, command), actor)


async def grade_finding(
    med: Medical, survivor_id: UUID, finding_id: UUID, body: GradeBody, actor: Actor
) -> list[Event]:
    """Grade a physical finding against the allegation."""
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        payload = m.FindingGraded(survivor_id=survivor_id, finding_id=finding_id, level=body.level)
        return await tx.record(domain.decide(tx.state, domain.Grade(payload)), actor)


async def grade_psychological(
    med: Medical, survivor_id: UUID, encounter_id: UUID, body: GradeBody, actor: Actor
) -> list[Event]:
    """Grade the psychological findings of an examination as a whole."""
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        payload = m.PsychologicalEvaluationGraded(
            survivor_id=survivor_id, encounter_id=encounter_id, level=body.level
        )
        return await tx.record(domain.decide(tx.state, domain.Grade(payload)), actor)


async def record_overall(
    med: Medical, survivor_id: UUID, encounter_id: UUID, body: OverallBody, actor: Actor
) -> list[Event]:
    """Record the overall evaluation, with interpretation and recommendations (sealed)."""
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        context = "medical.OverallEvaluationRecorded"
        interpretation = await tx.seal(
            f"{context}/interpretation", body.interpretation, record=encounter_id
        )
        recommendations = await tx.seal(
            f"{context}/recommendations", body.recommendations, record=encounter_id
        )
        assert interpretation is not None
        assert recommendations is not None
        payload = m.OverallEvaluationRecorded(
            survivor_id=survivor_id,
            encounter_id=encounter_id,
            level=body.level,
            interpretation=interpretation,
            recommendations=recommendations,
        )
        return await tx.record(domain.decide(tx.state, domain.Grade(payload)), actor)


async def record_care(
    med: Medical, survivor_id: UUID, body: BaseModel, actor: Actor, target: UUID | None = None
) -> list[Event]:
    """Specialist referrals and their outcome, follow-ups and attendance."""
    async with survivor_tx(med, survivor_id, EXAMINATION) as tx:
        payload: domain.CarePayload
        if isinstance(body, SpecialistBody):
            referral_id = uuid4()
            reason = await tx.seal(
                "medical.SpecialistReferralMade/reason", body.reason, record=referral_id
            )
            payload = m.SpecialistReferralMade(
                specialist_referral_id=referral_id,
                survivor_id=survivor_id,
                encounter_id=body.encounter_id,
                specialty=body.specialty,
                reason=reason,
            )
        elif isinstance(body, OutcomeBody):
            assert target is not None
            note = await tx.seal(
                "medical.SpecialistReferralOutcomeRecorded/note", body.note, record=target
            )
            payload = m.SpecialistReferralOutcomeRecorded(
                specialist_referral_id=target,
                survivor_id=survivor_id,
                outcome=body.outcome,
                note=note,
            )
        elif isinstance(body, FollowUpBody):
            payload = m.FollowUpScheduled(
                follow_up_id=uuid4(),
                survivor_id=survivor_id,
                encounter_id=body.encounter_id,
                due_on=body.due_on,
            )
        else:
            assert isinstance(body, AttendanceBody)
            assert target is not None
            payload = m.FollowUpAttendanceRecorded(
                follow_up_id=target, survivor_id=survivor_id, attendance=body.attendance
            )
        command = domain.RecordCare(payload, med.today())
        return await tx.record(domain.decide(tx.state, command), actor)
