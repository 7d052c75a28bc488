"""Logging counselling sessions: one stream per session, notes sealed per participant."""

from __future__ import annotations

from uuid import UUID, uuid4

from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..schemas import PlanBody, SessionBody
from .base import Psychosocial, intake_facts, run, survivor_tx

EVENT = "psychosocial.SessionRecorded"
NOTES = "participants[].notes"


async def record_session(
    ps: Psychosocial, survivor_id: UUID, body: SessionBody, actor: Actor
) -> list[Event]:
    """Log a session with the path's survivor first; every participant must pass the gate."""
    session_id = uuid4()
    wanted = [(survivor_id, body.attendance, body.notes)]
    wanted += [(p.survivor_id, p.attendance, p.notes) for p in body.other_participants]
    async with ps.unit_of_work() as uow:
        conn = uow.conn
        # Lock in id order so two sessions naming the same survivors cannot deadlock.
        retrospective = body.retrospective_reason is not None
        for other in sorted({s for s, _, _ in wanted}):
            facts = await intake_facts(conn, other, lock=True)
            domain.admissible(facts)
            domain.consented_before(
                "the session", body.held_on, facts.consent_since, retrospective=retrospective
            )
        flags = await conn.fetch(
            "SELECT survivor_id, flag_id, raised_at FROM risk_flags "
            "WHERE status = 'open' AND survivor_id = ANY($1::uuid[])",
            [who for who, _, _ in wanted],
        )
        open_flags = tuple(
            domain.OpenFlag(f["survivor_id"], f["flag_id"], eat_date(f["raised_at"])) for f in flags
        )
        sealer = ps.keys.bound(conn)
        participants = []
        for who, attendance, notes in wanted:
            sealed = None
            if notes is not None:
                sealed = await sealer.seal(who, f"{EVENT}/{NOTES}", notes, record=str(session_id))
            participants.append(domain.Participant(who, attendance, sealed))
        # Notes and reason are bound to the session (sealed v2 with its id as the record).
        # The reason is the session's, sealed under the path's survivor (whose record it is).
        reason = None
        if body.retrospective_reason is not None:
            reason = await sealer.seal(
                survivor_id,
                f"{EVENT}/retrospective_reason",
                body.retrospective_reason,
                record=str(session_id),
            )
        command = domain.RecordSession(
            session_id=session_id,
            kind=body.kind,
            held_on=body.held_on,
            duration_minutes=body.duration_minutes,
            approach=body.approach,
            place=body.place,
            participants=tuple(participants),
            today=ps.today(),
            interpreter=body.interpreter,
            interpreter_language=body.interpreter_language,
            open_flags=open_flags,
            retrospective_reason=reason,
        )
        events = domain.decide_session(command)
        return await uow.append("session", session_id, 0, events, actor=actor)


async def plan_session(
    ps: Psychosocial, survivor_id: UUID, body: PlanBody, actor: Actor
) -> list[Event]:
    """Plan the survivor's next session (or clear the plan); a day in the past is refused."""
    async with survivor_tx(ps, survivor_id) as tx:
        command = domain.PlanSession(survivor_id, body.planned_on, ps.today())
        return await run(tx, command, actor)
