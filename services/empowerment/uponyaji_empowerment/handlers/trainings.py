"""Courses, sessions with group attendance, completions, and answers to intake's referrals."""

from __future__ import annotations

from uuid import UUID, uuid4

from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..errors import AlreadyAnswered, NotFound, SurvivorErased
from ..schemas import CompletionBody, CourseBody, ReferralAnswerBody, SessionBody
from .base import Empowerment, intake_facts, survivor_tx


async def open_course(em: Empowerment, body: CourseBody, actor: Actor) -> list[Event]:
    """Open a course (a stream of its own)."""
    course_id = uuid4()
    command = domain.OpenCourse(
        course_id, body.title, body.skill, body.starts_on, body.sessions_planned
    )
    async with em.unit_of_work() as uow:
        return await uow.append("course", course_id, 0, domain.decide_course(command), actor=actor)


async def hold_session(
    em: Empowerment, course_id: UUID, body: SessionBody, actor: Actor
) -> list[Event]:
    """Record a session's attendance; every survivor listed must pass the gate."""
    async with em.unit_of_work() as uow:
        conn = uow.conn
        course = await conn.fetchrow(
            "SELECT starts_on, sessions_planned, sessions_held FROM courses "
            "WHERE course_id = $1 FOR UPDATE",
            course_id,
        )
        if course is None:
            raise NotFound(f"no course {course_id}")
        # Lock in id order so two sessions naming the same survivors cannot deadlock.
        for who in sorted({a.survivor_id for a in body.attendance}):
            domain.admissible(await intake_facts(conn, who, lock=True))
        command = domain.HoldSession(
            course_id=course_id,
            session_id=uuid4(),
            held_on=body.held_on or em.today(),
            attendance=tuple((a.survivor_id, a.present) for a in body.attendance),
            course_starts_on=course["starts_on"],
            sessions_held=course["sessions_held"],
            sessions_planned=course["sessions_planned"],
            today=em.today(),
        )
        version = 1 + int(course["sessions_held"])
        return await uow.append(
            "course", course_id, version, domain.decide_session(command), actor=actor
        )


async def complete_training(
    em: Empowerment, survivor_id: UUID, course_id: UUID, body: CompletionBody, actor: Actor
) -> list[Event]:
    """Record that the survivor completed a course, with the sessions they attended."""
    async with survivor_tx(em, survivor_id) as tx:
        starts_on = await tx.conn.fetchval(
            "SELECT starts_on FROM courses WHERE course_id = $1", course_id
        )
        if starts_on is None:
            raise NotFound(f"no course {course_id}")
        attended = await tx.conn.fetchval(
            "SELECT count(*) FROM course_attendance "
            "WHERE course_id = $1 AND survivor_id = $2 AND present",
            course_id,
            survivor_id,
        )
        command = domain.CompleteTraining(
            course_id,
            survivor_id,
            body.completed_on or em.today(),
            int(attended),
            starts_on,
            em.today(),
        )
        return await tx.run(command, actor)


async def answer_referral(
    em: Empowerment,
    survivor_id: UUID,
    referral_id: UUID,
    body: ReferralAnswerBody,
    actor: Actor,
    staff: UUID,
) -> list[Event]:
    """Accept or decline a referral (one answer, on a stream named by the referral's id).

    Consent is not asked for: a referral may be answered before empowerment consent is recorded,
    and declining one must always be possible. An erased survivor's referral is not answered.
    """
    async with em.unit_of_work() as uow:
        conn = uow.conn
        facts = await intake_facts(conn, survivor_id, lock=True)
        if facts.erased:
            raise SurvivorErased("the survivor's erasure was requested: nothing is recorded")
        status = await conn.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1 FOR UPDATE", referral_id
        )
        if status is None:
            raise NotFound(f"no referral {referral_id}")
        if status == "cancelled":
            raise AlreadyAnswered("intake cancelled the referral: no answer is due")
        sealer = em.keys.bound(conn)
        note = None
        if body.note is not None:
            context = "empowerment.ReferralAnswered/note"
            note = await sealer.seal(survivor_id, context, body.note, record=str(referral_id))
        command = domain.AnswerReferral(
            referral_id, survivor_id, body.decision, staff, note, status != "pending", em.today()
        )
        return await uow.append(
            "referral", referral_id, 0, domain.decide_referral(command), actor=actor
        )
