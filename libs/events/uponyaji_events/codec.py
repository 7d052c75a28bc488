"""JSON forms of events: canonical bytes for hashing, wire form for NATS and feeds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from uponyaji_events.envelope import Actor, Event, Payload


def dumps(value: Any) -> bytes:
    """Serialise to compact JSON bytes (UUIDs and datetimes as ISO strings)."""
    return orjson.dumps(value)


def loads(data: bytes | str) -> Any:
    """Parse JSON bytes or text."""
    return orjson.loads(data)


def canonical(value: Any) -> bytes:
    """Serialise deterministically (sorted keys, no spaces) for hashing."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z)


def _ts(value: datetime) -> str:
    if value.tzinfo is UTC:  # as the database returns them: no conversion needed
        return value.isoformat(timespec="microseconds")
    if value.tzinfo is None:
        raise ValueError("event timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _fields(event: Event, occurred_at: str, recorded_at: str) -> dict[str, Any]:
    """The hashed envelope fields, identifiers as they are (the one list of what is hashed)."""
    event_id: UUID | str = event.event_id
    correlation: UUID | str = event.correlation_id
    causation: UUID | str | None = event.causation_id
    # asyncpg's UUID subclass as text here (its str() is compiled): orjson writes only exact
    # UUIDs and would call `_uuid_text` back in Python for each of them.
    if type(event_id) is not UUID and isinstance(event_id, UUID):
        event_id = str(event_id)
    if type(correlation) is not UUID and isinstance(correlation, UUID):
        correlation = str(correlation)
    if causation is not None and type(causation) is not UUID and isinstance(causation, UUID):
        causation = str(causation)
    return {
        "event_id": event_id,
        "stream_type": event.stream_type,
        "stream_id": event.stream_id,
        "version": event.version,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "actor": {"id": event.actor.id, "role": event.actor.role},
        "correlation_id": correlation,
        "causation_id": causation,
        "payload": event.payload,
        "prev_hash": event.prev_hash.hex(),
    }


def hashed_fields(event: Event) -> dict[str, Any]:
    """The envelope fields covered by the hash chain (not position or trace: assigned later)."""
    fields = _fields(event, _ts(event.occurred_at), _ts(event.recorded_at))
    causation = event.causation_id
    return fields | {
        "event_id": str(event.event_id),
        "correlation_id": str(event.correlation_id),
        "causation_id": str(causation) if causation else None,
    }


_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z


def _digest(fields: dict[str, Any]) -> bytes:
    # The same JSON as `canonical(hashed_fields(event))`: orjson writes a UUID exactly as str()
    # does, so the identifiers are handed over as they are (a consumer re-hashes every event it
    # applies; str() of a uuid.UUID is pure Python).
    return hashlib.sha256(orjson.dumps(fields, option=_CANONICAL, default=_uuid_text)).digest()


def event_hash(event: Event) -> bytes:
    """SHA-256 over the canonical form of the event's hashed fields."""
    return _digest(_fields(event, _ts(event.occurred_at), _ts(event.recorded_at)))


def event_hashes(events: Iterable[Event]) -> list[bytes]:
    """`event_hash` of each event, for a page of them (the same bytes hashed, event by event).

    The timestamps' text is made once per distinct instant: the events of one transaction share
    their `recorded_at`, and equal aware datetimes are the same instant, so the same UTC text.
    """
    texts: dict[datetime, str] = {}
    out: list[bytes] = []
    dumps, option, sha256 = orjson.dumps, _CANONICAL, hashlib.sha256
    for event in events:
        occurred, recorded = event.occurred_at, event.recorded_at
        if (occurred_text := texts.get(occurred)) is None:
            occurred_text = texts[occurred] = _ts(occurred)
        if (recorded_text := texts.get(recorded)) is None:
            recorded_text = texts[recorded] = _ts(recorded)
        fields = _fields(event, occurred_text, recorded_text)
        canonical_bytes = dumps(fields, default=_uuid_text, option=option)
        out.append(sha256(canonical_bytes).digest())  # `_digest`, inlined for a page
    return out


def _uuid_text(value: Any) -> str:
    """UUID subclasses (asyncpg returns its own) as str(): orjson writes only exact UUIDs."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_wire(event: Event) -> dict[str, Any]:
    """The JSON-ready form of an event used on NATS and in feeds."""
    wire = hashed_fields(event)
    wire["hash"] = event.hash.hex()
    wire["position"] = event.position
    wire["trace"] = event.trace
    wire["signature"] = event.signature.hex() if event.signature is not None else None
    wire["key_id"] = event.key_id
    return wire


def from_wire(data: dict[str, Any]) -> Event:
    """Rebuild an event from its wire form (raises KeyError/ValueError on malformed input)."""
    causation = data.get("causation_id")
    return Event(
        event_id=UUID(data["event_id"]),
        stream_type=data["stream_type"],
        stream_id=data["stream_id"],
        version=int(data["version"]),
        type=data["type"],
        schema_version=int(data["schema_version"]),
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        actor=Actor(id=data["actor"]["id"], role=data["actor"]["role"]),
        correlation_id=UUID(data["correlation_id"]),
        causation_id=UUID(causation) if causation else None,
        payload=_payload(data["payload"]),
        prev_hash=bytes.fromhex(data["prev_hash"]),
        hash=bytes.fromhex(data["hash"]),
        position=data.get("position"),
        trace=dict(data.get("trace") or {}),
        signature=bytes.fromhex(signature) if (signature := data.get("signature")) else None,
        key_id=str(data["key_id"]) if data.get("key_id") else None,
    )


def _payload(value: Any) -> Payload:
    if not isinstance(value, dict):
        raise ValueError("event payload must be a JSON object")
    return value


def encode_event(event: Event) -> bytes:
    """Wire form as JSON bytes."""
    return dumps(to_wire(event))


def decode_event(data: bytes) -> Event:
    """Parse an event from wire-form JSON bytes."""
    return from_wire(loads(data))
