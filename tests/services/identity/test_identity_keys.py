"""Signing keys: sealed at rest, rotation by kid without logging anyone out, several processes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from identity_support import bearer, signed_in
from uponyaji_access import JwksCache, TokenVerifier
from uponyaji_identity.app import create_app
from uponyaji_identity.context import Identity
from uponyaji_identity.settings import Settings


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_private_keys_are_sealed_in_the_database(ctx: Identity) -> None:
    rows = await ctx.pool.fetch("SELECT kid, public_jwk, private_key FROM signing_keys")
    assert len(rows) == 1
    assert rows[0]["private_key"].startswith("sealed:v1:")
    assert set(rows[0]["public_jwk"]) == {"kty", "crv", "x", "kid", "use", "alg"}


async def test_jwks_lists_ed25519_signing_keys(ctx: Identity, client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["use"] == "sig"
    assert key["alg"] == "EdDSA"
    assert key["kid"] == ctx.keys.current.kid
    assert "d" not in key  # never the private half


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await signed_in(ctx, client, "counsellor")
    old_token = staff.tokens["access_token"]
    old_kid = _kid(old_token)

    new_key = await ctx.keys.rotate(lead=timedelta(0))
    assert new_key.kid != old_kid
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old_kid, new_key.kid}

    # the previous key's token still works, here and for other services
    assert (await client.get("/auth/revocations", headers=bearer(old_token))).status_code == 200
    verifier = TokenVerifier("intake", JwksCache("http://identity", client=client))
    principal, _ = await verifier.verify(old_token)
    assert principal.staff_id == staff.staff_id

    # new tokens (login and refresh) are signed with the new key
    response = await client.post("/auth/login", json=staff.login_body())
    assert _kid(response.json()["access_token"]) == new_key.kid
    response = await client.post(
        "/auth/refresh", json={"refresh_token": staff.tokens["refresh_token"]}
    )
    assert _kid(response.json()["access_token"]) == new_key.kid
    assert (await verifier.verify(response.json()["access_token"]))[0].staff_id == staff.staff_id

    # once the previous key's publication window is over it is dropped, and its tokens with it
    await ctx.pool.execute(
        "UPDATE signing_keys SET publish_until = now() - interval '1 second' WHERE kid = $1",
        old_kid,
    )
    await ctx.keys.load()
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {new_key.kid}
    assert (await client.get("/auth/revocations", headers=bearer(old_token))).status_code == 401


async def test_a_second_process_accepts_rotated_keys_and_sees_logouts(
    ctx: Identity,
    client: httpx.AsyncClient,
    settings: Settings,
    settings_for: Callable[..., Any],
    wait_until: Callable[..., Any],
) -> None:
    other_app: FastAPI = create_app(
        settings_for(database_url=settings.database_url, kek_file=settings.kek_file)
    )
    async with other_app.router.lifespan_context(other_app):
        transport = httpx.ASGITransport(app=other_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://other") as other:
            staff = await signed_in(ctx, client, "clinician")
            await ctx.keys.rotate(lead=timedelta(0))
            response = await client.post("/auth/login", json=staff.login_body())
            fresh = response.json()["access_token"]
            # the other process learns the new kid on first sight
            assert (await other.get("/auth/revocations", headers=bearer(fresh))).status_code == 200
            # a logout in this process reaches the other one's deny list within a second or so
            assert (await client.post("/auth/logout", headers=bearer(fresh))).status_code == 204

            async def refused() -> bool:
                response = await other.get("/auth/revocations", headers=bearer(fresh))
                return response.status_code == 401

            await wait_until(refused, seconds=10, what="the logout to reach the other process")


async def test_a_new_key_is_published_before_it_signs(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    old = ctx.keys.current
    announced = await ctx.keys.rotate(lead=timedelta(minutes=5))
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old.kid, announced.kid}
    assert ctx.keys.current.kid == old.kid  # still signing with the old key
    await ctx.pool.execute(
        "UPDATE signing_keys SET activates_at = now() WHERE kid = $1",
        announced.kid,
    )
    await ctx.keys.load()
    assert ctx.keys.current.kid == announced.kid
