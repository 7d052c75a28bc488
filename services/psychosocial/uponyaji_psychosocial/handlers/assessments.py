"""Administering instruments and correcting administrations (risk flags come with them)."""

from __future__ import annotations

from uuid import UUID, uuid4

from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..schemas import AssessmentBody, CorrectionBody
from .base import Psychosocial, run, survivor_tx


async def record_assessment(
    ps: Psychosocial, survivor_id: UUID, body: AssessmentBody, actor: Actor
) -> list[Event]:
    """Score and record an administration; PHQ-9 item 9 above 0 also raises a risk flag."""
    now = ps.clock()
    administered_at = body.administered_at or now
    assessment_id = uuid4()
    async with survivor_tx(ps, survivor_id) as tx:
        domain.consented_before(
            "the assessment",
            eat_date(administered_at),
            tx.facts.consent_since,
            retrospective=body.retrospective_reason is not None,
        )
        reason = await tx.seal(
            "psychosocial.AssessmentRecorded",
            "retrospective_reason",
            body.retrospective_reason,
            record=assessment_id,
        )
        command = domain.RecordAssessment(
            assessment_id=assessment_id,
            survivor_id=survivor_id,
            instrument=body.instrument,
            responses=tuple(body.responses),
            administered_at=administered_at,
            now=now,
            flag_id=uuid4(),
            retrospective_reason=reason,
        )
        return await run(tx, command, actor)


async def correct_assessment(
    ps: Psychosocial, survivor_id: UUID, supersedes: UUID, body: CorrectionBody, actor: Actor
) -> list[Event]:
    """Record a corrected administration that supersedes a current one, with a sealed reason."""
    assessment_id = uuid4()
    async with survivor_tx(ps, survivor_id) as tx:
        reason = await tx.seal(
            "psychosocial.AssessmentCorrected", "reason", body.reason, record=assessment_id
        )
        assert reason is not None
        command = domain.CorrectAssessment(
            assessment_id=assessment_id,
            survivor_id=survivor_id,
            supersedes=supersedes,
            instrument=body.instrument,
            responses=tuple(body.responses),
            administered_at=body.administered_at,
            reason=reason,
            now=ps.clock(),
            flag_id=uuid4(),
        )
        return await run(tx, command, actor)
