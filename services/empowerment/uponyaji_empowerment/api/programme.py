"""Routes of the caseload and the programme: follow-ups due, referrals, courses, outcomes."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from uponyaji_access import AccessDep, Listing
from uponyaji_service import DirectRoute
from uponyaji_service.figures import no_date_ranges, publisher

from .. import programme, queries
from .. import responses as answers
from ..handlers.trainings import answer_referral, hold_session, open_course
from ..schemas import CourseBody, ReferralAnswerBody, SessionBody
from .deps import (
    AnswerReferral,
    CourseManage,
    EmDep,
    FollowUpsRead,
    OutcomesRead,
    ReferralsRead,
    actor,
    written,
)

router = APIRouter(tags=["programme"], route_class=DirectRoute)


class ReferralStatus(StrEnum):
    """Which referrals to list."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    ALL = "all"


@router.get("/follow-ups/due", response_model=answers.FollowUpsDue)
async def due(
    grant: FollowUpsRead,
    em: EmDep,
    listed: Listing,
    within_days: Annotated[int, Query(ge=0, le=366)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> answers.FollowUpsDue:
    """Follow-ups not held, due by today + `within_days` (0: overdue and due today)."""
    now = em.today()
    rows = await queries.follow_ups_due(
        em.store.pool, grant.caseload_filter(), now + timedelta(days=within_days), limit
    )
    await listed.filtered(grant, (r["survivor_id"] for r in rows))
    return answers.FollowUpsDue.model_validate(
        {
            "follow_ups": [
                {
                    "survivor_id": str(r["survivor_id"]),
                    "case_number": r["case_number"],
                    "milestone": r["milestone"],
                    "due_on": r["due_on"].isoformat(),
                    "overdue": r["due_on"] < now,
                }
                for r in rows
            ]
        }
    )


@router.get("/referrals", response_model=answers.Referrals)
async def referrals(
    grant: ReferralsRead,
    em: EmDep,
    listed: Listing,
    status: ReferralStatus = ReferralStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> answers.Referrals:
    """Intake's referrals to empowerment on your caseload, oldest first."""
    wanted = None if status is ReferralStatus.ALL else status.value
    rows = await queries.referrals(em.store.pool, grant.caseload_filter(), wanted, limit)
    await listed.filtered(grant, (r["survivor_id"] for r in rows))
    return answers.Referrals.model_validate(
        {
            "referrals": [
                {
                    "referral_id": str(r["referral_id"]),
                    "survivor_id": str(r["survivor_id"]),
                    "case_number": r["case_number"],
                    "urgency": r["urgency"],
                    "status": r["status"],
                    "referred_at": r["referred_at"].isoformat(),
                    "answered_on": r["answered_on"].isoformat() if r["answered_on"] else None,
                }
                for r in rows
            ]
        }
    )


@router.post(
    "/referrals/{referral_id}/answer", status_code=201, response_model=answers.ReferralAnswered
)
async def answer(
    referral_id: UUID, body: ReferralAnswerBody, grant: AnswerReferral, em: EmDep
) -> answers.ReferralAnswered:
    """Accept or decline a referral (an `empowerment.ReferralAnswered` event for intake)."""
    assert grant.survivor_id is not None
    events = await answer_referral(
        em, grant.survivor_id, referral_id, body, actor(grant), grant.principal.staff_id
    )
    return answers.ReferralAnswered.model_validate(
        {
            "referral_id": str(referral_id),
            "decision": body.decision.value,
            "events": written(events),
        }
    )


@router.post("/courses", status_code=201, response_model=answers.CourseOpened)
async def new_course(body: CourseBody, grant: CourseManage, em: EmDep) -> answers.CourseOpened:
    """Open a training course."""
    events = await open_course(em, body, actor(grant))
    return answers.CourseOpened.model_validate(
        {"course_id": events[0].stream_id, "events": written(events)}
    )


@router.get("/courses", response_model=answers.Courses)
async def courses(grant: CourseManage, em: EmDep) -> answers.Courses:
    """Courses with sessions held, survivors enrolled and completions (counts only)."""
    return answers.Courses.model_validate(
        {
            "courses": [
                {
                    "course_id": str(r["course_id"]),
                    "title": r["title"],
                    "skill": r["skill"],
                    "starts_on": r["starts_on"].isoformat(),
                    "sessions_planned": r["sessions_planned"],
                    "sessions_held": r["sessions_held"],
                    "enrolled": r["enrolled"],
                    "completed": r["completed"],
                }
                for r in await queries.courses(em.store.pool)
            ]
        }
    )


@router.post("/courses/{course_id}/sessions", status_code=201, response_model=answers.SessionHeld)
async def session(
    course_id: UUID,
    body: SessionBody,
    grant: CourseManage,
    em: EmDep,
    access: AccessDep,
    request: Request,
) -> answers.SessionHeld:
    """Record a held session with attendance; each survivor must be on your caseload."""
    for attendee in body.attendance:
        await access.authorize(
            grant.principal,
            "empowerment.record",
            survivor_level=True,
            survivor_id=attendee.survivor_id,
            purpose=grant.purpose,
            method=request.method,
            route="/courses/{course_id}/sessions",
        )
    events = await hold_session(em, course_id, body, actor(grant))
    return answers.SessionHeld.model_validate(
        {"session_id": events[0].payload["session_id"], "events": written(events)}
    )


@router.get("/outcomes", dependencies=[Depends(no_date_ranges)], response_model=answers.Outcomes)
async def outcomes(grant: OutcomesRead, em: EmDep) -> answers.Outcomes:
    """Programme outcomes over every survivor followed up who consented to de-identified
    reporting, each count randomly rounded to a multiple of 5."""
    pool = em.store.pool
    summary = programme.outcome_summary(
        await queries.outcome_points(pool), await queries.trained(pool), await publisher(pool)
    )
    return answers.Outcomes.model_validate({"deidentified": True, **summary})
