"""Intake's events → local tables: survivors, caseload, consent, closure, erasure, referrals.

The service factory runs one kernel `Consumer` of intake with `on_intake_event` (NATS as the fast
path, intake's feed, read with empowerment's service token, to repair gaps; see
docs/service-shape.md). The tables and their handling are the shared `IntakeTables`; empowerment
adds the survivor's county and the referrals addressed to it. On `intake.ErasureRequested` this
service destroys its data key for the survivor and confirms with `empowerment.DataKeyDestroyed`,
in the consumer's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from uponyaji_events.contracts import intake as i
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_service.intake_tables import IntakeTables, referrals_to

from . import domain
from .handlers import Empowerment
from .settings import SERVICE


def _registered(payload: i.SurvivorRegistered, _event: Event) -> Mapping[str, object]:
    return {"county_code": payload.county_code}


async def _referral_status(conn: Conn, payload: i.ReferralStatusChanged, _event: Event) -> None:
    if payload.status.value == "cancelled":  # intake withdrew it: no answer is due
        await conn.execute(
            "UPDATE referrals SET status = 'cancelled' "
            "WHERE referral_id = $1 AND status = 'pending'",
            payload.referral_id,
        )


def intake_tables(em: Empowerment) -> IntakeTables:
    """Empowerment's local tables fed by intake: the shared ones, county and referrals."""
    return IntakeTables(
        SERVICE,
        em.store,
        em.keys,
        domain.contracts(),
        registration=_registered,
        extra={
            "intake.ReferralMade": referrals_to(SERVICE, "referred_at"),
            "intake.ReferralStatusChanged": _referral_status,
        },
    )


async def on_intake_event(em: Empowerment, conn: Conn, event: Event) -> None:
    """Apply one intake event to the local tables (events we do not need are skipped)."""
    await intake_tables(em).apply(conn, event)
