"""Intake's events → local tables: survivors, caseload, consent, closure, merges, referrals,
erasure.

The tables and their handling are the shared `IntakeTables`; medical adds the registration time,
the referrals addressed to it, and, on `intake.ErasureRequested`, the deletion of the survivor's
sealed evidence files beside the destruction of their data key (confirmed with
`medical.DataKeyDestroyed`, all in the consumer's transaction; a re-delivery is a no-op).
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from uponyaji_events.contracts import intake as i
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_service.intake_tables import IntakeTables, referrals_to

from . import domain
from .handlers import Medical
from .settings import SERVICE


def _registered(_payload: i.SurvivorRegistered, event: Event) -> Mapping[str, object]:
    return {"registered_at": event.recorded_at}


async def _referral_status(conn: Conn, payload: i.ReferralStatusChanged, _event: Event) -> None:
    # Answered or cancelled in intake (its own API, or following our answer): no longer pending
    # here either.
    await conn.execute(
        "UPDATE referrals SET status = $2, answered_at = coalesce(answered_at, now()) "
        "WHERE referral_id = $1 AND status = 'pending'",
        payload.referral_id,
        payload.status.value,
    )


async def _delete_evidence(conn: Conn, survivor_id: UUID) -> None:
    await conn.execute("DELETE FROM evidence_blobs WHERE survivor_id = $1", survivor_id)


def intake_tables(med: Medical) -> IntakeTables:
    """Medical's local tables fed by intake: the shared ones, referrals and evidence files."""
    return IntakeTables(
        SERVICE,
        med.store,
        med.keys,
        domain.contracts(),
        registration=_registered,
        extra={
            "intake.ReferralMade": referrals_to(SERVICE, "made_at"),
            "intake.ReferralStatusChanged": _referral_status,
        },
        on_erasure=_delete_evidence,
    )


async def on_intake_event(med: Medical, conn: Conn, event: Event) -> None:
    """Apply one intake event to the local tables (events we do not need are skipped)."""
    await intake_tables(med).apply(conn, event)
