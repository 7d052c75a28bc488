"""Routes of the clinical record: encounters, entries and corrections, grading, care, reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from uponyaji_access import CurrentPrincipal
from uponyaji_service import DirectRoute
from uponyaji_service.figures import no_date_ranges, publisher

from .. import figures, queries, views
from .. import responses as answers
from ..domain import icd11
from ..handlers import record as handle
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
from .deps import AggregateRead, MedDep, Read, Record, SummaryRead, actor, written

router = APIRouter(tags=["clinical record"], route_class=DirectRoute)


class Recorded(BaseModel):
    """What a command recorded: the new entry's id and the events."""

    id: str
    events: list[dict[str, Any]]


def _recorded(events: list[Any], field: str) -> Recorded:
    return Recorded(id=str(events[0].payload[field]), events=written(events))


@router.post("/survivors/{survivor_id}/encounters", status_code=201)
async def open_encounter(
    survivor_id: UUID, body: EncounterBody, grant: Record, med: MedDep
) -> Recorded:
    """Open an encounter (needs the survivor's medical_examination consent)."""
    events = await handle.open_encounter(
        med, survivor_id, body, actor(grant), grant.principal.staff_id
    )
    return _recorded(events, "encounter_id")


@router.post("/survivors/{survivor_id}/history", status_code=201)
async def record_history(
    survivor_id: UUID, body: HistoryBody, grant: Record, med: MedDep
) -> Recorded:
    """Record the allegation and symptoms (or correct them: `supersedes` and `reason`)."""
    return _recorded(await handle.record_entry(med, survivor_id, body, actor(grant)), "entry_id")


@router.post("/survivors/{survivor_id}/findings", status_code=201)
async def document_finding(
    survivor_id: UUID, body: FindingBody, grant: Record, med: MedDep
) -> Recorded:
    """Document a physical finding in a body region (or correct one)."""
    events = await handle.record_entry(med, survivor_id, body, actor(grant))
    return _recorded(events, "finding_id")


@router.post("/survivors/{survivor_id}/findings/{finding_id}/grade", status_code=201)
async def grade_finding(
    survivor_id: UUID, finding_id: UUID, body: GradeBody, grant: Record, med: MedDep
) -> Recorded:
    """Grade a finding on the Istanbul Protocol's five levels."""
    events = await handle.grade_finding(med, survivor_id, finding_id, body, actor(grant))
    return _recorded(events, "finding_id")


@router.post("/survivors/{survivor_id}/psychological-findings", status_code=201)
async def record_psychological(
    survivor_id: UUID, body: PsychologicalBody, grant: Record, med: MedDep
) -> Recorded:
    """Record the psychological history and examination summary (or correct it)."""
    return _recorded(await handle.record_entry(med, survivor_id, body, actor(grant)), "entry_id")


@router.post(
    "/survivors/{survivor_id}/encounters/{encounter_id}/psychological-grade", status_code=201
)
async def grade_psychological(
    survivor_id: UUID, encounter_id: UUID, body: GradeBody, grant: Record, med: MedDep
) -> Recorded:
    """Grade the psychological findings as a whole."""
    events = await handle.grade_psychological(med, survivor_id, encounter_id, body, actor(grant))
    return _recorded(events, "encounter_id")


@router.post(
    "/survivors/{survivor_id}/encounters/{encounter_id}/overall-evaluation", status_code=201
)
async def overall_evaluation(
    survivor_id: UUID, encounter_id: UUID, body: OverallBody, grant: Record, med: MedDep
) -> Recorded:
    """Record the overall evaluation with interpretation and recommendations."""
    events = await handle.record_overall(med, survivor_id, encounter_id, body, actor(grant))
    return _recorded(events, "encounter_id")


@router.post("/survivors/{survivor_id}/diagnoses", status_code=201)
async def record_diagnosis(
    survivor_id: UUID, body: DiagnosisBody, grant: Record, med: MedDep
) -> Recorded:
    """Record an ICD-11 coded diagnosis from the shipped subset (or correct one)."""
    events = await handle.record_entry(med, survivor_id, body, actor(grant))
    return _recorded(events, "diagnosis_id")


@router.post("/survivors/{survivor_id}/treatments", status_code=201)
async def record_treatment(
    survivor_id: UUID, body: TreatmentBody, grant: Record, med: MedDep
) -> Recorded:
    """Record a treatment (medication with dose and duration, procedure, therapy)."""
    events = await handle.record_entry(med, survivor_id, body, actor(grant))
    return _recorded(events, "treatment_id")


@router.post("/survivors/{survivor_id}/specialist-referrals", status_code=201)
async def refer_to_specialist(
    survivor_id: UUID, body: SpecialistBody, grant: Record, med: MedDep
) -> Recorded:
    """Refer the survivor to a specialist."""
    events = await handle.record_care(med, survivor_id, body, actor(grant))
    return _recorded(events, "specialist_referral_id")


@router.post("/survivors/{survivor_id}/specialist-referrals/{referral_id}/outcome", status_code=201)
async def specialist_outcome(
    survivor_id: UUID, referral_id: UUID, body: OutcomeBody, grant: Record, med: MedDep
) -> Recorded:
    """Record what came of a specialist referral."""
    events = await handle.record_care(med, survivor_id, body, actor(grant), referral_id)
    return _recorded(events, "specialist_referral_id")


@router.post("/survivors/{survivor_id}/follow-ups", status_code=201)
async def schedule_follow_up(
    survivor_id: UUID, body: FollowUpBody, grant: Record, med: MedDep
) -> Recorded:
    """Book a follow-up appointment."""
    return _recorded(await handle.record_care(med, survivor_id, body, actor(grant)), "follow_up_id")


@router.post("/survivors/{survivor_id}/follow-ups/{follow_up_id}/attendance", status_code=201)
async def follow_up_attendance(
    survivor_id: UUID, follow_up_id: UUID, body: AttendanceBody, grant: Record, med: MedDep
) -> Recorded:
    """Record whether a follow-up was kept."""
    events = await handle.record_care(med, survivor_id, body, actor(grant), follow_up_id)
    return _recorded(events, "follow_up_id")


@router.get("/survivors/{survivor_id}/record", response_model=answers.MedicalRecord)
async def read_record(survivor_id: UUID, grant: Read, med: MedDep) -> answers.MedicalRecord:
    """The survivor's medical record: encounters, every entry (current and superseded), grading,
    reports, evidence and forms; free text per the clinical_notes and medico_legal rules."""
    who = await queries.survivor(med.store.pool, survivor_id)
    erased = who is not None and who["erasure_requested_at"] is not None
    read = views.Reader(med.keys.sealer, survivor_id, erased=erased)
    found = await queries.record(med.store.pool, survivor_id)
    notes, medico_legal = grant.sees("clinical_notes"), grant.sees("medico_legal")
    entries = [await views.entry(row, read) for row in found["entries"]] if notes else []
    return answers.MedicalRecord.model_validate(
        {
            "survivor_id": str(survivor_id),
            "case_number": who["case_number"] if who is not None else None,
            "encounters": [
                {
                    "encounter_id": str(r["encounter_id"]),
                    "recorded_at": r["recorded_at"].isoformat(),
                    **(
                        await read.payload("EncounterOpened", r["payload"])
                        if notes
                        else {"kind": r["kind"], "occurred_at": r["occurred_at"].isoformat()}
                    ),
                }
                for r in found["encounters"]
            ],
            "entries": entries,
            "evaluations": (
                [await views.evaluation(r, read) for r in found["evaluations"]]
                if medico_legal
                else []
            ),
            "reports": [views.plain(r) for r in found["reports"]],
            "evidence": (
                [await views.evidence(r, read) for r in found["evidence"]] if medico_legal else []
            ),
            "forms": [views.plain(r) for r in found["forms"]],
        }
    )


@router.get("/survivors/{survivor_id}/summary", response_model=answers.MedicalSummary)
async def summary(survivor_id: UUID, grant: SummaryRead, med: MedDep) -> answers.MedicalSummary:
    """That the survivor was examined (when, what kind) and each overall evaluation: for
    counsellors as well as clinicians; no findings, no notes."""
    found = await queries.record(med.store.pool, survivor_id)
    overall = {str(r["encounter_id"]): r["overall_level"] for r in found["evaluations"]}
    return answers.MedicalSummary.model_validate(
        {
            "survivor_id": str(survivor_id),
            "examinations": [
                {
                    "encounter_id": str(r["encounter_id"]),
                    "kind": r["kind"],
                    "occurred_on": r["occurred_at"].date().isoformat(),
                    "overall_evaluation": overall.get(str(r["encounter_id"])),
                }
                for r in found["encounters"]
            ],
            "reports_signed": len(found["reports"]),
        }
    )


@router.get(
    "/aggregates", dependencies=[Depends(no_date_ranges)], response_model=answers.Aggregates
)
async def aggregates(grant: AggregateRead, med: MedDep) -> answers.Aggregates:
    """Programme figures (no survivor-level data), each count randomly rounded to a multiple of
    5; survivors without consent to de-identified reporting are not counted."""
    pool = med.store.pool
    return answers.Aggregates.model_validate(
        figures.aggregates(await queries.aggregates(pool), await publisher(pool))
    )


@router.get("/icd11", response_model=answers.Icd11Subset)
async def icd11_subset(principal: CurrentPrincipal) -> answers.Icd11Subset:
    """The ICD-11 codes this service accepts, with titles (any signed-in staff member)."""
    return answers.Icd11Subset.model_validate(
        {
            "codes": [
                {"code": e.code, "title": e.title, "kind": e.kind} for e in icd11.table().values()
            ]
        }
    )
