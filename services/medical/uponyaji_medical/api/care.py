"""Routes listing care after an examination: a survivor's specialist referrals and follow-ups,
and the clinic's appointment book of follow-ups across its caseload."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from asyncpg import Record
from fastapi import APIRouter, Query
from uponyaji_access import Listing
from uponyaji_service import DirectRoute

from .. import queries, views
from .. import responses as answers
from ..errors import InvalidCommand
from .deps import ListRead, MedDep, Read

router = APIRouter(tags=["clinical record"], route_class=DirectRoute)


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


BOOK_DAYS = 31  # the longest range the appointment book answers at once


@router.get("/follow-ups", response_model=answers.AppointmentBook)
async def appointment_book(
    grant: ListRead,
    med: MedDep,
    listed: Listing,
    first: Annotated[date | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=BOOK_DAYS)] = 7,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> answers.AppointmentBook:
    """Follow-ups due on `days` days from `from` (today in East Africa Time when not given), on
    your caseload, by day then case number; and those due before, never recorded as kept or
    missed."""
    today = med.today()
    start = first or today
    if start.year < 2000 or start.year > 2100:
        raise InvalidCommand(f"from: {start.isoformat()} is not a day the clinic books")
    last = start + timedelta(days=days - 1)
    booked, unrecorded = await queries.booked_follow_ups(
        med.store.pool, grant.caseload_filter(), (start, last), limit
    )
    await listed.filtered(grant, (r["survivor_id"] for r in (*booked, *unrecorded)))

    def entry(row: Record) -> dict[str, object]:
        return {
            **views.follow_up(row, today),
            "survivor_id": str(row["survivor_id"]),
            "case_number": row["case_number"],
        }

    return answers.AppointmentBook.model_validate(
        {
            "first_day": start.isoformat(),
            "last_day": last.isoformat(),
            "follow_ups": [entry(r) for r in booked],
            "unrecorded": [entry(r) for r in unrecorded],
        }
    )
