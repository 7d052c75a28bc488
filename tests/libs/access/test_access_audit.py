"""Audit completeness: every survivor-level read leaves exactly one record, before any data leaves.

The failure case is real: the app's database role loses INSERT on the events table.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import orjson
import pytest
from access_support import SERVICE, Mint, SigningKey, Staff, audit_events, bearer
from access_testapp import World, create_app
from uponyaji_access import Access, AuditLog, DenyList, JwksCache, Policy, TokenVerifier
from uponyaji_events.contracts.kernel import AccessDenied, SurvivorDataAccessed
from uponyaji_events.db import create_pool
from uponyaji_events.integrity import verify
from uponyaji_events.store import EventStore

TEAM = "team-kisumu"


async def test_n_reads_make_exactly_n_audit_events(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    survivors = [world.add_survivor(teams=(TEAM,)) for _ in range(3)]
    reads = [(f"/survivors/{s}", "survivor.read") for s in survivors] + [
        (f"/survivors/{s}/sessions", "psychosocial.session.read") for s in survivors
    ]
    for path, _ in reads:
        response = await client.get(path, headers={**bearer(mint(counsellor)), "X-Purpose": "care"})
        assert response.status_code == 200
    events = await audit_events(store)
    assert len(events) == len(reads)
    for event, (path, action) in zip(events, reads, strict=True):
        assert event.type == f"{SERVICE}.SurvivorDataAccessed"
        assert event.stream_type == "audit"
        assert event.actor.id == str(counsellor.staff_id)
        assert event.actor.role == "counsellor"
        p = event.payload
        assert p["staff_id"] == str(counsellor.staff_id)
        assert p["role"] == "counsellor"
        assert p["action"] == action
        assert p["survivor_id"] == path.split("/")[2]
        assert p["outcome"] == "allowed"
        assert p["purpose"] == "care"
        assert p["session_id"] == counsellor.sid
        assert p["route"].startswith("/survivors/{survivor_id}")
    for event in events:  # the payloads are what the kernel's audit contract says
        SurvivorDataAccessed.model_validate(event.payload)
    report = await verify(store.pool)  # the audit streams' hash chains hold
    assert report.ok
    assert report.checked == len(reads)


async def test_an_authorised_route_reads_its_token_and_purpose_from_the_request(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    survivor = world.add_survivor(teams=(TEAM,))
    path = f"/survivors/{survivor}"
    token = mint(counsellor)
    for refused in ({}, {"Authorization": f"Basic {token}"}, {"Authorization": "Bearer  "}):
        response = await client.get(path, headers=refused)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "Unauthenticated"
    too_long = "c" * 33
    for headers, where in (({"X-Purpose": too_long}, "header.X-Purpose"), ({}, "query.purpose")):
        suffix = "" if headers else f"?purpose={too_long}"
        response = await client.get(
            path + suffix, headers={"Authorization": f"Bearer {token}", **headers}
        )
        assert response.status_code == 422, response.text
        assert response.json()["problems"][0]["field"] == where
    assert await audit_events(store) == []  # refused before any decision: nothing recorded
    # The scheme in any case; X-Purpose wins over ?purpose=, as documented.
    response = await client.get(
        path + "?purpose=care",
        headers={"Authorization": f"bearer {token}", "X-Purpose": "supervision"},
    )
    assert response.status_code == 200, response.text
    [record] = await audit_events(store)
    assert record.payload["purpose"] == "supervision"


async def test_denied_and_not_found_attempts_are_audited(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    theirs = world.add_survivor(teams=("team-garissa",))
    admin = Staff(("admin",))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    missing = uuid.uuid4()
    assert (
        await client.get(f"/survivors/{theirs}", headers=bearer(mint(admin)))
    ).status_code == 403
    headers = {**bearer(mint(counsellor)), "X-Purpose": "supervision"}
    assert (await client.get(f"/survivors/{theirs}", headers=headers)).status_code == 404
    assert (await client.get(f"/survivors/{missing}", headers=headers)).status_code == 404
    outcomes = [
        (e.payload["staff_id"], e.payload["survivor_id"], e.payload["outcome"], e.payload["role"])
        for e in await audit_events(store)
    ]
    assert outcomes == [
        (str(admin.staff_id), str(theirs), "denied", None),
        (str(counsellor.staff_id), str(theirs), "not_found", None),
        (str(counsellor.staff_id), str(missing), "not_found", None),
    ]
    assert [e.payload["purpose"] for e in await audit_events(store)][1:] == ["supervision"] * 2
    assert next(e.payload["roles"] for e in await audit_events(store)) == ["admin"]


async def test_writes_are_not_access_records_but_refused_writes_are(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    clinician = Staff(("clinician",), teams=(TEAM,))
    path = f"/survivors/{survivor}/sessions"
    assert (await client.post(path, headers=bearer(mint(counsellor)))).status_code == 201
    assert await audit_events(store) == []
    assert (await client.post(path, headers=bearer(mint(clinician)))).status_code == 403
    [event] = await audit_events(store)
    AccessDenied.model_validate(event.payload)
    assert event.type == f"{SERVICE}.AccessDenied"
    assert event.payload["action"] == "psychosocial.session.record"
    assert event.payload["outcome"] == "denied"


async def test_searches_are_audited_without_their_query(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    world.add_survivor(teams=(TEAM,))
    officer = Staff(("intake_officer",), teams=(TEAM,))
    query = "Test Survivor 1"
    response = await client.get("/survivors", params={"q": query}, headers=bearer(mint(officer)))
    assert response.status_code == 200
    [event] = await audit_events(store)
    assert event.payload["action"] == "survivor.search"
    assert event.payload["survivor_id"] is None
    assert query not in orjson.dumps(event.payload).decode()


async def test_audit_records_hold_no_sealed_values(
    client: httpx.AsyncClient, mint: Mint, world: World, store: EventStore
) -> None:
    officer = Staff(("intake_officer",), teams=(TEAM,))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    survivor = world.add_survivor(teams=(TEAM,))
    await client.get(f"/survivors/{survivor}", headers=bearer(mint(officer)))
    await client.get(f"/survivors/{survivor}/sessions", headers=bearer(mint(counsellor)))
    dump = " ".join(
        r["payload"] for r in await store.pool.fetch("SELECT payload::text AS payload FROM events")
    )
    record = world.survivors[survivor]
    for sealed in ("full_name", "phone", "notes", "injuries"):
        assert record[sealed] not in dump


@pytest.fixture
async def restricted(
    new_database_url: Callable[[], str],
    signing_key: SigningKey,
    policy: Policy,
) -> AsyncIterator[tuple[httpx.AsyncClient, World, asyncpg.Pool, str]]:
    """The test service connected as its own database role, which a test may take rights from."""
    url = new_database_url()
    role = f"app_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(url)
    password = uuid.uuid4().hex
    await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    await admin.execute(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
    await admin.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    parts = urlsplit(url)
    own = parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}")
    pool = await create_pool(urlunsplit(own), min_size=1, max_size=3)
    assert await pool.fetchval("SELECT current_user") == role  # not the superuser
    world = World()
    access = Access(
        service=SERVICE,
        policy=policy,
        verifier=TokenVerifier(SERVICE, JwksCache.static_keys(signing_key.jwks())),
        deny_list=DenyList(),
        audit=AuditLog(EventStore(pool), SERVICE),
        caseload=world.caseload,
    )
    transport = httpx.ASGITransport(app=create_app(access, world))
    async with httpx.AsyncClient(transport=transport, base_url="http://testsvc") as http:
        yield http, world, admin, role
    await pool.close()
    await admin.close()


async def test_when_the_audit_cannot_be_written_the_read_fails_with_503_and_no_data(
    restricted: tuple[httpx.AsyncClient, World, asyncpg.Connection, str], mint: Mint
) -> None:
    client, world, admin, role = restricted
    survivor = world.add_survivor(teams=(TEAM,))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    path = f"/survivors/{survivor}/sessions"
    assert (await client.get(path, headers=bearer(mint(counsellor)))).status_code == 200
    assert world.handled["psychosocial.session.read"] == 1

    await admin.execute(f"REVOKE INSERT ON events FROM {role}")
    for request in (path, f"/survivors/{survivor}"):
        response = await client.get(request, headers=bearer(mint(counsellor)))
        assert response.status_code == 503
        assert response.json()["error"] == "AuditUnavailable"
        assert response.headers["Retry-After"] == "5"
        for value in world.survivors[survivor].values():
            assert value not in response.text
    assert world.handled["psychosocial.session.read"] == 1  # the handler never ran
    assert world.handled["survivor.read"] == 0
    # A refused attempt that cannot be audited is refused loudly too.
    admin_staff = Staff(("admin",))
    assert (await client.get(path, headers=bearer(mint(admin_staff)))).status_code == 503
    count = await admin.fetchval("SELECT count(*) FROM events WHERE stream_type = 'audit'")
    assert count == 1

    await admin.execute(f"GRANT INSERT ON events TO {role}")
    assert (await client.get(path, headers=bearer(mint(counsellor)))).status_code == 200
