"""Event contracts every service emits: key destruction in the erasure saga, and the access audit.

Each is one payload model registered once per service, as `<service>.<EventType>`.
The audit payloads match what libs/access writes (`uponyaji_access.audit.AccessRecord.payload`).
Audit v2 added `on_caseload`; `register_upcasters` lifts stored v1 records (docs/contracts.md).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.registry import ContractRegistry
from uponyaji_events.contracts.types import EventPayload, Timestamp, example_id, examples
from uponyaji_events.contracts.vocabularies import AccessOutcome, AccessScope, Role, ServiceName
from uponyaji_events.envelope import Payload
from uponyaji_events.upcasting import UpcasterRegistry

AUDIT_SCHEMA_VERSION = 2  # v2: on_caseload


class DataKeyDestroyed(EventPayload):
    """This service destroyed its data key for a survivor (its confirmation in the erasure saga)."""

    model_config = examples(
        {
            "request_id": example_id(31),
            "survivor_id": example_id(1),
            "key_id": "0190a8e5-7c00-4a1e-9d3b-5e2f00000001",
            "destroyed_at": "2026-04-01T09:15:00+00:00",
        }
    )

    request_id: UUID = Field(description="The intake erasure request this answers")
    survivor_id: UUID = Field(description="Whose data key was destroyed")
    key_id: UUID | None = Field(
        description="The destroyed key's id; null when this service never held a key for them"
    )
    destroyed_at: Timestamp = Field(description="When the key was destroyed")


_ACCESS = {
    "staff_id": example_id(101),
    "role": "intake_officer",
    "roles": ["intake_officer"],
    "session_id": "0190a8e5-7c00-7000-8000-000000000901",
    "action": "survivor.read",
    "survivor_id": example_id(1),
    "purpose": "care",
    "outcome": "allowed",
    "scope": "caseload",
    "on_caseload": True,
    "method": "GET",
    "route": "/survivors/{survivor_id}",
    "at": "2026-04-01T09:15:00+00:00",
}


class _AccessRecord(EventPayload):
    """Fields shared by both audit events (ids and names only, never sealed values)."""

    staff_id: UUID = Field(description="Who acted")
    role: Role | None = Field(description="The role the policy decided under, if any")
    roles: list[Role] = Field(description="Every role in the caller's token")
    session_id: str = Field(
        pattern=r"^[A-Za-z0-9_.:-]{0,128}$", description="The token's session id (sid)"
    )
    action: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,127}$", description="Policy action key")
    survivor_id: UUID | None = Field(description="The survivor concerned, if any")
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Declared purpose")
    outcome: AccessOutcome = Field(description="What came of the attempt")
    scope: AccessScope | None = Field(description="Scope the policy allowed under, if allowed")
    on_caseload: bool | None = Field(
        default=None,
        description="Whether the survivor was on the caller's caseload (a team of theirs, or they "
        "are a named case worker); null when not known: no survivor, an unknown survivor, a "
        "refusal by role, or a version 1 record whose scope and outcome do not imply it",
    )
    method: str = Field(pattern=r"^[A-Z]{0,10}$", description="HTTP method")
    route: str = Field(pattern=r"^[A-Za-z0-9_{}/.:-]{0,256}$", description="Route template")
    at: Timestamp = Field(description="When the attempt was made")


class SurvivorDataAccessed(_AccessRecord):
    """Someone attempted an audited action on survivor data (every outcome is recorded)."""

    model_config = examples(_ACCESS)


class AccessDenied(_AccessRecord):
    """Someone was refused an action that is not itself audited."""

    model_config = examples(
        {
            **_ACCESS,
            "action": "incident.read",
            "outcome": "denied",
            "scope": None,
            "on_caseload": None,
        }
    )


class ListedSurvivor(EventPayload):
    """One survivor a list or search returned."""

    survivor_id: UUID = Field(description="A survivor in the answer")
    on_caseload: bool | None = Field(
        description="Whether on the caller's caseload; null when the service cannot tell"
    )


class SurvivorsListed(EventPayload):
    """A list or search answered: which survivors it returned, and a keyed hash of the query.

    Recorded after the audited attempt (`SurvivorDataAccessed`, survivor null) and before the
    answer is sent. The query itself is never stored: `query_hash` is an HMAC-SHA256 under the
    deployment's audit key, so equal searches can be matched without the text being guessable.
    """

    model_config = examples(
        {
            "staff_id": example_id(101),
            "role": "intake_officer",
            "roles": ["intake_officer"],
            "session_id": "0190a8e5-7c00-7000-8000-000000000901",
            "action": "survivor.search",
            "purpose": "care",
            "scope": "any",
            "query_hash": "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
            "result_count": 1,
            "results": [{"survivor_id": example_id(1), "on_caseload": False}],
            "method": "POST",
            "route": "/survivors/search",
            "at": "2026-04-01T09:15:00+00:00",
        }
    )

    staff_id: UUID = Field(description="Who listed or searched")
    role: Role | None = Field(description="The role the policy decided under")
    roles: list[Role] = Field(description="Every role in the caller's token")
    session_id: str = Field(
        pattern=r"^[A-Za-z0-9_.:-]{0,128}$", description="The token's session id (sid)"
    )
    action: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,127}$", description="Policy action key")
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Declared purpose")
    scope: AccessScope | None = Field(description="Scope the policy allowed under")
    query_hash: str | None = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="HMAC-SHA256 (hex) of the normalised search text; null for a list",
    )
    result_count: int = Field(ge=0, description="How many survivors the answer named")
    results: list[ListedSurvivor] = Field(description="Each survivor returned, once")
    method: str = Field(pattern=r"^[A-Z]{0,10}$", description="HTTP method")
    route: str = Field(pattern=r"^[A-Za-z0-9_{}/.:-]{0,256}$", description="Route template")
    at: Timestamp = Field(description="When the answer was given")


class IntegrityAlarmRaised(EventPayload):
    """A consumer refused another service's event: signature, hash, chain or position failed."""

    model_config = examples(
        {
            "consumer": "psychosocial-intake",
            "source": "intake",
            "position": 42,
            "event_id": example_id(77),
            "event_type": "intake.CaseAssigned",
            "path": "nats",
            "reason": "signature does not verify",
            "at": "2026-04-01T09:15:00+00:00",
        }
    )

    consumer: str = Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,128}$", description="The consumer that refused the event"
    )
    source: ServiceName = Field(description="The service the event claimed to come from")
    position: int | None = Field(description="The position the event claimed")
    event_id: UUID | None = Field(description="The event id the event claimed")
    event_type: str | None = Field(
        pattern=r"^[A-Za-z0-9_.?-]{0,200}$", description="The type the event claimed"
    )
    path: str = Field(
        pattern=r"^(nats|feed|chain)$",
        description="Where it was refused: on NATS, from the feed, or by the stream chain check",
    )
    reason: str = Field(
        pattern=r"^[ -~]{1,500}$", description="Which check failed (printable ASCII)"
    )
    at: Timestamp = Field(description="When it was refused")


def audit_v1_to_v2(payload: Payload) -> Payload:
    """Lift a v1 audit record, adding `on_caseload` where its scope and outcome imply it."""
    # v1 wrote scope "caseload" both when allowed on the caseload and when refused off it
    # (outcome not_found); an unknown survivor had no scope. Anything else was not recorded.
    on_caseload = None
    if payload.get("scope") == "caseload":
        on_caseload = {"allowed": True, "not_found": False}.get(str(payload.get("outcome")))
    return {**payload, "on_caseload": on_caseload}


def register(registry: ContractRegistry) -> None:
    """Register the kernel's per-service contracts for every known service."""
    for service in ServiceName:
        registry.register(DataKeyDestroyed, service=service.value, stream_type="erasure")
        registry.register(IntegrityAlarmRaised, service=service.value, stream_type="integrity")
        for audit in (SurvivorDataAccessed, AccessDenied):
            registry.register(
                audit,
                service=service.value,
                stream_type="audit",
                schema_version=AUDIT_SCHEMA_VERSION,
            )
        registry.register(SurvivorsListed, service=service.value, stream_type="audit")


def register_upcasters(upcasters: UpcasterRegistry) -> None:
    """Register the kernel's upcasters (audit v1 → v2) for every known service."""
    for service in ServiceName:
        for name in ("SurvivorDataAccessed", "AccessDenied"):
            upcasters.register(f"{service.value}.{name}", 1, audit_v1_to_v2)
