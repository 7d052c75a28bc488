"""Intake's events → local tables: survivors, assignment, consent, closure, merge and erasure.

The service factory runs one kernel `Consumer` of intake with `on_intake_event` (NATS as the fast
path, intake's feed, read with psychosocial's service token, to repair gaps; see
docs/service-shape.md). The tables and their handling are the shared `IntakeTables`; on
`intake.ErasureRequested` this service destroys its data key for the survivor and confirms with
`psychosocial.DataKeyDestroyed`, in the consumer's transaction.
"""

from __future__ import annotations

from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_service.intake_tables import IntakeTables

from . import domain
from .handlers import Psychosocial
from .settings import SERVICE


def intake_tables(ps: Psychosocial) -> IntakeTables:
    """Psychosocial's local tables fed by intake (nothing beyond the shared ones)."""
    return IntakeTables(SERVICE, ps.store, ps.keys, domain.contracts())


async def on_intake_event(ps: Psychosocial, conn: Conn, event: Event) -> None:
    """Apply one intake event to the local tables (events we do not need are skipped)."""
    await intake_tables(ps).apply(conn, event)
