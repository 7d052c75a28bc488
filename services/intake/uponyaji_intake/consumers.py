"""Events from other services: key-destruction confirmations (erasure saga) and identity's teams.

One kernel `Consumer` per source service (the service factory runs them; `sources` names them
from the settings): every erasure participant but intake, and identity when the launcher started
it. Their feeds are read with intake's service token (docs/service-shape.md).
"""

from __future__ import annotations

from uuid import UUID

from uponyaji_events.contracts import kernel
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event

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
