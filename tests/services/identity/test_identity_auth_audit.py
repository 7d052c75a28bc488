"""Authentication is audited and locks are per (username, source): sign-ins succeeded and failed,
locks, authenticator and password changes are audit events with the username as a keyed hash
and the client's address; X-Forwarded-For counts only from a configured trusted proxy."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from identity_support import enrol, new_staff, strong_password
from uponyaji_identity.context import Identity

AUDIT_KEY = b"test-audit-key-of-at-least-32-bytes-0123456789"
PROXY = "127.0.0.1"  # the in-process transport's peer address, trusted as a proxy here
HOME, ATTACKER = "198.51.100.7", "203.0.113.66"


@pytest.fixture(autouse=True)
def audit_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's audit key and trusted proxy, set before identity starts."""
    key = tmp_path / "audit.key"
    key.write_bytes(AUDIT_KEY)
    monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(key))
    monkeypatch.setenv("UPONYAJI_TRUSTED_PROXIES", f"{PROXY}/32, 10.20.0.0/16")


def keyed(username: str) -> str:
    """The username hash an auditor holding the key can recompute."""
    message = b"username\x00" + username.strip().lower().encode()
    return hmac.new(AUDIT_KEY, message, hashlib.sha256).hexdigest()


def via(address: str) -> dict[str, str]:
    """Headers of a request the trusted proxy forwarded from `address`."""
    return {"X-Forwarded-For": f"{address}, 10.20.0.9"}


async def audited(ctx: Identity) -> list[dict[str, Any]]:
    rows = await ctx.pool.fetch(
        "SELECT payload FROM events WHERE type = 'identity.AuthenticationAudited' ORDER BY id"
    )
    return [dict(r["payload"]) for r in rows]


async def test_sign_ins_failed_and_succeeded_are_audited_without_the_username(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    wrong_password = {**staff.credentials(), "password": strong_password(), "totp_code": "1"}
    assert (
        await client.post("/auth/login", json=wrong_password, headers=via(HOME))
    ).status_code == 401
    wrong_code = {**staff.credentials(), "totp_code": staff.wrong_code()}
    assert (await client.post("/auth/login", json=wrong_code, headers=via(HOME))).status_code == 401
    signed = await client.post("/auth/login", json=staff.login_body(), headers=via(HOME))
    assert signed.status_code == 200

    records = await audited(ctx)
    assert [(r["kind"], r["reason"]) for r in records] == [
        ("mfa_enrolment_started", None),
        ("mfa_confirmed", None),
        ("sign_in_failed", "password"),
        ("sign_in_failed", "code"),
        ("sign_in_succeeded", None),
    ]
    assert {r["username_hash"] for r in records} == {keyed(staff.username)}
    assert [r["source"] for r in records[2:]] == [HOME] * 3
    assert [r["staff_id"] for r in records[2:]] == [None, str(staff.staff_id), str(staff.staff_id)]
    assert staff.username not in str(records)
    assert staff.password not in str(records)


async def test_one_address_locks_only_itself_out_and_each_lock_lasts_longer(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    guess = {**staff.credentials(), "password": strong_password(), "totp_code": "000000"}
    for _ in range(5):
        assert (
            await client.post("/auth/login", json=guess, headers=via(ATTACKER))
        ).status_code == 401
    locked = await client.post("/auth/login", json=staff.login_body(), headers=via(ATTACKER))
    assert locked.status_code == 423
    first = int(locked.headers["Retry-After"])
    assert 14 * 60 < first <= 15 * 60

    # The owner, from their own address, is not locked out by the attacker's guesses.
    home = await client.post("/auth/login", json=staff.login_body(), headers=via(HOME))
    assert home.status_code == 200

    records = await audited(ctx)
    [lock] = [r for r in records if r["kind"] == "locked_out"]
    assert (lock["source"], lock["username_hash"]) == (ATTACKER, keyed(staff.username))
    assert 14 * 60 < lock["lock_seconds"] <= 15 * 60
    refused = [r for r in records if r["reason"] == "locked"]
    assert [r["source"] for r in refused] == [ATTACKER]

    # The lock ends; the same address fails five more times: the next lock is twice as long.
    await ctx.pool.execute(
        "UPDATE login_throttle SET locked_until = now() - interval '1 second' "
        "WHERE locked_until IS NOT NULL"
    )
    for _ in range(5):
        assert (
            await client.post("/auth/login", json=guess, headers=via(ATTACKER))
        ).status_code == 401
    again = await client.post("/auth/login", json=guess, headers=via(ATTACKER))
    assert again.status_code == 423
    assert 29 * 60 < int(again.headers["Retry-After"]) <= 30 * 60


@pytest.fixture
async def untrusted(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose direct address is not a trusted proxy."""
    transport = httpx.ASGITransport(app=app, client=("192.0.2.200", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
        yield http


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    ctx: Identity, untrusted: httpx.AsyncClient
) -> None:
    staff = await enrol(untrusted, await new_staff(ctx, "clinician"))
    guess = {**staff.credentials(), "password": strong_password(), "totp_code": "000000"}
    statuses = [
        (
            await untrusted.post("/auth/login", json=guess, headers=via(f"198.51.100.{n}"))
        ).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 5 + [423]  # a forged header does not buy fresh attempts
    sources = {r["source"] for r in await audited(ctx) if r["kind"] == "sign_in_failed"}
    assert sources == {"192.0.2.200"}


async def test_a_password_change_is_audited(ctx: Identity, client: httpx.AsyncClient) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    new = strong_password()
    changed = await client.post(
        "/auth/password",
        json={"current_password": staff.password, "new_password": new},
        headers={**staff.access, **via(HOME)},
    )
    assert changed.status_code == 204
    [record] = [r for r in await audited(ctx) if r["kind"] == "password_changed"]
    assert (record["staff_id"], record["source"]) == (str(staff.staff_id), HOME)
    assert new not in str(record)
