"""Access in intake: reads are audited without sealed values, merges need both records in scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
from intake_support import MOMBASA, NAIROBI, As, count_events, registration
from uponyaji_events.envelope import Actor, Event
from uponyaji_intake.consumers import on_identity_event

NOW = datetime.now(UTC)


async def test_every_read_is_audited_with_ids_only(officer: As, pool: asyncpg.Pool) -> None:
    sid = (await officer.post("/survivors", registration("Fake Audited Person"))).json()
    sid = sid["survivor_id"]
    for path in ("", "/consents", "/incidents", "/referrals"):
        assert (await officer.get(f"/survivors/{sid}{path}")).status_code == 200
    rows = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'intake.SurvivorDataAccessed' ORDER BY id"
    )
    assert [r["payload"]["action"] for r in rows] == [
        "survivor.read",
        "consent.read",
        "incident.read",
        "referral.read",
    ]
    assert all(r["payload"]["survivor_id"] == sid for r in rows)
    assert "Audited" not in str([r["payload"] for r in rows])


async def test_a_merge_needs_both_records_on_the_callers_caseload(
    officer: As, as_staff: Callable[..., As], pool: asyncpg.Pool
) -> None:
    mine = (await officer.post("/survivors", registration())).json()["survivor_id"]
    mombasa = as_staff("intake_officer", teams=(MOMBASA,))
    theirs = (await mombasa.post("/survivors", registration())).json()["survivor_id"]
    before = await count_events(pool)
    refused = await officer.post(f"/survivors/{mine}/merge", {"merged_survivor_id": theirs})
    assert refused.status_code == 404
    assert await count_events(pool) == before


async def test_a_registration_needs_a_team_when_the_caller_has_none_or_several(
    as_staff: Callable[..., As],
) -> None:
    several = as_staff("intake_officer", teams=(NAIROBI, MOMBASA))
    refused = await several.post("/survivors", registration())
    assert refused.status_code == 422
    assert "team_id" in refused.json()["detail"]
    chosen = await several.post("/survivors", registration(team_id=str(MOMBASA)))
    assert chosen.status_code == 201


async def test_identitys_teams_are_remembered_by_name(pool: asyncpg.Pool) -> None:
    team = uuid.uuid4()
    event = Event(
        event_id=uuid.uuid4(),
        stream_type="team",
        stream_id=str(team),
        version=1,
        type="identity.TeamCreated",
        schema_version=1,
        occurred_at=NOW,
        recorded_at=NOW,
        actor=Actor.system("test"),
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload={"team_id": str(team), "name": "Test Field Office", "county_code": "047"},
        prev_hash=bytes(32),
        hash=bytes(32),
        position=1,
    )
    async with pool.acquire() as conn:
        await on_identity_event(conn, event)
    assert await pool.fetchval("SELECT team_id FROM teams WHERE name = $1", "Test Field Office")
