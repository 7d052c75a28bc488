"""Audit records say whether the survivor was on the reader's caseload (`on_caseload`, audit v2).

True by construction under scope `caseload`, false for a refusal off the caseload, either way
under `any` and `aggregate`, and null when nobody can know: no survivor, an unknown survivor, a
refusal by role before the survivor is looked up.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from access_support import SERVICE, Mint, Staff, audit_events, bearer
from access_testapp import World
from uponyaji_access import Access, Principal, SurvivorNotFound
from uponyaji_events.contracts.kernel import (
    AUDIT_SCHEMA_VERSION,
    AccessDenied,
    SurvivorDataAccessed,
)
from uponyaji_events.store import EventStore

TEAM = "team-kisumu"
OTHER_TEAM = "team-garissa"


def principal(staff: Staff) -> Principal:
    """The principal a verified token of this staff member would give."""
    return Principal(
        staff_id=staff.staff_id,
        username=staff.username,
        roles=frozenset(staff.roles),
        teams=frozenset(staff.teams),
        sid=staff.sid,
        token_id=uuid.uuid4().hex,
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )


async def recorded(store: EventStore) -> list[tuple[str, str | None, bool | None]]:
    """(outcome, scope, on_caseload) of every audit record, checked against the v2 contract."""
    out = []
    for event in await audit_events(store):
        assert event.schema_version == AUDIT_SCHEMA_VERSION == 2
        model = AccessDenied if event.type.endswith(".AccessDenied") else SurvivorDataAccessed
        model.model_validate(event.payload)
        p = event.payload
        out.append((p["outcome"], p["scope"], p["on_caseload"]))
    return out


async def test_reads_under_scope_caseload_are_on_it_and_refusals_off_it_are_not(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    by_team = world.add_survivor(teams=(TEAM,))
    as_worker = world.add_survivor(teams=(OTHER_TEAM,), workers=(counsellor.staff_id,))
    theirs = world.add_survivor(teams=(OTHER_TEAM,))
    headers = bearer(mint(counsellor))
    for survivor, status in ((by_team, 200), (as_worker, 200), (theirs, 404)):
        response = await client.get(f"/survivors/{survivor}/sessions", headers=headers)
        assert response.status_code == status
    assert await recorded(store) == [
        ("allowed", "caseload", True),
        ("allowed", "caseload", True),
        ("not_found", "caseload", False),
    ]


async def test_nothing_is_claimed_where_the_caseload_was_not_looked_up_or_not_known(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    officer = Staff(("intake_officer",), teams=(TEAM,))
    assert (
        await client.get(f"/survivors/{uuid.uuid4()}", headers=bearer(mint(counsellor)))
    ).status_code == 404  # unknown here: on nobody's caseload we know of
    assert (
        await client.get(f"/survivors/{survivor}", headers=bearer(mint(Staff(("admin",)))))
    ).status_code == 403  # refused by role before the survivor is looked up
    assert (await client.get("/survivors", headers=bearer(mint(officer)))).status_code == 200
    assert await recorded(store) == [
        ("not_found", None, None),
        ("denied", None, None),
        ("allowed", "any", None),  # a search concerns no one survivor
    ]


async def test_reads_under_scope_any_record_whether_the_survivor_was_on_the_caseload(
    access: Access, world: World, store: EventStore
) -> None:
    officer = Staff(("data_protection_officer",), teams=(TEAM,))
    theirs = world.add_survivor(teams=(OTHER_TEAM,))
    ours = world.add_survivor(teams=(TEAM,))
    named = world.add_survivor(teams=(OTHER_TEAM,), workers=(officer.staff_id,))
    for survivor in (theirs, ours, named):
        grant = await access.authorize(
            principal(officer),
            "consent.read",
            survivor_level=True,
            survivor_id=survivor,
            method="GET",
            route="/survivors/{survivor_id}/consents",
        )
        assert grant.scope == "any"
    assert await recorded(store) == [
        ("allowed", "any", False),
        ("allowed", "any", True),
        ("allowed", "any", True),
    ]
    [record, *_] = await audit_events(store)
    assert record.type == f"{SERVICE}.SurvivorDataAccessed"
    assert record.payload["survivor_id"] == str(theirs)


async def test_de_identified_reads_record_the_caseload_too(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    lead = Staff(("programme_lead",))
    survivor = world.add_survivor(teams=(TEAM,))
    assert (
        await client.get(f"/journeys/{survivor}", headers=bearer(mint(lead)))
    ).status_code == 200
    assert await recorded(store) == [("allowed", "aggregate", False)]


async def test_a_refusal_off_the_caseload_of_a_non_audited_action_says_so(
    access: Access, world: World, store: EventStore
) -> None:
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    theirs = world.add_survivor(teams=(OTHER_TEAM,))
    with pytest.raises(SurvivorNotFound):
        await access.authorize(
            principal(counsellor),
            "psychosocial.session.record",
            survivor_level=True,
            survivor_id=theirs,
            method="POST",
            route="/survivors/{survivor_id}/sessions",
        )
    [event] = await audit_events(store)
    assert event.type == f"{SERVICE}.AccessDenied"
    assert await recorded(store) == [("not_found", "caseload", False)]
