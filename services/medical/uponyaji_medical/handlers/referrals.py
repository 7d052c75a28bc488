"""Answering intake's referrals to medical: accepted or declined, with an event intake follows."""

from __future__ import annotations

from uuid import UUID

from uponyaji_events.contracts import medical as m
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..errors import AlreadyAnswered, NotFound
from ..schemas import DecisionBody
from .base import Medical, survivor_tx


async def answer(
    med: Medical, survivor_id: UUID, referral_id: UUID, body: DecisionBody, actor: Actor
) -> list[Event]:
    """Accept or decline a pending referral (once); the note is sealed."""
    async with survivor_tx(med, survivor_id, allow_closed=True) as tx:
        status = await tx.conn.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1 AND survivor_id = $2 FOR UPDATE",
            referral_id,
            survivor_id,
        )
        if status is None:
            raise NotFound(f"no referral {referral_id} of this survivor to medical")
        if status != "pending" or await tx.uow.load(referral_id):
            raise AlreadyAnswered(f"the referral was already {status}")
        accepted = body.decision is m.ReferralDecision.ACCEPTED
        name = "ReferralAccepted" if accepted else "ReferralDeclined"
        note = await tx.seal(f"medical.{name}/note", body.note, record=referral_id)
        model = m.ReferralAccepted if accepted else m.ReferralDeclined
        payload = model(referral_id=referral_id, survivor_id=survivor_id, note=note)
        return await tx.uow.append(
            "referral", referral_id, 0, [domain.new_event(payload)], actor=actor
        )
