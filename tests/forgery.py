"""Forging events as a compromised broker would: the right NATS user, the wrong signing key."""

from __future__ import annotations

import uuid
from dataclasses import replace

from natskit import nats_credentials
from pydantic import BaseModel
from uponyaji_events.codec import encode_event, event_hash
from uponyaji_events.envelope import GENESIS_HASH, Actor, Event, new_event_id, utc_now
from uponyaji_events.natsconn import connect
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_launcher.nats import EmbeddedNats


async def forge_event(
    store: EventStore,
    server: EmbeddedNats,
    service: str,
    stream_type: str,
    stream_id: str,
    payload: BaseModel,
) -> Event:
    """Publish a forged `service` event at the store's next position, as the service's NATS user.

    The forgery is as good as it gets without the key: a correct SHA-256 hash, the stream's real
    chain and version, the genuine key id, and an Ed25519 signature by a key of the attacker's.
    """
    await store.sequence()
    position = await store.head() + 1
    previous = await store.load(stream_id)
    name = type(payload).__name__
    draft = Event(
        event_id=new_event_id(),
        stream_type=stream_type,
        stream_id=stream_id,
        version=len(previous) + 1,
        type=f"{service}.{name}",
        schema_version=1,
        occurred_at=utc_now(),
        recorded_at=utc_now(),
        actor=Actor(id=str(uuid.uuid4()), role="intake_officer"),
        correlation_id=new_event_id(),
        causation_id=None,
        payload=payload.model_dump(mode="json"),
        prev_hash=previous[-1].hash if previous else GENESIS_HASH,
        hash=b"",
        position=position,
    )
    forged = replace(draft, hash=event_hash(draft))
    genuine_kid = store.signer.key_id if store.signer is not None else "unknown"
    mallory = Signer.generate(service)
    forged = replace(forged, signature=mallory.sign(position, forged.hash), key_id=genuine_kid)
    credentials = nats_credentials(server, service)
    nc = await connect(server.plain_url, "mallory", credentials=credentials)
    try:
        await nc.jetstream().publish(
            f"{service}.{stream_type}.{name}",
            encode_event(forged),
            headers={"Nats-Msg-Id": str(forged.event_id)},
        )
    finally:
        await nc.close()
    return forged
