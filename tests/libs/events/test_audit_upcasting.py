"""Audit records v1 → v2 (`on_caseload`): stored v1 records upcast and validate, never rewritten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from uponyaji_events.contracts import default_registry, default_upcasters
from uponyaji_events.contracts.kernel import AUDIT_SCHEMA_VERSION, SurvivorDataAccessed
from uponyaji_events.contracts.registry import InvalidPayload
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_events.runtime import ServiceRuntime
from uponyaji_events.store import EventStore

STAFF = "0190a8e5-7c00-7000-8000-000000000101"
V1 = {
    "staff_id": STAFF,
    "role": "counsellor",
    "roles": ["counsellor"],
    "session_id": "sess-test-1",
    "action": "psychosocial.session.read",
    "survivor_id": "0190a8e5-7c00-7000-8000-000000001001",
    "purpose": "care",
    "outcome": "allowed",
    "scope": "caseload",
    "method": "GET",
    "route": "/survivors/{survivor_id}/sessions",
    "at": "2026-03-11T09:00:00+00:00",
}


@pytest.mark.parametrize(
    ("changes", "on_caseload"),
    [
        ({}, True),  # allowed under scope caseload: on it by construction
        ({"outcome": "not_found"}, False),  # v1's refusal off the caseload
        ({"outcome": "not_found", "scope": None}, None),  # an unknown survivor
        ({"outcome": "denied", "scope": None, "role": None}, None),  # refused by role
        ({"scope": "any", "role": "data_protection_officer"}, None),  # never recorded in v1
        ({"survivor_id": None, "action": "survivor.search", "scope": "any"}, None),
    ],
)
async def test_a_stored_v1_audit_record_loads_as_v2_with_what_it_implies(
    new_database: Callable[..., Any], changes: dict[str, Any], on_caseload: bool | None
) -> None:
    pool = await new_database(max_size=2)
    stored = {**V1, **changes}
    stream = f"audit-2026-03-11-{STAFF}"
    await EventStore(pool).append(
        "audit",
        stream,
        None,
        [NewEvent("psychosocial.SurvivorDataAccessed", stored, schema_version=1)],
        actor=Actor(id=STAFF, role="counsellor"),
    )
    registry = default_registry()
    with pytest.raises(InvalidPayload, match="upcast"):
        registry.validate("psychosocial.SurvivorDataAccessed", stored, schema_version=1)

    # A service's store upcasts with every platform upcaster unless it is given others.
    runtime = ServiceRuntime("psychosocial", "unused", "unused")
    [event] = await EventStore(pool, upcasters=runtime.upcasters).load(stream)

    assert event.schema_version == AUDIT_SCHEMA_VERSION == 2
    payload = registry.validate(event.type, event.payload, schema_version=event.schema_version)
    assert isinstance(payload, SurvivorDataAccessed)
    assert payload.on_caseload is on_caseload
    row = await pool.fetchrow(
        "SELECT schema_version, payload FROM events WHERE stream_id = $1", stream
    )
    assert row["schema_version"] == 1  # the stored record is never rewritten
    assert "on_caseload" not in str(row["payload"])


def test_every_service_lifts_both_audit_events() -> None:
    upcasters, registry = default_upcasters(), default_registry()
    # Version 1 existed only for the two access records (lists and sign-ins start at 1).
    audit = [
        c
        for c in registry
        if c.stream_type == "audit" and c.type.endswith(("SurvivorDataAccessed", "AccessDenied"))
    ]
    assert len(audit) == 2 * len(registry.services())
    now = datetime.now(UTC)
    for contract in audit:
        stored = Event(
            uuid4(),
            "audit",
            "s",
            1,
            contract.type,
            1,
            now,
            now,
            Actor(id=STAFF, role="none"),
            uuid4(),
            None,
            {**V1, "outcome": "not_found"},
            bytes(32),
            bytes(32),
        )
        event = upcasters.upcast(stored)
        assert event.schema_version == contract.schema_version == 2
        model = registry.validate(event.type, event.payload, schema_version=event.schema_version)
        assert model.model_dump()["on_caseload"] is False
