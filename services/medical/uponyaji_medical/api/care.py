"""Routes listing a survivor's care after an examination: specialist referrals and follow-ups."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from .. import queries, views
from .. import responses as answers
from .deps import MedDep, Read

router = APIRouter(tags=["clinical record"])


async def _reader(med: MedDep, survivor_id: UUID) -> views.Reader:
    who = await queries.survivor(med.store.pool, survivor_id)
    erased = who is not None and who["erasure_requested_at"] is not None
    return views.Reader(med.keys.sealer, survivor_id, erased=erased)


@router.get(
    "/survivors/{survivor_id}/specialist-referrals", response_model=answers.SpecialistReferrals
)
async def specialist_referrals(
    survivor_id: UUID, grant: Read, med: MedDep
) -> answers.SpecialistReferrals:
    """The survivor's referrals to specialists with their latest outcome, oldest first; the
    reason and the outcome's note per the clinical_notes rule."""
    read = await _reader(med, survivor_id)
    rows = await queries.care(med.store.pool, survivor_id, "SpecialistReferralMade")
    notes = grant.sees("clinical_notes")
    return answers.SpecialistReferrals.model_validate(
        {
            "survivor_id": str(survivor_id),
            "specialist_referrals": [
                await views.specialist_referral(r, read, notes=notes) for r in rows
            ],
        }
    )


@router.get("/survivors/{survivor_id}/follow-ups", response_model=answers.FollowUps)
async def follow_ups(survivor_id: UUID, grant: Read, med: MedDep) -> answers.FollowUps:
    """The survivor's follow-up appointments with their attendance, oldest first."""
    rows = await queries.care(med.store.pool, survivor_id, "FollowUpScheduled")
    today = med.today()
    return answers.FollowUps.model_validate(
        {
            "survivor_id": str(survivor_id),
            "follow_ups": [views.follow_up(r, today) for r in rows],
        }
    )
