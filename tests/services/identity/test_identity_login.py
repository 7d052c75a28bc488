"""Sign-in defences: one answer for any wrong part, lockout, TOTP replay, rate limit, passwords."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from identity_support import enrol, event_count, new_staff, strong_password
from uponyaji_identity.app import create_app
from uponyaji_identity.context import Identity
from uponyaji_identity.handlers.auth import start_session
from uponyaji_identity.handlers.streams import load_account
from uponyaji_identity.security.passwords import password_problem


async def test_unknown_user_wrong_password_and_wrong_code_get_the_same_answer(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    attempts = [
        {"username": "test.nobody.here", "password": staff.password, "totp_code": "123456"},
        {"username": staff.username, "password": strong_password(), "totp_code": staff.next_code()},
        {"username": staff.username, "password": staff.password, "totp_code": staff.wrong_code()},
    ]
    answers = []
    for body in attempts:
        response = await client.post("/auth/login", json=body)
        answers.append(
            (response.status_code, response.json(), response.headers.get("www-authenticate"))
        )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 401
    assert answers[0][1] == {
        "error": "InvalidCredentials",
        "detail": "the username, password or code is not right",
    }


async def test_five_failures_lock_the_account_even_against_the_right_password(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    for _ in range(5):
        body = {**staff.credentials(), "password": strong_password(), "totp_code": "000000"}
        assert (await client.post("/auth/login", json=body)).status_code == 401
    response = await client.post("/auth/login", json=staff.login_body())
    assert response.status_code == 423
    assert response.json()["error"] == "AccountLocked"
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    # wrong codes count too, and a lock also stops enrolment
    response = await client.post("/auth/mfa/enrol", json=staff.credentials())
    assert response.status_code == 423


async def test_unknown_usernames_lock_the_same_way(client: httpx.AsyncClient) -> None:
    body = {"username": "test.ghost", "password": strong_password(), "totp_code": "111111"}
    statuses = [(await client.post("/auth/login", json=body)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [423]


async def test_a_success_resets_the_failure_count(ctx: Identity, client: httpx.AsyncClient) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    wrong = {**staff.credentials(), "password": strong_password(), "totp_code": "000000"}
    for _ in range(4):
        assert (await client.post("/auth/login", json=wrong)).status_code == 401
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 200
    for _ in range(4):
        assert (await client.post("/auth/login", json=wrong)).status_code == 401
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 200


async def test_a_totp_code_works_once(ctx: Identity, client: httpx.AsyncClient) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    body = staff.login_body()
    assert (await client.post("/auth/login", json=body)).status_code == 200
    replay = await client.post("/auth/login", json=body)
    assert replay.status_code == 401
    assert replay.json()["error"] == "InvalidCredentials"
    # the code used to confirm the authenticator cannot sign in either (an earlier step)
    staff.last_step -= 1
    earlier = staff.login_body()
    assert (await client.post("/auth/login", json=earlier)).status_code == 401


async def test_login_before_mfa_is_confirmed_asks_for_enrolment(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await new_staff(ctx, "intake_officer")
    body = {**staff.credentials(), "totp_code": "123456"}
    response = await client.post("/auth/login", json=body)
    assert response.status_code == 403
    assert response.json()["error"] == "MfaEnrolmentRequired"
    wrong = {**body, "password": strong_password()}
    assert (await client.post("/auth/login", json=wrong)).status_code == 401


async def test_a_confirmed_authenticator_is_replaced_only_with_a_current_code(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    response = await client.post("/auth/mfa/enrol", json=staff.credentials())
    assert response.status_code == 401  # a password alone no longer enrols
    response = await client.post(
        "/auth/mfa/enrol", json={**staff.credentials(), "totp_code": staff.next_code()}
    )
    assert response.status_code == 200
    assert response.json()["otpauth_uri"].startswith("otpauth://totp/Uponyaji:")


@pytest.fixture
async def slow_client(settings_for: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings_for(auth_rate_per_minute=3))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            yield http


async def test_a_client_sending_too_fast_gets_429(slow_client: httpx.AsyncClient) -> None:
    statuses = []
    for n in range(4):
        body = {"username": f"test.user{n}", "password": strong_password(), "totp_code": "1"}
        statuses.append((await slow_client.post("/auth/login", json=body)).status_code)
    assert statuses == [401, 401, 401, 429]
    response = await slow_client.post("/auth/refresh", json={"refresh_token": "x"})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-Pw1", "at least 12 characters"),
        ("password1234", "common passwords"),
        ("P@ssw0rd2024!!", "common word"),
        ("Nairobi@2025", "common"),
        ("qwertyuiopas", "sequence"),
        ("aaaaaaaaaaaaaaab", "too few different characters"),
        ("x-test.newbie-123", "username"),
    ],
)
async def test_weak_passwords_are_refused_with_422_naming_the_problem(
    ctx: Identity, client: httpx.AsyncClient, password: str, problem: str
) -> None:
    admin = await enrol(client, await new_staff(ctx, "admin"))
    before = await event_count(ctx)
    body = {
        "username": "test.newbie",
        "display_name": "Test Newbie (FAKE)",
        "password": password,
        "roles": ["counsellor"],
    }
    response = await client.post("/accounts", json=body, headers=admin.access)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "WeakPassword"
    assert response.json()["detail"].startswith("password: ")
    assert problem in response.json()["detail"]
    assert password not in response.text
    assert await event_count(ctx) == before


def test_good_passphrases_pass() -> None:
    assert password_problem("mango tree under the blue sky 7") is None
    assert password_problem("Kx7-vlq2-Rr9p-00tz", "test.staff") is None


async def test_changing_ones_password_revokes_other_sessions(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    account = await load_account(ctx, staff.staff_id)
    assert account is not None
    other_session = await start_session(ctx, account)
    weak = {"current_password": staff.password, "new_password": "password1234"}
    response = await client.post("/auth/password", json=weak, headers=staff.access)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("new_password: ")
    new = strong_password()
    change = {"current_password": staff.password, "new_password": new}
    assert (
        await client.post("/auth/password", json=change, headers=staff.access)
    ).status_code == 204
    # this session goes on, the other one is revoked
    assert (await client.get("/staff", headers=staff.access)).status_code == 200
    other = {"Authorization": f"Bearer {other_session.access_token}"}
    assert (await client.get("/staff", headers=other)).status_code == 401
    old = {**staff.credentials(), "totp_code": "000000"}  # refused before the code is read
    assert (await client.post("/auth/login", json=old)).status_code == 401
    staff.password = new
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 200
