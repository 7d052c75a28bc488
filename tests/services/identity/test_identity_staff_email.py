"""Staff e-mail addresses: optional on an account, validated, sealed in events, changeable by an
admin, and readable by other services only (to deliver notifications to people)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from identity_support import bearer, event_count, signed_in
from uponyaji_identity.context import Identity
from uponyaji_identity.security.tokens import service_claims, sign
from uponyaji_notify import IdentityRecipients

ADDRESS = "test.counsellor.alpha@example.org"


def _account(**overrides: object) -> dict[str, object]:
    return {
        "username": f"test.mail{uuid.uuid4().hex[:8]}",
        "display_name": "Test Mail Colleague (FAKE)",
        "password": f"synthetic-{uuid.uuid4().hex}",
        "roles": ["intake_officer"],
        **overrides,
    }


def _service(ctx: Identity, name: str = "psychosocial") -> dict[str, str]:
    claims = service_claims(client_id=name, audiences=["identity"], now=datetime.now(UTC))
    return bearer(sign(claims, ctx.keys.current))


async def test_an_account_carries_a_sealed_address_that_services_read(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    made = await client.post("/accounts", json=_account(email=ADDRESS), headers=admin.access)
    assert made.status_code == 201, made.text
    staff_id = made.json()["staff_id"]
    assert made.json()["email"] == ADDRESS
    stored = await ctx.pool.fetchval(
        "SELECT payload::text FROM events WHERE type = 'identity.AccountCreated' "
        "AND stream_id = $1",
        staff_id,
    )
    assert ADDRESS not in stored  # sealed in the event, like the display name

    other = await client.post("/accounts", json=_account(), headers=admin.access)
    assert other.status_code == 201
    assert other.json()["email"] is None  # optional

    service = _service(ctx)
    named = await client.get(
        "/staff/addresses",
        params=[("staff_id", staff_id), ("staff_id", other.json()["staff_id"])],
        headers=service,
    )
    assert named.status_code == 200, named.text
    assert named.json()["addresses"] == [{"staff_id": staff_id, "email": ADDRESS}]
    by_role = await client.get(
        "/staff/addresses", params={"role": "intake_officer"}, headers=service
    )
    assert ADDRESS in [a["email"] for a in by_role.json()["addresses"]]

    async def auth() -> dict[str, str]:
        return service

    # The client other services deliver notifications with reads the same directory.
    directory = IdentityRecipients(client, auth)
    assert await directory.addresses([uuid.UUID(staff_id)], None, None) == [ADDRESS]
    assert await directory.addresses([], "legal_officer", None) == []

    changed = await client.post(
        f"/accounts/{staff_id}/email",
        json={"email": "new.address@example.org"},
        headers=admin.access,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "new.address@example.org"
    removed = await client.post(
        f"/accounts/{staff_id}/email", json={"email": None}, headers=admin.access
    )
    assert removed.json()["email"] is None
    after = await client.get("/staff/addresses", params={"staff_id": staff_id}, headers=service)
    assert after.json()["addresses"] == []


async def test_a_bad_address_is_refused_by_name_and_staff_cannot_read_addresses(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    before = await event_count(ctx)
    for bad in ("not-an-address", "two@@example.org", "a@b", "x" * 250 + "@example.org"):
        answer = await client.post("/accounts", json=_account(email=bad), headers=admin.access)
        assert answer.status_code == 422, (bad, answer.text)
        assert "email" in answer.text
    assert await event_count(ctx) == before
    # Addresses are for other services' delivery, not for browsing by staff (admins included).
    for caller in (admin, await signed_in(ctx, client, "counsellor")):
        refused = await client.get("/staff/addresses", headers=caller.access)
        assert refused.status_code == 403
