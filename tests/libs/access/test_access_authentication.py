"""401 for every token a service must refuse; the principal for a good one; no token in logs."""

from __future__ import annotations

import json
import logging
import time

import httpx
import jwt
import pytest
from access_support import SERVICE, Mint, SigningKey, Staff, bearer
from fastapi import FastAPI
from uponyaji_access import Access, route_actions

PUBLIC = {"/health"}


def assert_401(response: httpx.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["error"] == "Unauthenticated"
    assert words in body["detail"]


async def test_a_valid_token_yields_the_principal(client: httpx.AsyncClient, mint: Mint) -> None:
    staff = Staff(("counsellor",), teams=("team-a",))
    response = await client.get("/whoami", headers=bearer(mint(staff)))
    assert response.status_code == 200
    assert response.json() == {"staff_id": str(staff.staff_id), "roles": ["counsellor"]}


async def test_missing_and_malformed_tokens(client: httpx.AsyncClient) -> None:
    assert_401(await client.get("/whoami"), "bearer access token is required")
    assert_401(await client.get("/whoami", headers={"Authorization": "Basic eDp5"}), "required")
    assert_401(await client.get("/whoami", headers=bearer("not.a.token")), "malformed")
    assert_401(await client.get("/whoami", headers=bearer("x" * 9000)), "malformed")


async def test_expired_and_not_yet_valid(client: httpx.AsyncClient, mint: Mint) -> None:
    staff = Staff(("clinician",))
    expired = mint(staff, issued_ago=900 + 60)
    assert_401(await client.get("/whoami", headers=bearer(expired)), "expired")
    now = int(time.time())
    future = mint(staff, nbf=now + 120, iat=now)
    assert_401(await client.get("/whoami", headers=bearer(future)), "not valid yet")


async def test_tampered_and_foreign_signatures(
    client: httpx.AsyncClient, mint: Mint, signing_key: SigningKey
) -> None:
    staff = Staff(("counsellor",))
    header, _payload, signature = mint(staff).split(".")
    forged_claims = staff.claims(roles=["admin"])
    forged_payload = jwt.utils.base64url_encode(json.dumps(forged_claims).encode())
    tampered = ".".join([header, forged_payload.decode(), signature])
    assert_401(await client.get("/whoami", headers=bearer(tampered)), "signature is invalid")

    impostor = SigningKey(kid=signing_key.kid)  # same kid, different key
    assert_401(
        await client.get("/whoami", headers=bearer(impostor.sign(staff.claims()))),
        "signature is invalid",
    )
    unknown = SigningKey()
    assert_401(
        await client.get("/whoami", headers=bearer(unknown.sign(staff.claims()))), "unknown key"
    )


async def test_algorithm_confusion_is_refused(
    client: httpx.AsyncClient, signing_key: SigningKey
) -> None:
    claims = Staff(("admin",)).claims()
    none_alg = jwt.encode(claims, key=None, algorithm="none", headers={"kid": signing_key.kid})
    assert_401(await client.get("/whoami", headers=bearer(none_alg)), "EdDSA")
    x = signing_key.jwk()["x"]
    hs = jwt.encode(claims, key=x, algorithm="HS256", headers={"kid": signing_key.kid})
    assert_401(await client.get("/whoami", headers=bearer(hs)), "EdDSA")


async def test_audience_issuer_and_claims(client: httpx.AsyncClient, mint: Mint) -> None:
    staff = Staff(("intake_officer",))
    assert_401(
        await client.get("/whoami", headers=bearer(mint(staff, aud=["intake", "identity"]))),
        f"not meant for {SERVICE}",
    )
    assert_401(
        await client.get("/whoami", headers=bearer(mint(staff, iss="someone-else"))),
        "not issued by identity",
    )
    assert_401(
        await client.get("/whoami", headers=bearer(mint(staff, sub="not-a-uuid"))), "subject"
    )
    assert_401(await client.get("/whoami", headers=bearer(mint(staff, roles="admin"))), "malformed")
    assert_401(
        await client.get("/whoami", headers=bearer(mint(staff, lifetime=24 * 3600))),
        "lives longer",
    )


async def test_a_token_without_a_session_is_refused(
    client: httpx.AsyncClient, signing_key: SigningKey
) -> None:
    claims = Staff(("counsellor",)).claims()
    del claims["sid"]
    assert_401(await client.get("/whoami", headers=bearer(signing_key.sign(claims))), "sid")


async def test_a_revoked_session_is_refused_at_once(
    client: httpx.AsyncClient, mint: Mint, access: Access
) -> None:
    staff = Staff(("counsellor",))
    token = mint(staff)
    assert (await client.get("/whoami", headers=bearer(token))).status_code == 200
    access.deny_list.revoke(staff.sid)
    assert_401(await client.get("/whoami", headers=bearer(token)), "revoked")
    other = Staff(("counsellor",))  # other sessions are untouched
    assert (await client.get("/whoami", headers=bearer(mint(other)))).status_code == 200


async def test_every_protected_route_answers_401_without_a_token(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    routes = route_actions(app)
    assert {r.path for r in routes if not r.authenticated} == PUBLIC
    for route in routes:
        if route.path in PUBLIC:
            continue
        path = route.path.replace("{survivor_id}", "00000000-0000-4000-8000-000000000000")
        path = path.replace("{flag_id}", "00000000-0000-4000-8000-000000000001")
        for method in route.methods:
            response = await client.request(method, path)
            assert response.status_code == 401, f"{method} {route.path}: {response.status_code}"


async def test_no_token_reaches_the_logs(
    client: httpx.AsyncClient, mint: Mint, access: Access, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = Staff(("counsellor",))
    tokens = [mint(staff), mint(staff, issued_ago=2000), mint(staff, aud=["other"])]
    for token in tokens:
        await client.get("/whoami", headers=bearer(token))
    access.deny_list.revoke(staff.sid)
    await client.get("/whoami", headers=bearer(tokens[0]))
    for token in tokens:
        for part in token.split("."):
            assert part not in caplog.text
