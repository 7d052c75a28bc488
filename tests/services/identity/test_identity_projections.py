"""Read tables are a pure function of the events: rebuilt from zero they equal the live ones."""

from __future__ import annotations

import json

import httpx
from identity_support import enrol, new_staff, signed_in
from uponyaji_events.contracts.identity import TeamCreated
from uponyaji_identity import projections
from uponyaji_identity.context import Identity
from uponyaji_identity.domain import ACCOUNT_EVENTS

TABLES = {
    "accounts": "SELECT * FROM accounts ORDER BY staff_id",
    "teams": "SELECT * FROM teams ORDER BY team_id",
    "team_members": "SELECT * FROM team_members ORDER BY team_id, staff_id",
}


async def _snapshot(ctx: Identity) -> dict[str, list[dict[str, object]]]:
    return {name: [dict(r) for r in await ctx.pool.fetch(sql)] for name, sql in TABLES.items()}


async def test_rebuilt_read_tables_equal_the_live_ones(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    team = (
        await client.post("/teams", json={"name": "Test Field Office Gamma"}, headers=admin.access)
    ).json()["team_id"]
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    for path, body in [
        (f"/accounts/{staff.staff_id}/teams", {"team_id": team, "action": "join"}),
        (f"/accounts/{staff.staff_id}/roles", {"roles": ["counsellor", "clinician"]}),
        (f"/accounts/{staff.staff_id}/mfa-reset", {}),
        (f"/accounts/{staff.staff_id}/deactivation", {"reason": "role_ended"}),
        (f"/accounts/{staff.staff_id}/reactivation", {}),
    ]:
        response = await client.post(path, json=body, headers=admin.access)
        if response.status_code == 202:  # the two-person rule: a second admin approves
            change = response.json()["change_id"]
            response = await client.post(
                f"/account-changes/{change}/approval", headers=second.access
            )
        assert response.status_code == 200, (path, response.text)
    live = await _snapshot(ctx)
    assert len(live["accounts"]) == 3
    applied = await projections.rebuild(ctx.store)
    assert applied > 5
    assert await _snapshot(ctx) == live


async def test_identity_events_match_their_contracts_and_carry_no_secrets(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    rows = await ctx.pool.fetch("SELECT type, payload::text AS payload FROM events")
    registry = projections.registry()
    for row in rows:
        if row["type"].startswith("identity.") and row["type"] in registry:
            registry.validate(row["type"], json.loads(row["payload"]))
        assert staff.password not in row["payload"]
        assert staff.secret is not None
        assert staff.secret not in row["payload"]
        assert "argon2" not in row["payload"]
    assert {r["type"] for r in rows} >= {
        "identity.AccountCreated",
        "identity.MfaEnrolled",
        "identity.MfaConfirmed",
    }


def test_every_account_and_team_event_has_a_projection_rule() -> None:
    """An account or team event the read tables ignored would leave them silently wrong."""
    written = {f"identity.{model.__name__}" for model in (*ACCOUNT_EVENTS, TeamCreated)}
    assert written <= set(projections.READ_MODEL.appliers)
    assert "identity.AuthenticationAudited" not in projections.READ_MODEL.appliers  # audit only
