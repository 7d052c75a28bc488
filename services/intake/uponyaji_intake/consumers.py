"""Events from other services: key destructions (erasure saga), answers to referrals, teams.

One kernel `Consumer` per source service (the service factory runs them; `sources` names them
from the settings): every erasure participant but intake, and identity when the launcher started
it. Their feeds are read with intake's service token (docs/service-shape.md).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from uuid import UUID

from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts import kernel
from uponyaji_events.contracts.vocabularies import ReferralStatus
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.errors import UponyajiError

from . import domain
from .handlers import Intake, Tx
from .handlers.erasure import complete_if_confirmed
from .projections import record_confirmation
from .settings import Settings


async def on_key_destroyed(intake: Intake, conn: Conn, event: Event) -> None:
    """Record another service's DataKeyDestroyed; complete the request if it was the last one."""
    service, _, name = event.type.partition(".")
    if name != "DataKeyDestroyed" or service == "intake":
        return
    payload = kernel.DataKeyDestroyed.model_validate(event.payload)
    await record_confirmation(conn, service, event.event_id, event.payload)
    # A confirmation needs no survivor's rules: the transaction carries an empty state.
    tx = Tx.on(intake, intake.on(conn))
    await complete_if_confirmed(tx, payload.request_id)


# Two shapes of answer: medical's own pair of events, and the generic `<service>.ReferralAnswered`
# (contracts/referrals.py) whose `decision` is accepted or declined (empowerment's).
ANSWERS = {"medical.ReferralAccepted": "accepted", "medical.ReferralDeclined": "declined"}
DECISIONS = frozenset({"accepted", "declined"})
ANSWER_ACTOR = Actor.system("intake-referral-follow")
log = logging.getLogger("uponyaji.intake.consumers")


def answer_status(event: Event) -> str | None:
    """The referral status a receiving service's answer asks for (None: not an answer)."""
    if event.type in ANSWERS:
        return ANSWERS[event.type]
    _, _, name = event.type.partition(".")
    decision = event.payload.get("decision")
    if name == "ReferralAnswered" and decision in DECISIONS:
        return str(decision)
    return None


async def on_referral_answer(intake: Intake, conn: Conn, event: Event) -> None:
    """Make a referral's status follow the receiving service's answer (same transaction).

    Medical answers with `medical.ReferralAccepted`/`ReferralDeclined`, other services with the
    generic `<service>.ReferralAnswered`. An answer to an unknown referral, one already in that
    status, one from a service the referral was not made to, or one intake's rules refuse
    (answered or cancelled meanwhile, survivor erased) is logged and skipped, never retried as
    poison.
    """
    status = answer_status(event)
    if status is None:
        return
    survivor_id = UUID(str(event.payload["survivor_id"]))
    referral_id = UUID(str(event.payload["referral_id"]))
    tx = Tx.on(intake, intake.on(conn))
    tx = replace(tx, state=await tx.state_of(survivor_id))
    referral = domain.fold_referral(await tx.load(referral_id))
    if referral.referral_id is None or referral.status == status:
        return
    if referral.target is not None and referral.target != event.type.partition(".")[0]:
        log.warning("referral answer from a service it was not made to; skipped")
        return
    details = c.ReferralStatusChanged(
        referral_id=referral_id,
        survivor_id=survivor_id,
        status=ReferralStatus(status),
        note=None,
        source_event_id=event.event_id,
    )
    try:
        events = domain.decide_referral(referral, tx.state, domain.UpdateReferralStatus(details))
    except UponyajiError as refused:
        log.warning("referral answer not applied (%s)", type(refused).__name__)
        return
    await tx.record("referral", referral_id, referral.version, events, ANSWER_ACTOR)


async def on_participant_event(intake: Intake, conn: Conn, event: Event) -> None:
    """A participant service's event: key destructions, and answers to referrals."""
    await on_key_destroyed(intake, conn, event)
    await on_referral_answer(intake, conn, event)


async def on_identity_event(conn: Conn, event: Event) -> None:
    """Remember identity's teams (id and name), to resolve team names such as the demo teams."""
    if event.type == "identity.TeamCreated":
        await conn.execute(
            "INSERT INTO teams (team_id, name) VALUES ($1, $2) ON CONFLICT (team_id) "
            "DO UPDATE SET name = $2",
            UUID(event.payload["team_id"]),
            event.payload["name"],
        )


def sources(settings: Settings) -> list[str]:
    """The services intake follows: every erasure participant but itself; identity if started."""
    names = {name for name in settings.participants() if name != "intake"}
    if settings.service_url("identity") is not None:
        names.add("identity")
    return sorted(names)
