"""Admin API: admins only, every refused token 401, bad input 422 with nothing written, 409s."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from identity_support import Staff, bearer, enrol, event_count, new_staff, signed_in
from uponyaji_identity.bootstrap import bootstrap_admin
from uponyaji_identity.context import Identity
from uponyaji_identity.security.tokens import access_claims, sign

ROLES = [
    "intake_officer",
    "clinician",
    "counsellor",
    "empowerment_officer",
    "legal_officer",
    "programme_lead",
    "data_protection_officer",
]


async def _team(client: httpx.AsyncClient, admin: Staff, name: str) -> str:
    response = await client.post(
        "/teams", json={"name": name, "county_code": "047"}, headers=admin.access
    )
    assert response.status_code == 201, response.text
    return str(response.json()["team_id"])


def _new_account(**overrides: object) -> dict[str, object]:
    return {
        "username": f"test.new{uuid.uuid4().hex[:8]}",
        "display_name": "Test New Colleague (FAKE)",
        "password": f"synthetic-{uuid.uuid4().hex}",
        "roles": ["counsellor"],
        **overrides,
    }


async def _approve(client: httpx.AsyncClient, second: Staff, change_id: str) -> None:
    response = await client.post(f"/account-changes/{change_id}/approval", headers=second.access)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"


async def test_admin_manages_accounts_and_teams(ctx: Identity, client: httpx.AsyncClient) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    team = await _team(client, admin, "Test Field Office Alpha")
    body = _new_account(teams=[team])
    response = await client.post("/accounts", json=body, headers=admin.access)
    assert response.status_code == 201, response.text
    account = response.json()
    # the clinical role and the team wait for a second administrator
    assert account["roles"] == []
    assert account["teams"] == []
    assert len(account["pending_changes"]) == 2
    assert account["display_name"] == "Test New Colleague (FAKE)"
    assert account["mfa_confirmed"] is False
    assert str(body["password"]) not in json.dumps(account)
    assert "argon2" not in json.dumps(account)
    staff_id = account["staff_id"]
    for change in account["pending_changes"]:
        await _approve(client, second, change)
    account = (await client.get(f"/accounts/{staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["counsellor"]
    assert account["teams"] == [team]
    assert account["pending_changes"] == []

    response = await client.post(
        f"/accounts/{staff_id}/roles",
        json={"roles": ["counsellor", "legal_officer"], "expected_version": account["version"]},
        headers=admin.access,
    )
    assert response.status_code == 202, response.text
    await _approve(client, second, response.json()["change_id"])
    account = (await client.get(f"/accounts/{staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["counsellor", "legal_officer"]
    # removing a clinical role needs no second person
    response = await client.post(
        f"/accounts/{staff_id}/roles", json={"roles": ["counsellor"]}, headers=admin.access
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["counsellor"]
    leave = {"team_id": team, "action": "leave"}
    response = await client.post(f"/accounts/{staff_id}/teams", json=leave, headers=admin.access)
    assert response.status_code == 202, response.text
    await _approve(client, second, response.json()["change_id"])
    account = (await client.get(f"/accounts/{staff_id}", headers=admin.access)).json()
    assert account["teams"] == []
    response = await client.post(f"/accounts/{staff_id}/teams", json=leave, headers=admin.access)
    response = await client.post(
        f"/account-changes/{response.json()['change_id']}/approval", headers=second.access
    )
    assert response.status_code == 409
    assert response.json()["error"] == "TeamMembershipConflict"

    listed = (await client.get("/accounts", headers=admin.access)).json()["accounts"]
    assert staff_id in {a["staff_id"] for a in listed}
    teams = (await client.get("/teams", headers=admin.access)).json()["teams"]
    assert [t["name"] for t in teams] == ["Test Field Office Alpha"]
    stale = {"roles": ["clinician"], "expected_version": 1}
    response = await client.post(f"/accounts/{staff_id}/roles", json=stale, headers=admin.access)
    assert response.status_code == 409


async def test_deactivation_revokes_every_session_and_stops_sign_in(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    staff = await signed_in(ctx, client, "counsellor")
    sid = jwt.decode(staff.tokens["access_token"], options={"verify_signature": False})["sid"]
    response = await client.post(
        f"/accounts/{staff.staff_id}/deactivation",
        json={"reason": "left_organisation"},
        headers=admin.access,
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert (await client.get("/auth/revocations", headers=staff.access)).status_code == 401
    listed = (await client.get("/auth/revocations", headers=admin.access)).json()["sids"]
    assert sid in listed
    refresh = {"refresh_token": staff.tokens["refresh_token"]}
    assert (await client.post("/auth/refresh", json=refresh)).status_code == 401
    response = await client.post("/auth/login", json=staff.login_body())
    assert response.status_code == 401
    assert response.json()["error"] == "InvalidCredentials"
    # an admin cannot lock themselves out
    response = await client.post(
        f"/accounts/{admin.staff_id}/deactivation", json={"reason": "other"}, headers=admin.access
    )
    assert response.status_code == 409
    assert response.json()["error"] == "SelfLockout"


@pytest.mark.parametrize("role", ROLES)
async def test_other_roles_get_403_on_every_admin_route(
    ctx: Identity, client: httpx.AsyncClient, role: str
) -> None:
    staff = await signed_in(ctx, client, role)
    target = staff.staff_id
    calls = [
        ("POST", "/accounts", _new_account()),
        ("GET", "/accounts", None),
        ("GET", f"/accounts/{target}", None),
        ("POST", f"/accounts/{target}/roles", {"roles": ["admin"]}),
        ("POST", f"/accounts/{target}/teams", {"team_id": str(uuid.uuid4()), "action": "join"}),
        ("POST", f"/accounts/{target}/deactivation", {"reason": "other"}),
        ("POST", "/teams", {"name": "Test Team Beta"}),
        ("GET", "/teams", None),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=staff.access)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "Forbidden"
    # the staff directory is open to every signed-in role
    assert (await client.get("/staff", headers=staff.access)).status_code == 200


async def test_refused_tokens_get_401(ctx: Identity, client: httpx.AsyncClient) -> None:
    admin = await signed_in(ctx, client, "admin")
    now = time.time()

    def token(*, audiences: list[str] | None = None, issued: float = now) -> str:
        claims = access_claims(
            staff_id=admin.staff_id,
            username=admin.username,
            roles=["admin"],
            teams=[],
            sid=uuid.UUID(
                jwt.decode(admin.tokens["access_token"], options={"verify_signature": False})["sid"]
            ),
            now=datetime.fromtimestamp(issued, UTC),
            **({"audiences": audiences} if audiences else {}),
        )
        return sign(claims, ctx.keys.current)

    header, payload, signature = admin.tokens["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["admin", "clinician"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    stranger = Ed25519PrivateKey.generate()
    refused = {
        "none": {},
        "garbage": bearer("not.a.token"),
        "expired": bearer(token(issued=now - 3600)),
        "tampered": bearer(f"{header}.{forged_payload}.{signature}"),
        "wrong audience": bearer(token(audiences=["intake", "medical"])),
        "unknown key": bearer(
            jwt.encode(
                jwt.decode(admin.tokens["access_token"], options={"verify_signature": False}),
                stranger,
                algorithm="EdDSA",
                headers={"kid": ctx.keys.current.kid},
            )
        ),
    }
    assert (await client.get("/accounts", headers=bearer(token()))).status_code == 200
    for name, headers in refused.items():
        for path in ("/accounts", "/teams", "/auth/revocations", "/feed", "/staff"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 401, (name, path, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
        response = await client.post("/auth/logout", headers=headers)
        assert response.status_code == 401, name


async def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    before = await event_count(ctx)
    cases = [
        (_new_account(username="Not Valid!"), "username"),
        (_new_account(roles=["superuser"]), "roles.0"),
        (_new_account(display_name=""), "display_name"),
        (_new_account(teams=["not-a-uuid"]), "teams.0"),
        ({**_new_account(), "is_admin": True}, "is_admin"),
    ]
    for body, field in cases:
        response = await client.post("/accounts", json=body, headers=admin.access)
        assert response.status_code == 422, response.text
        assert field in [p["field"] for p in response.json()["problems"]]
    response = await client.post(
        f"/accounts/{admin.staff_id}/deactivation", json={"reason": "bored"}, headers=admin.access
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "reason"
    assert await event_count(ctx) == before


async def test_duplicate_username_is_409_and_writes_nothing(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    first = _new_account()
    assert (await client.post("/accounts", json=first, headers=admin.access)).status_code == 201
    before = await event_count(ctx)
    again = _new_account(username=first["username"])
    response = await client.post("/accounts", json=again, headers=admin.access)
    assert response.status_code == 409
    assert response.json()["error"] == "UsernameTaken"
    assert await event_count(ctx) == before


async def test_unknown_account_and_team_are_404(ctx: Identity, client: httpx.AsyncClient) -> None:
    admin = await signed_in(ctx, client, "admin")
    missing = uuid.uuid4()
    assert (await client.get(f"/accounts/{missing}", headers=admin.access)).status_code == 404
    body = _new_account(teams=[str(missing)])
    response = await client.post("/accounts", json=body, headers=admin.access)
    assert response.status_code == 404
    assert response.json()["error"] == "TeamNotFound"


async def test_a_role_change_ends_the_accounts_sessions_at_once(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    staff = await enrol(client, await new_staff(ctx, "counsellor", "programme_lead"))
    sid = jwt.decode(staff.tokens["access_token"], options={"verify_signature": False})["sid"]
    response = await client.post(
        f"/accounts/{staff.staff_id}/roles", json={"roles": ["counsellor"]}, headers=admin.access
    )
    assert response.status_code == 200, response.text
    assert sid in (await client.get("/auth/revocations", headers=admin.access)).json()["sids"]
    refresh = {"refresh_token": staff.tokens["refresh_token"]}
    assert (await client.post("/auth/refresh", json=refresh)).status_code == 401
    response = await client.post("/auth/login", json=staff.login_body())
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["counsellor"]


async def test_bootstrap_creates_the_first_admin_only(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    password = await bootstrap_admin(ctx, "test.first.admin", "Test First Admin (FAKE)")
    assert password is not None
    response = await client.post(
        "/auth/mfa/enrol", json={"username": "test.first.admin", "password": password}
    )
    assert response.status_code == 200
    assert await bootstrap_admin(ctx, "test.second.admin", "Test Second Admin (FAKE)") is None
