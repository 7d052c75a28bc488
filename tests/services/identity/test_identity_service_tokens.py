"""Service tokens: client credentials against the clients file, the token contract, refusals."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from identity_support import bearer, signed_in
from uponyaji_access import JwksCache, ServiceTokens, TokenVerifier, service_subject
from uponyaji_identity.app import create_app
from uponyaji_identity.service_client import main as provision
from uponyaji_identity.service_clients import parse_clients
from uponyaji_identity.settings import Settings
from uponyaji_service import running

SECRET = "synthetic-intake-client-secret-0123456789"
WRONG = {"error": "InvalidClient", "detail": "the client id or secret is not right"}


def request(secret: str = SECRET, client_id: str = "intake", **extra: Any) -> dict[str, Any]:
    """A client-credentials request body."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "audience": ["psychosocial"],
        **extra,
    }


def rewrite(path: Path, text: str, *, append: bool = False) -> None:
    """Replace (or extend) the file's text and move its mtime on, so a reload sees the change."""
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text() + text if append else text)
    os.utime(path, ns=(time.time_ns(), max(time.time_ns(), before + 1_000_000)))


@pytest.fixture
def clients_file(tmp_path: Path) -> Path:
    """A clients file with one client, `intake`, holding only the hash of its secret."""
    path = tmp_path / "service-clients"
    path.write_text(f"# test clients\nintake:{PasswordHasher().hash(SECRET)}\n")
    return path


@pytest.fixture
async def client(
    settings_for: Callable[..., Settings], clients_file: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """Identity with a clients file, over an in-process HTTP client."""
    application: FastAPI = create_app(settings_for(service_clients_file=clients_file))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            yield http


async def test_a_client_with_its_secret_gets_a_short_service_token_other_services_verify(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/auth/service-token", json=request())
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert set(body) == {"access_token", "expires_in", "token_type"}

    jwks = JwksCache("http://identity", client=client)
    principal, claims = await TokenVerifier("psychosocial", jwks).verify(body["access_token"])
    assert principal.roles == {"service"}
    assert principal.teams == frozenset()
    assert principal.username == "service:intake"
    assert principal.staff_id == service_subject("intake")
    assert claims["aud"] == ["psychosocial"]
    assert claims["exp"] - claims["iat"] == 300
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "EdDSA"
    with pytest.raises(Exception, match="not meant for medical"):
        await TokenVerifier("medical", jwks).verify(body["access_token"])


async def test_unknown_client_and_wrong_secret_get_the_same_401(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/auth/service-token", json=request(secret=SECRET + "x"))
    unknown = await client.post("/auth/service-token", json=request(client_id="medical"))
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == WRONG
        assert "www-authenticate" in response.headers


async def test_malformed_requests_are_422(client: httpx.AsyncClient) -> None:
    bodies = [
        request(grant_type="password"),
        request(audience=[]),
        request(audience=["billing"]),
        {k: v for k, v in request().items() if k != "client_secret"},
        request(scope="feed"),
    ]
    for body in bodies:
        response = await client.post("/auth/service-token", json=body)
        assert response.status_code == 422, (body, response.text)


async def test_a_service_token_reads_identitys_feed_and_nothing_else_there(
    client: httpx.AsyncClient,
) -> None:
    token = (await client.post("/auth/service-token", json=request(audience=["identity"]))).json()
    staff = await client.get("/staff", headers=bearer(token["access_token"]))
    assert staff.status_code == 403
    accounts = await client.get("/accounts", headers=bearer(token["access_token"]))
    assert accounts.status_code == 403
    feed = await client.get("/feed", headers=bearer(token["access_token"]))
    assert feed.status_code == 200  # identity's own feed: intake follows its teams


async def test_identitys_feed_is_for_services_only_and_refusals_are_audited(
    client: httpx.AsyncClient,
) -> None:
    ctx = running(client._transport.app).resources  # type: ignore[attr-defined]
    for role in ("admin", "counsellor"):
        staff = await signed_in(ctx, client, role)
        for path in ("/feed", "/feed/keys"):
            response = await client.get(path, headers=staff.access)
            assert response.status_code == 403, (role, path, response.text)
        denied = await ctx.pool.fetchval(
            "SELECT count(*) FROM events WHERE type = 'identity.AccessDenied' "
            "AND payload->>'action' = 'identity.feed.read' AND payload->>'staff_id' = $1",
            str(staff.staff_id),
        )
        assert denied == 2  # each refused read is in identity's audit log
    token = (await client.post("/auth/service-token", json=request(audience=["identity"]))).json()
    keys = await client.get("/feed/keys", headers=bearer(token["access_token"]))
    assert keys.status_code == 200
    assert keys.json()["service"] == "identity"


async def test_admins_cannot_give_a_staff_account_the_service_role(
    client: httpx.AsyncClient,
) -> None:
    ctx = running(client._transport.app).resources  # type: ignore[attr-defined]
    admin = await signed_in(ctx, client, "admin")
    created = await client.post(
        "/accounts",
        json={
            "username": "test.robot",
            "display_name": "Test Robot (FAKE)",
            "password": "synthetic-Zq9-long-password",
            "roles": ["service"],
        },
        headers=admin.access,
    )
    assert created.status_code == 422
    assert "not a staff role" in created.text


async def test_the_clients_file_is_read_again_when_it_changes(
    client: httpx.AsyncClient, clients_file: Path
) -> None:
    other = "synthetic-medical-client-secret-abcdefghij"
    refused = await client.post("/auth/service-token", json=request(other, "medical"))
    assert refused.status_code == 401
    rewrite(clients_file, f"medical:{PasswordHasher().hash(other)}\n", append=True)
    response = await client.post("/auth/service-token", json=request(other, "medical"))
    assert response.status_code == 200, response.text
    rewrite(clients_file, "intake:not-a-hash\n")  # a broken edit keeps the last good file
    assert (await client.post("/auth/service-token", json=request())).status_code == 200


async def test_without_a_clients_file_every_client_is_refused(
    settings_for: Callable[..., Settings],
) -> None:
    application = create_app(settings_for())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            response = await http.post("/auth/service-token", json=request())
    assert response.status_code == 401
    assert response.json() == WRONG


async def test_token_requests_are_rate_limited_per_client_address(
    settings_for: Callable[..., Settings], clients_file: Path
) -> None:
    application = create_app(
        settings_for(service_clients_file=clients_file, auth_rate_per_minute=3)
    )
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            codes = [
                (await http.post("/auth/service-token", json=request("wrong"))).status_code
                for _ in range(4)
            ]
            late = await http.post("/auth/service-token", json=request())
    assert codes == [401, 401, 401, 429]
    assert late.status_code == 429
    assert int(late.headers["retry-after"]) >= 1


async def test_service_tokens_client_caches_and_secrets_stay_out_of_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = ServiceTokens("intake", SECRET, "http://identity", client=client)
    first = await tokens.headers("psychosocial")
    assert first == await tokens.auth("psychosocial")()  # cached, not fetched again
    other = await tokens.token("psychosocial", "identity")
    assert first["Authorization"] != f"Bearer {other}"
    tokens.forget()
    assert await tokens.headers("psychosocial") != first
    bad = ServiceTokens("intake", "wrong", "http://identity", client=client)
    with pytest.raises(httpx.HTTPStatusError):
        await bad.token("psychosocial")
    text = caplog.text
    assert SECRET not in text
    assert first["Authorization"].split()[1] not in text
    assert "service token issued to intake for psychosocial" in text


def test_the_provisioning_tool_writes_a_private_secret_and_prints_its_hash_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = tmp_path / "intake.client-secret"
    assert provision(["intake", str(secret_file)]) == 0
    line = capsys.readouterr().out.strip()
    secret = secret_file.read_text()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(secret) >= 43
    assert secret not in line
    assert PasswordHasher().verify(parse_clients(line)["intake"], secret)
    assert provision(["intake", str(secret_file)]) == 1  # never overwrites a secret
    assert secret_file.read_text() == secret
    assert provision(["Not A Name", str(tmp_path / "x")]) == 1
