"""The erasure saga (Data Protection Act s.40): request, intake's own key, everyone's confirmation.

1. The data protection officer records a request: `intake.ErasureRequested` (its own `erasure`
   stream) naming the services that must confirm; records merged into the survivor's get a
   request of their own.
2. In the same transaction intake destroys its data key for the survivor and records
   `intake.DataKeyDestroyed`, its own confirmation.
3. Every other service named destroys its key and publishes `<service>.DataKeyDestroyed`;
   intake's consumers record each confirmation (consumers.py).
4. When every named service has confirmed: `intake.ErasureCompleted`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts.vocabularies import ServiceName
from uponyaji_events.eat import today
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.sealing import KeyStore

from .. import domain
from ..schemas import ErasureBody
from .base import Intake, Tx, survivor_tx

SAGA_ACTOR = Actor.system("intake-erasure")


async def request_erasure(
    intake: Intake, survivor_id: UUID, body: ErasureBody, actor: Actor
) -> list[Event]:
    """Record the request, destroy intake's key, confirm; complete if intake is the only one."""
    received_on = body.received_on or today()
    services = [ServiceName(name) for name in intake.participants]
    stored: list[Event] = []
    async with survivor_tx(intake, survivor_id) as tx:
        domain.admissible(tx.state, domain.RequestErasure)
        targets = [survivor_id, *tx.state.absorbed]
        for target in targets:
            state = tx.state if target == survivor_id else await tx.state_of(target)
            if target != survivor_id and state.erasure_requested:
                continue  # a merged record erased on its own earlier
            request_id = uuid4()
            details = c.ErasureRequested(
                request_id=request_id,
                survivor_id=target,
                case_number=state.case_number or "",  # registered: admissible checked
                received_on=received_on,
                services=services,
            )
            events = domain.decide(state, domain.RequestErasure(details))
            stored += await tx.record("erasure", request_id, 0, events, actor)
            stored += await _destroy_own_key(tx, request_id, target)
            stored += await complete_if_confirmed(tx, request_id)
    for target in targets:
        await intake.keys.forget(target)  # this process's key cache, now that it is committed
    return stored


async def _destroy_own_key(tx: Tx, request_id: UUID, survivor_id: UUID) -> list[Event]:
    key_id = await tx.conn.fetchval(
        "SELECT key_id FROM sealing_keys WHERE subject_id = $1 AND destroyed_at IS NULL",
        str(survivor_id),
    )
    await KeyStore(tx.conn, tx.intake.keys.kek, cache_size=0).destroy(survivor_id)
    at = datetime.now(UTC)
    event = domain.key_destroyed(
        request_id, survivor_id, UUID(str(key_id)) if key_id is not None else None, at
    )
    return await tx.record("erasure", request_id, 1, [event], SAGA_ACTOR)


async def complete_if_confirmed(tx: Tx, request_id: UUID) -> list[Event]:
    """Record ErasureCompleted when every service named in the request has confirmed."""
    await tx.conn.execute(
        "SELECT 1 FROM erasure_requests WHERE request_id = $1 FOR UPDATE", request_id
    )  # confirmations arriving together are counted one after the other
    state = domain.fold_erasure(await tx.load(request_id))
    if state.request_id is None:
        return []
    rows = await tx.conn.fetch(
        "SELECT service, event_id FROM erasure_confirmations WHERE request_id = $1", request_id
    )
    known = {ServiceName(r["service"]): r["event_id"] for r in rows if r["service"] in _NAMES}
    events = domain.decide_erasure(state, domain.ConfirmErasure(known))
    if not events:
        return []
    return await tx.record("erasure", request_id, state.version, events, SAGA_ACTOR)


_NAMES = frozenset(name.value for name in ServiceName)
