"""Sign-in lifecycle through the real app: enrol, login, verify, refresh, logout, revocations."""

from __future__ import annotations

import logging
import time
import uuid

import httpx
import jwt
import pytest
from identity_support import bearer, enrol, event_count, new_staff, signed_in
from uponyaji_access import JwksCache, TokenVerifier, Unauthenticated
from uponyaji_identity.context import Identity

AUDIENCES = ["identity", "intake", "medical", "psychosocial", "empowerment", "reporting"]


async def test_enrol_login_verify_refresh_logout(ctx: Identity, client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).status_code == 200
    staff = await enrol(client, await new_staff(ctx, "counsellor"))

    # login with password and a fresh code
    response = await client.post("/auth/login", json=staff.login_body())
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900

    # the access token verifies against the JWKS the way another service checks it
    jwks = JwksCache("http://identity", client=client)
    claims = jwt.decode(
        tokens["access_token"],
        key=await jwks.key(jwt.get_unverified_header(tokens["access_token"])["kid"]),
        algorithms=["EdDSA"],
        audience="intake",
        issuer="uponyaji-identity",
    )
    assert claims["sub"] == str(staff.staff_id)
    assert claims["aud"] == AUDIENCES
    assert claims["exp"] - claims["iat"] == 900
    assert claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - time.time()) < 30
    assert claims["roles"] == ["counsellor"]
    assert claims["teams"] == []
    assert claims["username"] == staff.username
    uuid.UUID(claims["jti"]), uuid.UUID(claims["sid"])
    principal, _ = await TokenVerifier("medical", jwks).verify(tokens["access_token"])
    assert principal.staff_id == staff.staff_id
    with pytest.raises(Unauthenticated):
        await TokenVerifier("legal", jwks).verify(tokens["access_token"])

    # refresh rotates: a new refresh token, same session
    first_refresh = tokens["refresh_token"]
    response = await client.post("/auth/refresh", json={"refresh_token": first_refresh})
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["refresh_token"] != first_refresh
    new_claims = jwt.decode(rotated["access_token"], options={"verify_signature": False})
    assert new_claims["sid"] == claims["sid"]
    assert new_claims["jti"] != claims["jti"]

    # logout revokes the session: refresh token dead, access token refused, sid listed
    response = await client.post("/auth/logout", headers=bearer(rotated["access_token"]))
    assert response.status_code == 204
    response = await client.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert response.status_code == 401
    response = await client.get("/auth/revocations", headers=bearer(rotated["access_token"]))
    assert response.status_code == 401
    other = await signed_in(ctx, client, "clinician")
    response = await client.get("/auth/revocations", headers=other.access)
    assert response.status_code == 200
    assert claims["sid"] in response.json()["sids"]
    assert other.tokens
    assert str(other.staff_id) not in response.json()["sids"]


async def test_reused_refresh_token_revokes_the_whole_family(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await signed_in(ctx, client, "clinician")
    old = staff.tokens["refresh_token"]
    response = await client.post("/auth/refresh", json={"refresh_token": old})
    newest = response.json()
    sid = jwt.decode(newest["access_token"], options={"verify_signature": False})["sid"]

    # someone replays the old token: refused, and the whole session is revoked
    response = await client.post("/auth/refresh", json={"refresh_token": old})
    assert response.status_code == 401
    response = await client.post("/auth/refresh", json={"refresh_token": newest["refresh_token"]})
    assert response.status_code == 401
    response = await client.get("/auth/revocations", headers=bearer(newest["access_token"]))
    assert response.status_code == 401
    other = await signed_in(ctx, client, "counsellor")
    listed = (await client.get("/auth/revocations", headers=other.access)).json()["sids"]
    assert sid in listed


async def test_unknown_refresh_token_is_401_and_writes_nothing(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    before = await event_count(ctx)
    response = await client.post("/auth/refresh", json={"refresh_token": "not-a-real-token"})
    assert response.status_code == 401
    assert response.json()["error"] == "InvalidRefreshToken"
    assert await event_count(ctx) == before


async def test_no_password_token_or_secret_in_captured_logs(
    ctx: Identity, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    wrong = {**staff.credentials(), "password": "not-the-password-at-all", "totp_code": "000000"}
    assert (await client.post("/auth/login", json=wrong)).status_code == 401
    response = await client.post("/auth/login", json=staff.login_body())
    tokens = response.json()
    refreshed = (
        await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # reuse
    await client.post("/auth/logout", headers=bearer(refreshed["access_token"]))
    weak = {"username": "x", "password": "password1234", "roles": [], "display_name": "X"}
    await client.post("/accounts", json=weak, headers=staff.access)
    assert staff.secret is not None
    secrets = [
        staff.password,
        staff.secret,
        "not-the-password-at-all",
        "password1234",
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        staff.tokens["access_token"],
    ]
    text = caplog.text + "\n".join(repr(r.args) for r in caplog.records)
    assert "refresh token reused" in text  # the service did log about this flow
    for secret in secrets:
        assert secret not in text
