"""The AsyncAPI 3.0 document of every published event, built from the contract registry.

`python -m uponyaji_events.asyncapi` prints it (`make docs` writes docs/asyncapi.json; a test fails
when that file is stale). Each event type is one channel whose address is its NATS subject
`<service>.<stream_type>.<EventType>`, one message whose payload is the wire envelope
(`codec.to_wire`) with the contract's payload schema, and one `send` operation by its service.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from uponyaji_events.codec import event_hash, to_wire
from uponyaji_events.contracts import Contract, ContractRegistry, default_registry
from uponyaji_events.contracts.types import SEALED_MARK
from uponyaji_events.envelope import GENESIS_HASH, Actor, Event

SCHEMAS = "#/components/schemas/"
SEALED_NOTE = (
    "Sealed: AES-256-GCM ciphertext 'sealed:v1|v2:<key_id>:<base64url>' under the subject's data "
    "key, never plaintext; it reads as erased once that key is destroyed."
)
_HEX64 = r"^[0-9a-f]{64}$"


class EventActor(BaseModel):
    """Who caused an event: a staff member and the role acted in, or a system process."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Staff id (UUID), or 'system:<name>' for automated work")
    role: str = Field(description="Role the staff member acted in, or 'system'")


class EventEnvelope(BaseModel):
    """The wire form of every event, on NATS and in feeds (`uponyaji_events.codec.to_wire`)."""

    model_config = ConfigDict(extra="forbid")

    event_id: UUID = Field(description="UUIDv7; also the Nats-Msg-Id header")
    stream_type: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Kind of stream")
    stream_id: str = Field(description="The stream (aggregate) the event belongs to")
    version: int = Field(ge=1, description="1..n within the stream")
    type: str = Field(
        pattern=r"^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$", description="<service>.<EventType>"
    )
    schema_version: int = Field(
        ge=1, description="Payload version as stored; consumers upcast older ones before use"
    )
    occurred_at: AwareDatetime = Field(description="When it happened (UTC)")
    recorded_at: AwareDatetime = Field(description="When the store recorded it (UTC)")
    actor: EventActor = Field(description="Who caused it")
    correlation_id: UUID = Field(description="The command or request it belongs to")
    causation_id: UUID | None = Field(description="The event that caused it, if any")
    payload: dict[str, Any] = Field(description="The contract's payload")
    prev_hash: str = Field(pattern=_HEX64, description="Previous event's hash in the stream")
    hash: str = Field(pattern=_HEX64, description="SHA-256 over the canonical hashed fields")
    position: int | None = Field(ge=1, description="Order within the service's store")
    trace: dict[str, str] = Field(description="W3C trace context (traceparent, tracestate)")
    signature: str | None = Field(
        pattern=r"^[0-9a-f]{128}$",
        description="Ed25519 signature (hex) by the owning service over (service, position, "
        "hash); null only before the event is sequenced",
    )
    key_id: str | None = Field(
        pattern=r"^[0-9a-f]{16}$", description="Which of the service's keys signed (GET /feed/keys)"
    )


NATS_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "NATS message headers set by the outbox relay",
    "properties": {
        "Nats-Msg-Id": {
            "type": "string",
            "format": "uuid",
            "description": "The event_id; JetStream drops duplicates within its duplicate window",
        },
        "traceparent": {
            "type": "string",
            "pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "W3C trace context of the command that caused the event",
        },
        "tracestate": {"type": "string", "description": "W3C vendor trace state, if any"},
    },
    "required": ["Nats-Msg-Id"],
}


def build_document(registry: ContractRegistry) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document (a JSON-ready dict) of every contract in the registry."""
    contracts = list(registry)
    models: list[type[BaseModel]] = [EventEnvelope]
    models += [m for m in dict.fromkeys(c.model for c in contracts) if m is not EventEnvelope]
    refs, top = models_json_schema(
        [(model, "validation") for model in models], ref_template=SCHEMAS + "{model}"
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    _describe_sealed(schemas)
    schemas["NatsHeaders"] = NATS_HEADERS
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in contracts:
        channel = f"#/channels/{contract.type}"
        messages[contract.type] = _message(contract, dict(refs[(contract.model, "validation")]))
        channels[contract.type] = {
            "address": contract.subject,
            "title": contract.type,
            "summary": contract.summary,
            "description": f"Published by {contract.service} on JetStream stream "
            f"{contract.service.upper()}, from its {contract.stream_type} streams.",
            "messages": {contract.name: {"$ref": f"#/components/messages/{contract.type}"}},
        }
        operations[f"{contract.type}.send"] = {
            "action": "send",
            "channel": {"$ref": channel},
            "messages": [{"$ref": f"{channel}/messages/{contract.name}"}],
            "summary": f"{contract.service} publishes {contract.name}",
            "tags": [{"name": contract.service}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Uponyaji events",
            "version": _version(),
            "description": "Events published by every Uponyaji service on NATS JetStream (one "
            "stream per service). Sealed fields carry ciphertext only (x-sealed). Generated "
            "from libs/events/uponyaji_events/contracts; see docs/contracts.md.",
            "tags": [{"name": service} for service in registry.services()],
        },
        "defaultContentType": "application/json",
        "servers": {
            "nats": {
                "host": "localhost:4222",
                "protocol": "nats",
                "description": "Local development server, nats://localhost:4222 (NATS_URL)",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def _message(contract: Contract, payload_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": contract.name,
        "title": contract.type,
        "summary": contract.summary,
        "description": f"Payload at schema_version {contract.schema_version}. Events are "
        "published as stored: consumers upcast older schema_versions before validating.",
        "contentType": "application/json",
        "headers": {"$ref": SCHEMAS + "NatsHeaders"},
        "payload": {
            "allOf": [
                {"$ref": SCHEMAS + "EventEnvelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": contract.type},
                        "stream_type": {"const": contract.stream_type},
                        "schema_version": {"minimum": 1, "maximum": contract.schema_version},
                        "payload": payload_ref,
                    },
                },
            ]
        },
        "correlationId": {
            "description": "The command or request the event belongs to",
            "location": "$message.payload#/correlation_id",
        },
        "tags": [{"name": contract.service}],
        "x-schema-version": contract.schema_version,
        "x-sealed-fields": list(contract.sealed_fields),
        "examples": [_example(contract, payload) for payload in contract.examples()[:1]],
    }


_EXAMPLE_AT = datetime(2026, 4, 1, 9, 15, tzinfo=UTC)
_EXAMPLE_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
_EXAMPLE_ROLES = {
    "identity": "admin",
    "intake": "intake_officer",
    "medical": "clinician",
    "psychosocial": "counsellor",
    "empowerment": "empowerment_officer",
    "reporting": "programme_lead",
}


def _example(contract: Contract, payload: dict[str, Any]) -> dict[str, Any]:
    """A wire event as the codec would publish it, with a real hash over example values."""
    event = Event(
        event_id=UUID("0190a8e5-7c00-7000-8000-00000000e001"),
        stream_type=contract.stream_type,
        stream_id="0190a8e5-7c00-7000-8000-00000000a001",
        version=1,
        type=contract.type,
        schema_version=contract.schema_version,
        occurred_at=_EXAMPLE_AT,
        recorded_at=_EXAMPLE_AT,
        actor=Actor(
            id="0190a8e5-7c00-7000-8000-000000000101",
            role=_EXAMPLE_ROLES.get(contract.service, "system"),
        ),
        correlation_id=UUID("0190a8e5-7c00-7000-8000-00000000c001"),
        causation_id=None,
        payload=payload,
        prev_hash=GENESIS_HASH,
        hash=b"",
        position=1,
        trace={"traceparent": _EXAMPLE_TRACE},
    )
    wire = to_wire(replace(event, hash=event_hash(event)))
    headers = {"Nats-Msg-Id": wire["event_id"], "traceparent": _EXAMPLE_TRACE}
    return {"name": f"{contract.name}Example", "headers": headers, "payload": wire}


def _describe_sealed(schemas: dict[str, Any]) -> None:
    """Mark every property holding a sealed value with x-sealed and a note in its description."""
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if _holds_sealed(prop):
                prop[SEALED_MARK] = True
                text = prop.get("description", "")
                prop["description"] = f"{text}. {SEALED_NOTE}" if text else SEALED_NOTE


def _holds_sealed(node: dict[str, Any]) -> bool:
    return bool(
        node.get(SEALED_MARK)
        or any(_holds_sealed(branch) for branch in node.get("anyOf", []))
        or ("items" in node and _holds_sealed(node["items"]))
    )


def _version() -> str:
    try:
        return metadata.version("uponyaji-events")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def render(document: dict[str, Any]) -> str:
    """The document as JSON text: sorted keys, indent 2, final newline (docs/asyncapi.json)."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Print the AsyncAPI document of the default registry."""
    sys.stdout.buffer.write(render(build_document(default_registry())).encode("utf-8"))


if __name__ == "__main__":
    main()
